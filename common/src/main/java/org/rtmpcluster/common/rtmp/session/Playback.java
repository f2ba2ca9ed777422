package org.rtmpcluster.common.rtmp.session;

/** A running play on one message stream, as the player's commands steer it. */
public interface Playback {

  /** Starts delivery; called after the session sent Play.Reset, Play.Start and the sample access. */
  void start();

  void pause(boolean paused);

  /**
   * Goes to {@code timestampMs} in what is played (the seek command); false when there is no time
   * to go to, as in a live stream.
   */
  default boolean seek(long timestampMs) {
    return false;
  }

  void receiveAudio(boolean enabled);

  void receiveVideo(boolean enabled);

  /** The player stopped (closeStream, deleteStream, disconnect). */
  void close();

  /** The server ends the play (the node is going away): tell the player the stream ended. */
  void end(String reason);
}
