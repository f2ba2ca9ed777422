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
 * A command message (spec 7.1.1, 7.2): name, transaction id, command object, then arguments.
 * Type 20 is AMF0; type 17 starts with one format byte (0) and continues as AMF0 values that may
 * switch to AMF3 for a single value (marker 0x11), which the AMF0 reader handles.
 */
public record Command(String name, double transactionId, Object commandObject, List<Object> arguments) {

  /** Chunk stream for commands, as Flash, ffmpeg and nginx-rtmp use it. */
  public static final int CHUNK_STREAM = ChunkStreams.COMMAND;

  public Command {
    arguments = List.copyOf(nullsAllowed(arguments));
  }

  private static List<Object> nullsAllowed(List<Object> values) {
    // List.copyOf rejects nulls, and AMF null is a common argument: wrap in an unmodifiable copy.
    return values.contains(null) ? java.util.Collections.unmodifiableList(new ArrayList<>(values)) : values;
  }

  public static Command of(String name, double transactionId, Object commandObject, Object... arguments) {
    return new Command(name, transactionId, commandObject, java.util.Arrays.asList(arguments));
  }

  public Object argument(int index) {
    return index < arguments.size() ? arguments.get(index) : null;
  }

  public String stringArgument(int index) {
    return argument(index) instanceof String s ? s : null;
  }

  public Double numberArgument(int index) {
    return argument(index) instanceof Number n ? n.doubleValue() : null;
  }

  /** Decodes a type 17 or 20 message; the name must be a string and the transaction id a number. */
  public static Command decode(RtmpMessage message, AmfLimits limits) throws AmfException {
    List<Object> values = decodeValues(message, limits);
    if (values.isEmpty() || !(values.get(0) instanceof String name)) {
      throw new AmfException("command without a name");
    }
    double transactionId = values.size() > 1 && values.get(1) instanceof Number n ? n.doubleValue() : 0;
    Object commandObject = values.size() > 2 ? values.get(2) : null;
    List<Object> arguments = values.size() > 3 ? values.subList(3, values.size()) : List.of();
    return new Command(name, transactionId, commandObject, new ArrayList<>(arguments));
  }

  /** AMF values of a command (17, 20) or data (15, 18) message; AMF3 forms skip the format byte. */
  public static List<Object> decodeValues(RtmpMessage message, AmfLimits limits) throws AmfException {
    Buffer payload = message.payload();
    int start = 0;
    if ((message.typeId() == MessageType.COMMAND_AMF3 || message.typeId() == MessageType.DATA_AMF3)
        && payload.length() > 0 && payload.getByte(0) == 0) {
      start = 1;
    }
    Amf0Reader reader = new Amf0Reader(payload, start, payload.length(), limits);
    List<Object> values = new ArrayList<>();
    while (reader.hasMore()) {
      values.add(reader.read());
    }
    return values;
  }

  public Buffer encodeBody() {
    Buffer body = Buffer.buffer(64);
    Amf0Writer.write(body, name);
    Amf0Writer.write(body, transactionId);
    Amf0Writer.write(body, commandObject);
    for (Object argument : arguments) {
      Amf0Writer.write(body, argument);
    }
    return body;
  }

  /** An AMF0 command message (type 20) on the given message stream. */
  public RtmpMessage toMessage(int messageStreamId) {
    return new RtmpMessage(CHUNK_STREAM, MessageType.COMMAND_AMF0, 0, messageStreamId, encodeBody());
  }
}
