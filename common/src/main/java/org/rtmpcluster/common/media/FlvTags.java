package org.rtmpcluster.common.media;

import io.vertx.core.buffer.Buffer;
import org.rtmpcluster.common.stream.MediaFrame;

/**
 * The FLV file format as HTTP-FLV players read it (FLV specification 10, annex E): a header, then
 * each frame as a tag whose body is the RTMP message's payload unchanged (AVC/HEVC/AV1 video and
 * AAC audio packets, Enhanced RTMP's too, and AMF0 script data), each followed by the size of the
 * tag before it.
 */
public final class FlvTags {
  /** "FLV", version 1, flags, header size 9, then PreviousTagSize0. */
  private static final int HEADER_BYTES = 9 + 4;
  private static final int TAG_HEADER_BYTES = 11;

  private FlvTags() {
  }

  /** The file header: the audio and video flags say which tracks to expect (E.4.1). */
  public static Buffer header(boolean audio, boolean video) {
    Buffer header = Buffer.buffer(HEADER_BYTES);
    header.appendByte((byte) 'F').appendByte((byte) 'L').appendByte((byte) 'V').appendByte((byte) 1);
    header.appendByte((byte) ((audio ? 0x04 : 0) | (video ? 0x01 : 0)));
    header.appendInt(9);
    header.appendInt(0);
    return header;
  }

  /**
   * The frame as one tag and its PreviousTagSize (E.4.2): type 8, 9 or 18, a 24-bit size, the
   * timestamp's low 24 bits then its high 8, stream id 0.
   */
  public static Buffer tag(MediaFrame frame, long timestamp) {
    int size = frame.size();
    Buffer tag = Buffer.buffer(TAG_HEADER_BYTES + size + 4);
    tag.appendByte((byte) frame.type());
    tag.appendMedium(size);
    tag.appendMedium((int) (timestamp & 0xFFFFFF));
    tag.appendByte((byte) (timestamp >>> 24));
    tag.appendMedium(0);
    tag.appendBuffer(frame.payload());
    tag.appendInt(TAG_HEADER_BYTES + size);
    return tag;
  }
}
