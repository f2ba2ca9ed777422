package org.rtmpcluster.common.rtmp.message;

/** RTMP message type ids (spec 5.4, 7.1). */
public final class MessageType {
  public static final int SET_CHUNK_SIZE = 1;
  public static final int ABORT = 2;
  public static final int ACKNOWLEDGEMENT = 3;
  public static final int USER_CONTROL = 4;
  public static final int WINDOW_ACK_SIZE = 5;
  public static final int SET_PEER_BANDWIDTH = 6;
  public static final int AUDIO = 8;
  public static final int VIDEO = 9;
  public static final int DATA_AMF3 = 15;
  public static final int SHARED_OBJECT_AMF3 = 16;
  public static final int COMMAND_AMF3 = 17;
  public static final int DATA_AMF0 = 18;
  public static final int SHARED_OBJECT_AMF0 = 19;
  public static final int COMMAND_AMF0 = 20;
  public static final int AGGREGATE = 22;

  private MessageType() {
  }

  /** Types 1, 2, 3, 5 and 6 travel on chunk stream 2 with message stream 0 (spec 5.4). */
  public static boolean isProtocolControl(int type) {
    return type == SET_CHUNK_SIZE || type == ABORT || type == ACKNOWLEDGEMENT
        || type == WINDOW_ACK_SIZE || type == SET_PEER_BANDWIDTH;
  }

  public static String name(int type) {
    return switch (type) {
      case SET_CHUNK_SIZE -> "SetChunkSize";
      case ABORT -> "Abort";
      case ACKNOWLEDGEMENT -> "Acknowledgement";
      case USER_CONTROL -> "UserControl";
      case WINDOW_ACK_SIZE -> "WindowAckSize";
      case SET_PEER_BANDWIDTH -> "SetPeerBandwidth";
      case AUDIO -> "Audio";
      case VIDEO -> "Video";
      case DATA_AMF3 -> "DataAMF3";
      case SHARED_OBJECT_AMF3 -> "SharedObjectAMF3";
      case COMMAND_AMF3 -> "CommandAMF3";
      case DATA_AMF0 -> "DataAMF0";
      case SHARED_OBJECT_AMF0 -> "SharedObjectAMF0";
      case COMMAND_AMF0 -> "CommandAMF0";
      case AGGREGATE -> "Aggregate";
      default -> "Unknown(" + type + ")";
    };
  }
}
