package org.rtmpcluster.common.rtmp.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.rtmpcluster.common.amf.Amf0Reader;
import org.rtmpcluster.common.amf.Amf0Writer;
import org.rtmpcluster.common.amf.AmfEcmaArray;
import org.rtmpcluster.common.amf.AmfException;
import org.rtmpcluster.common.amf.AmfLimits;
import org.rtmpcluster.common.rtmp.chunk.RtmpMessage;
import org.rtmpcluster.common.testing.HostileInput;

class DataMessageTest {

  private static RtmpMessage data(int type, Buffer body) {
    return new RtmpMessage(6, type, 0, 1, body);
  }

  @Test
  void setDataFrameIsTakenOffAndThePublishersBytesKept() throws Exception {
    AmfEcmaArray meta = new AmfEcmaArray();
    meta.put("width", 1280.0);
    meta.put("encoder", "Lavf59.27.100");
    Buffer sent = Amf0Writer.encode("@setDataFrame", "onMetaData", meta);
    DataMessage message = DataMessage.forPlayers(data(MessageType.DATA_AMF0, sent), AmfLimits.DEFAULT);
    assertEquals("onMetaData", message.handler());
    assertTrue(message.isMetadata());
    int prefix = 3 + "@setDataFrame".length();
    assertEquals(sent.getBuffer(prefix, sent.length()), message.body(), "the same bytes, not re-encoded");
  }

  @Test
  void aDataMessageWithoutSetDataFrameIsKeptWhole() throws Exception {
    Buffer sent = Amf0Writer.encode("onTextData", Map.of("text", "hello"));
    DataMessage message = DataMessage.forPlayers(data(MessageType.DATA_AMF0, sent), AmfLimits.DEFAULT);
    assertEquals("onTextData", message.handler());
    assertEquals(sent, message.body());
  }

  @Test
  void aMessageThatCallsNoHandlerIsNothing() throws Exception {
    assertNull(DataMessage.forPlayers(data(MessageType.DATA_AMF0, Amf0Writer.encode("@setDataFrame")),
        AmfLimits.DEFAULT));
    assertNull(DataMessage.forPlayers(data(MessageType.DATA_AMF0, Amf0Writer.encode(1.0, "x")),
        AmfLimits.DEFAULT));
  }

  @Test
  void referencesAreWrittenOutForPlayersThatCannotReadThem() throws Exception {
    Buffer sent = Buffer.buffer()
        .appendBuffer(Amf0Writer.encode("onMetaData"))
        .appendByte((byte) 0x0A).appendUnsignedInt(2)          // strict array of 2:
        .appendBuffer(Amf0Writer.encode(Map.of("a", 1.0)))     //   object 0 (reference index 1: the array is 0)
        .appendByte((byte) 0x07).appendUnsignedShort(1);       //   reference to it
    DataMessage message = DataMessage.forPlayers(data(MessageType.DATA_AMF0, sent), AmfLimits.DEFAULT);
    assertEquals(Amf0Writer.encode("onMetaData", List.of(Map.of("a", 1.0), Map.of("a", 1.0))), message.body(),
        "the object twice, as plain AMF0 readers expect");
  }

  @Test
  void anAmf3DataMessageBecomesPlainAmf0() throws Exception {
    Buffer sent = Buffer.buffer().appendByte((byte) 0)       // AMF3 data messages' format byte
        .appendBuffer(Amf0Writer.encode("onMetaData"))
        .appendByte((byte) 0x11)                              // switch to AMF3
        .appendByte((byte) 0x04).appendByte((byte) 0x05);     // AMF3 integer 5
    DataMessage message = DataMessage.forPlayers(data(MessageType.DATA_AMF3, sent), AmfLimits.DEFAULT);
    assertEquals(List.of("onMetaData", 5.0), Amf0Reader.readAll(message.body(), AmfLimits.DEFAULT));
  }

  /**
   * Issue 8, defect 2: a strict array of references to one large ECMA array. Written out without
   * references it would be thousands of arrays; it is refused after about four times its size.
   */
  @Test
  void valuesSharedByReferenceMayNotGrowPastAFewTimesTheirSize() {
    Buffer sent = HostileInput.amplifyingMetadata(20_000, 1_000);
    long before = HostileInput.allocatedBytes();
    AmfException refused = assertThrows(AmfException.class,
        () -> DataMessage.forPlayers(data(MessageType.DATA_AMF0, sent), AmfLimits.DEFAULT));
    long allocated = HostileInput.allocatedBytes() - before;
    assertTrue(refused.getMessage().contains("take more than"), refused.getMessage());
    assertTrue(allocated < 40L * sent.length(), sent.length() + " bytes cost " + allocated + " to refuse");
  }
}
