package org.rtmpcluster.edge;

import io.vertx.core.buffer.Buffer;
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
 *   <li>timestamps start at 0 and never go backwards: each publisher's timeline is rebased to
 *       continue where the player is;</li>
 *   <li>a slow player skips video to the next keyframe past the soft queue limit (audio goes on)
 *       and is disconnected past the hard limit.</li>
 * </ul>
 */
final class PlayerSession implements StreamListener, Playback {
  private static final Logger log = LoggerFactory.getLogger(PlayerSession.class);
  /** Gap put between the last frame of one publisher and the first of the next. */
  private static final long REBASE_GAP_MS = 40;
  private static final int AUDIO_CHUNK_STREAM = 6;
  private static final int VIDEO_CHUNK_STREAM = 7;
  private static final int DATA_CHUNK_STREAM = 5;

  private final LiveStream stream;
  private final PlayerOutput output;
  private final StreamSettings settings;
  private final PlayerCounters counters;

  private boolean started;
  private boolean closed;
  private boolean paused;
  private boolean audioEnabled = true;
  private boolean videoEnabled = true;

  private boolean videoExpected;
  private boolean waitingForKeyframe = true;
  private boolean skippingForSlowness;

  private boolean rebasePending = true;
  private long rebaseGap;
  private long offset;
  private long lastTimestamp;
  private Buffer sentMetadata;
  private Buffer sentVideoSequenceHeader;
  private Buffer sentAudioSequenceHeader;

  PlayerSession(LiveStream stream, PlayerOutput output, StreamSettings settings, PlayerCounters counters) {
    this.stream = stream;
    this.output = output;
    this.settings = settings;
    this.counters = counters;
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
    rebasePending = true;
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
      send(frame, false);
    }
  }

  private void onMetadata(MediaFrame frame) {
    if (!frame.payload().equals(sentMetadata)) {
      sentMetadata = frame.payload();
      send(frame, false);
    }
  }

  private void onSequenceHeader(MediaFrame frame) {
    if (frame.isVideo()) {
      videoExpected = true;
      if (!frame.payload().equals(sentVideoSequenceHeader)) {
        sentVideoSequenceHeader = frame.payload();
        send(frame, false);
      }
    } else if (!frame.payload().equals(sentAudioSequenceHeader)) {
      sentAudioSequenceHeader = frame.payload();
      send(frame, false);
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
    send(frame, true);
  }

  private void onAudio(MediaFrame frame) {
    if (!audioEnabled || (videoExpected && waitingForKeyframe && videoEnabled)) {
      // Audio before the first keyframe would play over a frozen picture; start both together.
      return;
    }
    if (output.queuedBytes() > settings.playerQueueHardLimitBytes()) {
      cut();
      return;
    }
    send(frame, true);
  }

  /** Soft limit: skip video to the next keyframe; hard limit: disconnect. */
  private boolean admitUnderLoad(MediaFrame frame) {
    long queued = output.queuedBytes();
    if (queued > settings.playerQueueHardLimitBytes()) {
      cut();
      return false;
    }
    if (queued > settings.playerQueueSoftLimitBytes()) {
      if (!skippingForSlowness) {
        log.info("{} is slow ({} bytes queued): skipping video of {} to the next keyframe",
            output.remote(), queued, stream.name());
      }
      skippingForSlowness = true;
    }
    if (skippingForSlowness) {
      if (frame.isKeyframe() && queued <= settings.playerQueueSoftLimitBytes()) {
        skippingForSlowness = false;
        return true;
      }
      counters.frameSkipped();
      return false;
    }
    return true;
  }

  private void cut() {
    counters.playerCut();
    closed = true;
    stream.removeListener(this);
    output.abort("player too slow: more than " + settings.playerQueueHardLimitBytes()
        + " bytes queued for stream " + stream.name());
  }

  private void send(MediaFrame frame, boolean media) {
    long timestamp;
    if (rebasePending) {
      if (media) {
        offset = lastTimestamp + rebaseGap - frame.timestamp();
        rebasePending = false;
        rebaseGap = REBASE_GAP_MS;
        timestamp = frame.timestamp() + offset;
      } else {
        timestamp = lastTimestamp;
      }
    } else {
      timestamp = frame.timestamp() + offset;
    }
    timestamp = Math.max(timestamp, lastTimestamp);
    lastTimestamp = timestamp;
    int chunkStream = frame.isAudio() ? AUDIO_CHUNK_STREAM : frame.isVideo() ? VIDEO_CHUNK_STREAM : DATA_CHUNK_STREAM;
    output.send(new RtmpMessage(chunkStream, frame.type(), timestamp, output.messageStreamId(), frame.payload()));
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
