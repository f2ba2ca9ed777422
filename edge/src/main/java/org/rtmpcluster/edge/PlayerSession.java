package org.rtmpcluster.edge;

import io.vertx.core.buffer.Buffer;
import java.util.function.BooleanSupplier;
import org.rtmpcluster.common.config.StreamSettings;
import org.rtmpcluster.common.rtmp.chunk.RtmpMessage;
import org.rtmpcluster.common.rtmp.message.UserControl;
import org.rtmpcluster.common.rtmp.session.PlayerOutput;
import org.rtmpcluster.common.rtmp.session.Playback;
import org.rtmpcluster.common.rtmp.session.Status;
import org.rtmpcluster.common.stream.LiveStream;
import org.rtmpcluster.common.stream.LogReader;
import org.rtmpcluster.common.stream.MediaFrame;
import org.rtmpcluster.common.stream.StreamLog;

/**
 * One player of one live stream: a reader of the stream's log on the player's event loop (see
 * {@link StreamLog} and {@link LogReader}, which decide what the player gets and when: it starts
 * at the latest keyframe, gets the bytes shared by every player of the loop once per write
 * window, and a slow one waits and then goes on from a later keyframe, or is cut). This class
 * connects that to the player's connection and to the play commands (pause, receiveAudio,
 * receiveVideo), and says goodbye when the stream ends.
 */
final class PlayerSession implements Playback, LogReader.Player {
  private final LiveStream stream;
  private final PlayerOutput output;
  private final StreamSettings settings;
  private final PlayerCounters counters;
  private final BooleanSupplier nodeOverBudget;
  private LogReader reader;
  private boolean closed;

  PlayerSession(LiveStream stream, PlayerOutput output, StreamSettings settings, PlayerCounters counters,
      BooleanSupplier nodeOverBudget) {
    this.stream = stream;
    this.output = output;
    this.settings = settings;
    this.counters = counters;
    this.nodeOverBudget = nodeOverBudget;
  }

  @Override
  public void start() {
    if (closed || reader != null) {
      return;
    }
    StreamLog log = stream.log(output.messageStreamId(), output.chunkSize(), output.logDrains());
    reader = new LogReader(log, this, settings, nodeOverBudget);
  }

  // ---- what the log gives this player ----

  @Override
  public void writeShared(Buffer logBytes) {
    output.sendLogBytes(logBytes);
  }

  /** Chunked for this player alone, at the timestamp its place in the log asks for. */
  @Override
  public void writeOwn(MediaFrame header, long timestamp) {
    output.send(new RtmpMessage(header.chunkStreamId(), header.type(), timestamp, output.messageStreamId(),
        header.payload()));
  }

  @Override
  public long queuedBytes() {
    return output.queuedBytes();
  }

  @Override
  public void tooSlow(long queuedBytes) {
    counters.playerCut();
    closed = true;
    output.abort("player too slow: " + queuedBytes + " bytes queued, more than "
        + settings.playerQueueHardLimitBytes() + " for stream " + stream.name());
  }

  @Override
  public void skipped(long messages) {
    counters.framesSkipped(messages);
  }

  @Override
  public void streamEnded() {
    end("stream " + stream.name() + " ended");
  }

  @Override
  public String remote() {
    return output.remote();
  }

  // ---- the player's commands ----

  @Override
  public void end(String reason) {
    if (closed) {
      return;
    }
    close();
    int msid = output.messageStreamId();
    output.sendStatus(Status.LEVEL_STATUS, Status.PLAY_UNPUBLISH_NOTIFY, stream.name() + " is now unpublished.");
    output.send(UserControl.streamEof(msid));
    output.disconnect(reason);
  }

  @Override
  public void pause(boolean pause) {
    if (reader != null) {
      reader.pause(pause);
    }
  }

  @Override
  public void receiveAudio(boolean enabled) {
    if (reader != null) {
      reader.receiveAudio(enabled);
    }
  }

  @Override
  public void receiveVideo(boolean enabled) {
    if (reader != null) {
      reader.receiveVideo(enabled);
    }
  }

  @Override
  public void close() {
    closed = true;
    if (reader != null) {
      reader.close();
    }
  }
}
