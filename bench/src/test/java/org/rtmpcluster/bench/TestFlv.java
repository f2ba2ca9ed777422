package org.rtmpcluster.bench;

import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.rtmpcluster.common.testing.SyntheticMedia;

/** Writes small FLV files of synthetic H.264 + AAC tags, so that tests need no ffmpeg. */
final class TestFlv {

  private TestFlv() {
  }

  /** FLV header (9 bytes: signature, version 1, audio+video flags, header size) and PreviousTagSize0. */
  static Buffer header() {
    return Buffer.buffer().appendString("FLV").appendByte((byte) 1).appendByte((byte) 5).appendInt(9).appendInt(0);
  }

  static void appendTag(Buffer out, int type, long timestamp, Buffer body) {
    out.appendByte((byte) type)
        .appendMedium(body.length())
        .appendMedium((int) (timestamp & 0xFFFFFF))
        .appendByte((byte) (timestamp >>> 24))
        .appendMedium(0)
        .appendBuffer(body)
        .appendInt(11 + body.length());
  }

  /**
   * {@code seconds} of a 30 fps stream with a key frame every second and 2 KB frames, AAC every
   * 23 ms, metadata and sequence headers first; each frame's marker is its index.
   */
  static Path write(Path file, int seconds) throws IOException {
    Buffer out = header();
    appendTag(out, FlvReader.SCRIPT_DATA, 0, SyntheticMedia.setDataFrameMetadata("bench").slice(16, 
        SyntheticMedia.setDataFrameMetadata("bench").length()));
    appendTag(out, FlvReader.VIDEO, 0, SyntheticMedia.avcSequenceHeader(1));
    appendTag(out, FlvReader.AUDIO, 0, SyntheticMedia.aacSequenceHeader());
    long audioTime = 0;
    int audioIndex = 0;
    for (int frame = 0; frame < seconds * 30; frame++) {
      long videoTime = frame * 1000L / 30;
      while (audioTime <= videoTime) {
        appendTag(out, FlvReader.AUDIO, audioTime, SyntheticMedia.aacFrame(audioIndex++));
        audioTime = audioIndex * 1024L * 1000 / 44_100;
      }
      appendTag(out, FlvReader.VIDEO, videoTime, SyntheticMedia.videoFrame(frame % 30 == 0, frame, 2048));
    }
    Files.write(file, out.getBytes());
    return file;
  }
}
