package org.rtmpcluster.common.rtmp.message;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import org.rtmpcluster.common.amf.Amf0Reader;
import org.rtmpcluster.common.amf.Amf0Writer;
import org.rtmpcluster.common.amf.AmfException;
import org.rtmpcluster.common.amf.AmfLimits;
import org.rtmpcluster.common.rtmp.chunk.RtmpMessage;

/**
 * A publisher's data message (18 AMF0, 15 AMF3) as players get it: the handler it calls
 * ({@code onMetaData}, {@code onTextData}, ...) and its body in plain AMF0, without the
 * {@code @setDataFrame} that tells a server to keep it.
 *
 * <p>The body is the publisher's own bytes when they are plain AMF0, as every encoder sends them:
 * validated by decoding, never re-encoded, so a data message costs its wire size. Only a body with
 * references or AMF3 values, which ffmpeg's and librtmp's readers lack, is written out again as
 * plain AMF0, and that may grow to at most {@link AmfLimits#maxExpansion} times its wire size (plus
 * {@value #SLACK} bytes): written without references, a value that refers to one large array a
 * thousand times would otherwise be a thousand arrays.
 */
public record DataMessage(String handler, Buffer body) {
  public static final String SET_DATA_FRAME = "@setDataFrame";
  /** Room for the smallest values, whose AMF0 form is a few bytes longer than any compact one. */
  static final int SLACK = 1024;

  /**
   * Reads a data message; null when it calls no handler (no values, or the first is no string).
   *
   * @throws AmfException for bad AMF, or a body that grows past the bound when written as plain AMF0
   */
  public static DataMessage forPlayers(RtmpMessage message, AmfLimits limits) throws AmfException {
    Buffer payload = message.payload();
    int start = 0;
    if (message.typeId() == MessageType.DATA_AMF3 && payload.length() > 0 && payload.getByte(0) == 0) {
      start = 1; // AMF3 data messages begin with a format byte
    }
    Amf0Reader reader = new Amf0Reader(payload, start, payload.length(), limits);
    List<Object> values = new ArrayList<>();
    int bodyStart = start;
    while (reader.hasMore()) {
      Object value = reader.read();
      if (values.isEmpty() && bodyStart == start && SET_DATA_FRAME.equals(value)) {
        bodyStart = reader.position();
      } else {
        values.add(value);
      }
    }
    if (values.isEmpty() || !(values.get(0) instanceof String handler)) {
      return null;
    }
    if (reader.plainSoFar()) {
      return new DataMessage(handler, payload.slice(bodyStart, payload.length()));
    }
    long bound = (long) limits.maxExpansion() * (payload.length() - bodyStart) + SLACK;
    try {
      return new DataMessage(handler, Amf0Writer.encodeBounded(bound, values));
    } catch (Amf0Writer.TooLongException e) {
      throw new AmfException("its values, written without references, take more than " + bound
          + " bytes (" + limits.maxExpansion() + " times its " + (payload.length() - bodyStart) + " bytes)");
    } catch (IllegalArgumentException e) {
      throw new AmfException("its values have no AMF0 form: " + e.getMessage());
    }
  }

  public boolean isMetadata() {
    return handler.equals("onMetaData");
  }
}
