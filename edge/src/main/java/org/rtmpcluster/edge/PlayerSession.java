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
import org.rtmpcluster.common.stream.MediaFrame;
import org.rtmpcluster.common.stream.StreamListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One player of one live stream. It decides which frames this player gets and when:
 * <ul>
 *   <li>video starts on a keyframe (after joining, a new publisher, unpausing or skipping);</li>
 *   <li>metadata and sequence headers are sent when they change, not again when a publisher
 *       resends them: a republish that changes nothing is invisible to the player (ffmpeg's FLV
 *       reader, in ffmpeg, ffplay and VLC, turns an onMetaData after the start into a new data
 *       stream);</li>
 *   <li>timestamps are the stream's player timeline, shared by all its players so that each
 *       frame is chunked once, and never go backwards;</li>
 *   <li>a slow player skips video to the next keyframe past the soft queue limit (audio goes on)
 *       and is disconnected past the hard limit; while the node is over its budget of direct
 *       memory, a quarter of the soft limit is enough to skip.</li>
 * </ul>
 */
final class PlayerSession implements StreamListener, Playback {
  private static final Logger log = LoggerFactory.getLogger(PlayerSession.class);

  private final LiveStream stream;
  private final PlayerOutput output;
  private final StreamSettings settings;
  private final PlayerCounters counters;
  private final BooleanSupplier nodeOverBudget;

  private boolean started;
  private boolean closed;
  private boolean paused;
  private boolean audioEnabled = true;
  private boolean videoEnabled = true;

  private boolean videoExpected;
  private boolean waitingForKeyframe = true;
  private boolean skippingForSlowness;

  private long lastTimestamp;
  private Buffer sentMetadata;
  private Buffer sentVideoSequenceHeader;
  private Buffer sentAudioSequenceHeader;

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
    started = true;
    stream.addListener(this);
  }

  @Override
  public void onPublisherStarted(long epoch) {
    videoExpected = sentVideoSequenceHeader != null;
    waitingForKeyframe = true;
  }

  @Override
  public void onFrame(MediaFrame frame) {
    if (closed || paused) {
      return;
    }
    if (frame.isMetadata()) {
      onMetadata(frame);
    } else if (frame.isSequenceHeader()) {
      onSequenceHeader(frame);
    } else if (frame.isVideo()) {
      onVideo(frame);
    } else if (frame.isAudio()) {
      onAudio(frame);
    } else {
      send(frame);
    }
  }

  private void onMetadata(MediaFrame frame) {
    if (!frame.payload().equals(sentMetadata)) {
      sentMetadata = frame.payload();
      send(frame);
    }
  }

  private void onSequenceHeader(MediaFrame frame) {
    if (frame.isVideo()) {
      videoExpected = true;
      if (!frame.payload().equals(sentVideoSequenceHeader)) {
        sentVideoSequenceHeader = frame.payload();
        send(frame);
      }
    } else if (!frame.payload().equals(sentAudioSequenceHeader)) {
      sentAudioSequenceHeader = frame.payload();
      send(frame);
    }
  }

  private void onVideo(MediaFrame frame) {
    videoExpected = true;
    if (!videoEnabled || !admitUnderLoad(frame)) {
      return;
    }
    if (waitingForKeyframe) {
      if (!frame.isKeyframe()) {
        return;
      }
      waitingForKeyframe = false;
    }
    send(frame);
  }

  private void onAudio(MediaFrame frame) {
    if (!audioEnabled || (videoExpected && waitingForKeyframe && videoEnabled)) {
      // Audio before the first keyframe would play over a frozen picture; start both together.
      return;
    }
    if (cutIfOverHardLimit(output.queuedBytes())) {
      return;
    }
    send(frame);
  }

  /**
   * Soft limit: skip video to the next keyframe; hard limit: disconnect. While the node is over
   * its budget the players that are behind give way first: those with a quarter of the soft limit
   * queued skip, which sheds the most memory for the fewest players.
   */
  private boolean admitUnderLoad(MediaFrame frame) {
    long queued = output.queuedBytes();
    if (cutIfOverHardLimit(queued)) {
      return false;
    }
    long softLimit = nodeOverBudget.getAsBoolean() ? settings.playerQueueSoftLimitBytes() / 4
        : settings.playerQueueSoftLimitBytes();
    if (queued > softLimit) {
      if (!skippingForSlowness) {
        log.info("{} is slow ({} bytes queued): skipping video of {} to the next keyframe",
            output.remote(), queued, stream.name());
      }
      skippingForSlowness = true;
    }
    if (skippingForSlowness) {
      if (frame.isKeyframe() && queued <= softLimit) {
        skippingForSlowness = false;
        return true;
      }
      counters.frameSkipped();
      return false;
    }
    return true;
  }

  private boolean cutIfOverHardLimit(long queued) {
    if (queued <= settings.playerQueueHardLimitBytes()) {
      return false;
    }
    cut();
    return true;
  }

  private void cut() {
    counters.playerCut();
    closed = true;
    stream.removeListener(this);
    output.abort("player too slow: more than " + settings.playerQueueHardLimitBytes()
        + " bytes queued for stream " + stream.name());
  }

  /**
   * Sends the stream's shared bytes for the frame. Only when a player's own timeline is ahead of
   * the frame (metadata updated mid-GOP, sent first to a joining player) is it chunked for this
   * player alone, with the player's timestamp, so that nothing goes backwards.
   */
  private void send(MediaFrame frame) {
    int msid = output.messageStreamId();
    if (frame.playTimestamp() >= lastTimestamp) {
      lastTimestamp = frame.playTimestamp();
      output.sendEncoded(frame.wire(output.chunkSize()), frame.chunkStreamId());
    } else {
      output.send(new RtmpMessage(frame.chunkStreamId(), frame.type(), lastTimestamp, msid, frame.payload()));
    }
  }


  @Override
  public void onPublisherGone() {
    // Players wait through the grace period; pings keep their connections alive.
  }

  @Override
  public void onStreamEnded() {
    end("stream " + stream.name() + " ended");
  }

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
    if (pause == paused) {
      return;
    }
    paused = pause;
    if (!pause) {
      waitingForKeyframe = true;
    }
  }

  @Override
  public void receiveAudio(boolean enabled) {
    audioEnabled = enabled;
  }

  @Override
  public void receiveVideo(boolean enabled) {
    if (enabled && !videoEnabled) {
      waitingForKeyframe = true;
    }
    videoEnabled = enabled;
  }

  @Override
  public void close() {
    closed = true;
    if (started) {
      stream.removeListener(this);
    }
  }
}
