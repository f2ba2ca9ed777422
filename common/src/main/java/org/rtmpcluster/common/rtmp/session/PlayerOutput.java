package org.rtmpcluster.common.rtmp.session;

import org.rtmpcluster.common.rtmp.chunk.RtmpMessage;

/** What a playback needs of the player's connection. */
public interface PlayerOutput {

  /** The message stream the player plays on; media goes there. */
  int messageStreamId();

  void send(RtmpMessage message);

  /** Writes bytes of a stream's log, made once for all the loop's players (see {@code StreamLog}). */
  void sendLogBytes(io.vertx.core.buffer.Buffer bytes);

  /** Where the player's event loop drains stream logs. */
  org.rtmpcluster.common.stream.StreamLog.Drains logDrains();

  /** The chunk size the player's connection sends with. */
  int chunkSize();

  void sendStatus(String level, String code, String description);

  /** Bytes handed to the socket and not yet written out: the measure of a slow player. */
  long queuedBytes();

  /** Ends the connection once what was sent is written: the client closes it, or the close-flush timeout does. */
  void disconnect(String reason);

  /** Closes the connection at once, dropping what is queued: for a player that stopped reading. */
  void abort(String reason);

  /** Remote address, for log lines. */
  String remote();
}
