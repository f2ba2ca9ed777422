package org.rtmpcluster.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

class BenchFlvReaderTest {

  /** Hands out one byte per read, as a slow stream may. */
  private static InputStream trickle(Buffer bytes) {
    return new ByteArrayInputStream(bytes.getBytes()) {
      @Override
      public synchronized int read(byte[] b, int off, int len) {
        return super.read(b, off, Math.min(1, len));
      }
    };
  }

  @Test
  void readsTagsWithExtendedTimestampByteEvenOneByteAtATime() throws IOException {
    Buffer file = TestFlv.header();
    TestFlv.appendTag(file, FlvReader.VIDEO, 0x01_23_45_67L, Buffer.buffer(new byte[] {0x17, 1, 0, 0, 0}));
    TestFlv.appendTag(file, FlvReader.AUDIO, 5, Buffer.buffer(new byte[] {(byte) 0xAF, 1}));
    try (FlvReader reader = new FlvReader(trickle(file))) {
      FlvReader.Tag video = reader.next();
      assertEquals(FlvReader.VIDEO, video.type());
      assertEquals(0x01_23_45_67L, video.timestamp(), "the fourth timestamp byte is the upper 8 bits");
      assertEquals(5, video.body().length());
      FlvReader.Tag audio = reader.next();
      assertEquals(FlvReader.AUDIO, audio.type());
      assertEquals(5, audio.timestamp());
      assertNull(reader.next());
    }
  }

  @Test
  void skipsTagTypesRtmpDoesNotCarry() throws IOException {
    Buffer file = TestFlv.header();
    TestFlv.appendTag(file, 7, 0, Buffer.buffer(new byte[] {1, 2, 3}));
    TestFlv.appendTag(file, FlvReader.SCRIPT_DATA, 0, Buffer.buffer(new byte[] {2, 0, 0}));
    try (FlvReader reader = new FlvReader(new ByteArrayInputStream(file.getBytes()))) {
      assertEquals(FlvReader.SCRIPT_DATA, reader.next().type());
      assertNull(reader.next());
    }
  }

  @Test
  void fileCutInsideATagIsAnError() throws IOException {
    Buffer file = TestFlv.header();
    TestFlv.appendTag(file, FlvReader.VIDEO, 0, Buffer.buffer(new byte[100]));
    Buffer cut = file.getBuffer(0, file.length() - 50);
    try (FlvReader reader = new FlvReader(new ByteArrayInputStream(cut.getBytes()))) {
      assertThrows(EOFException.class, reader::next);
    }
  }

  @Test
  void rejectsFilesWithoutTheSignature() {
    assertThrows(IOException.class, () -> new FlvReader(new ByteArrayInputStream(new byte[13])));
  }
}
