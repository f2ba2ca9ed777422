package org.rtmpcluster.common.rtmp.session;

/** A running play on one message stream, as the player's commands steer it. */
public interface Playback {

  /** Starts delivery; called after the session sent Play.Reset, Play.Start and the sample access. */
  void start();

  void pause(boolean paused);

  void receiveAudio(boolean enabled);

  void receiveVideo(boolean enabled);

  /** The player stopped (closeStream, deleteStream, disconnect). */
  void close();

  /** The server ends the play (the node is going away): tell the player the stream ended. */
  void end(String reason);
}
