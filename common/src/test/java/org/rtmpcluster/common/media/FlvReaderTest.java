package org.rtmpcluster.common.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.rtmpcluster.common.rtmp.message.MessageType;
import org.rtmpcluster.common.stream.MediaFrame;

/** Reading FLV files as the recorder writes them, in pieces of any size, whole or cut off. */
class FlvReaderTest {
  private static final int MAX_TAG = 1 << 20;

  private static final List<MediaFrame> FRAMES = List.of(
      new MediaFrame(MessageType.DATA_AMF0, 0, Buffer.buffer("metadata"), MediaFrame.METADATA),
      new MediaFrame(MessageType.VIDEO, 0, Buffer.buffer(new byte[] {0x17, 0, 0, 0, 0, 1, 2, 3}),
          MediaFrame.SEQUENCE_HEADER),
      new MediaFrame(MessageType.AUDIO, 23, Buffer.buffer(new byte[] {(byte) 0xAF, 1, 9, 9}), 0),
      new MediaFrame(MessageType.VIDEO, 33, Buffer.buffer(new byte[300]), MediaFrame.KEYFRAME),
      // Past 24 bits of ms (4.6 hours): the timestamp's extended byte.
      new MediaFrame(MessageType.VIDEO, 0x1234567L, Buffer.buffer(new byte[] {0x27, 1, 0, 0, 0}), 0));

  private static Buffer file() {
    Buffer file = FlvTags.header(true, true);
    for (MediaFrame frame : FRAMES) {
      file.appendBuffer(FlvTags.tag(frame, frame.timestamp()));
    }
    return file;
  }

  private static List<FlvReader.Tag> readInPieces(FlvReader reader, Buffer bytes, int piece) {
    List<FlvReader.Tag> tags = new ArrayList<>();
    for (int at = 0; at < bytes.length(); at += piece) {
      reader.feed(bytes.getBuffer(at, Math.min(bytes.length(), at + piece)));
      for (FlvReader.Tag tag = reader.poll(); tag != null; tag = reader.poll()) {
        tags.add(tag);
      }
    }
    return tags;
  }

  @Test
  void everyTagComesOutWhateverThePiecesTheFileIsReadIn() {
    Buffer file = file();
    for (int piece : new int[] {1, 7, 11, 64, file.length()}) {
      FlvReader reader = FlvReader.fromStart(MAX_TAG);
      List<FlvReader.Tag> tags = readInPieces(reader, file, piece);
      assertEquals(FRAMES.size(), tags.size(), "pieces of " + piece);
      long position = 13;
      for (int i = 0; i < FRAMES.size(); i++) {
        assertEquals(FRAMES.get(i).type(), tags.get(i).type());
        assertEquals(FRAMES.get(i).timestamp(), tags.get(i).timestamp());
        assertEquals(FRAMES.get(i).payload(), tags.get(i).payload());
        assertEquals(position, tags.get(i).position(), "where tag " + i + " starts");
        position += tags.get(i).fileBytes();
      }
      assertTrue(reader.hasAudio() && reader.hasVideo());
      assertEquals(0, reader.heldBytes(), "nothing held once the file is read");
    }
  }

  @Test
  void aFileCutByACrashGivesEveryWholeTagAndNotTheCutOne() {
    Buffer file = file();
    long lastTagAt = file.length() - FlvTags.tag(FRAMES.get(4), FRAMES.get(4).timestamp()).length();
    // Cut inside the last tag's body, then just after its body (its PreviousTagSize missing).
    Buffer insideLast = file.getBuffer(0, (int) lastTagAt + FlvReader.TAG_HEADER_BYTES + 2);
    assertEquals(4, readInPieces(FlvReader.fromStart(MAX_TAG), insideLast, 100).size());
    Buffer withoutTrailer = file.getBuffer(0, file.length() - FlvReader.PREVIOUS_TAG_SIZE_BYTES);
    assertEquals(5, readInPieces(FlvReader.fromStart(MAX_TAG), withoutTrailer, 100).size(),
        "a tag is whole without the PreviousTagSize after it");
  }

  @Test
  void aReaderAtATagStartsThere() {
    Buffer file = file();
    List<FlvReader.Tag> all = readInPieces(FlvReader.fromStart(MAX_TAG), file, file.length());
    long at = all.get(3).position();
    List<FlvReader.Tag> fromThird = readInPieces(FlvReader.atTag(at, MAX_TAG), file.getBuffer((int) at, file.length()), 5);
    assertEquals(all.subList(3, 5), fromThird);
  }

  @Test
  void aTagLargerThanTheLimitIsAnErrorBeforeItsBodyIsHeld() {
    FlvReader reader = FlvReader.atTag(0, 1000);
    // Video, 0xFFFFFF bytes declared, and none of them there.
    reader.feed(Buffer.buffer(new byte[] {9, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0, 0, 0, 0, 0, 0, 0}));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, reader::poll);
    assertTrue(e.getMessage().contains("16777215 bytes is larger than the limit of 1000"), e.getMessage());
    assertThrows(IllegalStateException.class, () -> reader.feed(Buffer.buffer("more")), "done once failed");
  }

  @Test
  void badBytesSayWhatAndWhere() {
    FlvReader notFlv = FlvReader.fromStart(MAX_TAG);
    notFlv.feed(Buffer.buffer("RIFF....WAVEfmt "));
    assertTrue(assertThrows(IllegalArgumentException.class, notFlv::poll).getMessage().contains("not an FLV file"));

    FlvReader badType = FlvReader.atTag(500, MAX_TAG);
    badType.feed(Buffer.buffer(new byte[] {7, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0}));
    String message = assertThrows(IllegalArgumentException.class, badType::poll).getMessage();
    assertTrue(message.contains("tag type 7") && message.contains("at byte 500"), message);

    FlvReader encrypted = FlvReader.atTag(0, MAX_TAG);
    encrypted.feed(Buffer.buffer(new byte[] {0x29, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0}));
    assertTrue(assertThrows(IllegalArgumentException.class, encrypted::poll).getMessage().contains("encrypted"));
  }

  @Test
  void anEmptyOrShortFileGivesNoTag() {
    FlvReader reader = FlvReader.fromStart(MAX_TAG);
    assertNull(reader.poll());
    reader.feed(Buffer.buffer("FLV"));
    assertNull(reader.poll());
  }
}
