package org.rtmpcluster.common.rtmp.message;

/**
 * Which chunk stream carries what, as Flash, ffmpeg and nginx-rtmp lay them out. Media goes on
 * chunk streams of its own, so that media chunked once for many players never shares header
 * state with what a connection sends for itself.
 */
public final class ChunkStreams {
  /** Protocol control and user control messages (spec 5.4, 6.2). */
  public static final int CONTROL = 2;
  /** Commands and their answers. */
  public static final int COMMAND = 3;
  /** Data messages a session sends itself (|RtmpSampleAccess). */
  public static final int SESSION_DATA = 4;
  /** Media data messages (onMetaData). */
  public static final int DATA = 5;
  public static final int AUDIO = 6;
  public static final int VIDEO = 7;

  private ChunkStreams() {
  }
}
