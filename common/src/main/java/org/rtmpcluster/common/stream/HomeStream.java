package org.rtmpcluster.common.stream;

import io.vertx.core.Vertx;
import java.util.function.LongSupplier;
import org.rtmpcluster.common.config.RenditionGroup;
import org.rtmpcluster.common.config.StreamSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A live stream where it enters the node: published by an encoder (an origin) or pulled from an
 * origin (an edge), on the node's home event loop. It numbers each publisher's frames, puts them
 * on the players' timeline, counts the input, and decides when the stream ends.
 *
 * <p>Life cycle: a publisher attaches (a new epoch), sends frames, and leaves; players then wait
 * for the grace period, during which a publisher may come back (a new epoch: players resume on its
 * keyframe), after which they are told the stream ended and the stream is removed from the hub.
 */
public final class HomeStream extends LiveStream {
  private static final Logger log = LoggerFactory.getLogger(HomeStream.class);
  /** Between the last frame of one publisher and the first of the next, on the players' timeline. */
  static final long REBASE_GAP_MS = 40;

  /** How a publisher attach went. */
  public enum AttachResult { ATTACHED, TOOK_OVER, BUSY }

  private final Vertx vertx;
  private final LongSupplier clock;
  private PublishObserver observer;
  /** The publisher's timestamps of each track, which wrap, on timelines that do not. */
  private final TimestampUnwrapper videoTime = new TimestampUnwrapper();
  private final TimestampUnwrapper audioTime = new TimestampUnwrapper();
  /** The players' timeline: each publisher's timestamps are shifted to continue it. */
  private long playOffset;
  private long lastPlayTimestamp;
  private boolean rebasePending = true;
  private long rebaseGapMs;
  /** The cluster's media clock (see {@link MediaFrame#mediaTime}), for frames that have none yet. */
  private long mediaOffset;
  private boolean mediaRebasePending = true;
  private long lastMediaTime;
  private long lastVideoMediaTime;
  private long lastAudioMediaTime;
  /** The last keyframe's media time (the last audio frame's, for a stream without video). */
  private long lastSyncMediaTime;
  private boolean sawVideo;
  private long lastPublisherActivityMs;
  private long graceTimer = -1;
  private long framesIn;
  private long bytesIn;
  private long publishedAtMs;
  /** The current publisher's input, for operators: media bytes, and video frames (not headers). */
  private final RateMeter inputBytes = new RateMeter();
  private final RateMeter inputVideoFrames = new RateMeter();

  HomeStream(String name, StreamHub<HomeStream> hub, Vertx vertx, StreamSettings settings, LongSupplier clock) {
    super(name, hub, settings);
    this.vertx = vertx;
    this.clock = clock;
  }

  public long framesIn() {
    return framesIn;
  }

  public long bytesIn() {
    return bytesIn;
  }

  /** Bits per second the current publisher sends (media payloads), over the last few seconds. */
  public long inputBitrate() {
    return Math.round(inputBytes.perSecond(clock.getAsLong()) * 8);
  }

  /** Video frames per second the current publisher sends, over the last few seconds. */
  public double inputFps() {
    return inputVideoFrames.perSecond(clock.getAsLong());
  }

  /** When the current (or last) publisher attached, in epoch ms; 0 if none ever did. */
  public long publishedAtMs() {
    return publishedAtMs;
  }

  /**
   * Attaches a publisher. A live name is refused while its publisher is active; one that has sent
   * nothing for the takeover time is evicted, so an encoder that reconnects after a network drop
   * is not locked out by its own dead session.
   */
  public AttachResult attachPublisher(PublisherHandle candidate) {
    AttachResult result = AttachResult.ATTACHED;
    PublisherHandle current = publisher();
    if (current != null && current != candidate) {
      long quietMs = clock.getAsLong() - lastPublisherActivityMs;
      if (quietMs < settings.publisherTakeoverMs()) {
        return AttachResult.BUSY;
      }
      forgetPublisher(); // its own leaving, on eviction, is then no detach of this stream
      log.info("stream {}: {} takes over from {}, quiet for {} ms", name(), candidate.describe(),
          current.describe(), quietMs);
      current.evict("another publisher took over stream " + name() + " after " + quietMs + " ms without data");
      result = AttachResult.TOOK_OVER;
    }
    cancelGrace();
    rebasePending = true;
    mediaRebasePending = true;
    videoTime.reset();
    audioTime.reset();
    lastPublisherActivityMs = clock.getAsLong();
    publishedAtMs = lastPublisherActivityMs;
    inputBytes.reset();
    inputVideoFrames.reset();
    begin(candidate, epoch() + 1);
    if (observer != null) {
      observer.onPublisherAttached(epoch());
    }
    return result;
  }

  @Override
  protected MediaFrame place(MediaFrame frame) {
    countInput(frame);
    boolean media = (frame.isAudio() || frame.isVideo()) && !frame.isSequenceHeader();
    long publisherMs = media ? (frame.isVideo() ? videoTime : audioTime).unwrap(frame.timestamp()) : 0;
    return frame.inStream(sequence() + 1, playTimestampOf(media, publisherMs), mediaTimeOf(frame, media, publisherMs));
  }

  @Override
  protected void published(MediaFrame frame) {
    if (observer != null) {
      observer.onFrame(frame);
    }
  }

  private void countInput(MediaFrame frame) {
    lastPublisherActivityMs = clock.getAsLong();
    framesIn++;
    bytesIn += frame.size();
    inputBytes.add(lastPublisherActivityMs, frame.size());
    if (frame.isVideo() && !frame.isSequenceHeader()) {
      inputVideoFrames.add(lastPublisherActivityMs, 1);
    }
  }

  /**
   * Where a frame goes on the players' timeline. The first audio or video frame of a publisher
   * fixes the shift for all of its frames: the first publisher starts at 0, later ones a small
   * gap after the last frame players got. Nothing ever goes backwards, and the timeline goes on
   * linearly where the publisher's 32-bit timestamps wrap (each track is followed on its own, see
   * {@link TimestampUnwrapper}; both start from the publisher's values, so they stay in sync).
   *
   * <p>Only audio and video move the timeline. Metadata and sequence headers take its current
   * point: encoders stamp them 0 or anything, and read against media timestamps near the wrap, a
   * 0 would be a jump forward that froze every later frame.
   */
  private long playTimestampOf(boolean media, long publisherMs) {
    if (!media) {
      return lastPlayTimestamp;
    }
    if (rebasePending) {
      playOffset = lastPlayTimestamp + rebaseGapMs - publisherMs;
      rebasePending = false;
      rebaseGapMs = REBASE_GAP_MS;
    }
    long play = Math.max(lastPlayTimestamp, publisherMs + playOffset);
    lastPlayTimestamp = play;
    return play;
  }

  /**
   * Where a frame goes on the cluster's media clock. Frames pulled from an origin have their
   * origin's. A publisher's frames get it here, where they enter the cluster: the first publisher
   * of the stream starts at the wall clock, a later one in the cell of the segment grid after the
   * one of the last keyframe (or after its last frame, if later), so its first keyframe starts
   * the segment after the last one, on every node. Only audio and video move it, as they move the players' timeline.
   */
  private long mediaTimeOf(MediaFrame frame, boolean media, long publisherMs) {
    if (frame.mediaTime() != 0) {
      lastMediaTime = Math.max(lastMediaTime, frame.mediaTime());
      return frame.mediaTime();
    }
    if (!media) {
      return lastMediaTime;
    }
    if (mediaRebasePending) {
      long grid = settings.segmentMs();
      // A quarter into the cell: keyframes every segment-ms, a little early or late, stay in theirs.
      long start = lastMediaTime == 0 ? clock.getAsLong()
          : Math.max(lastMediaTime + REBASE_GAP_MS, (lastSyncMediaTime / grid + 1) * grid + grid / 4);
      mediaOffset = start - publisherMs;
      HomeStream sibling = lastMediaTime == 0 ? liveRendition() : null;
      if (sibling != null) {
        // Renditions of one encoder share its clock: on one media clock their keyframes, and so
        // their segments, line up, as a player switching between them needs.
        mediaOffset = sibling.mediaOffset;
      }
      mediaRebasePending = false;
    }
    // Each track on its own never goes back; across tracks they may interleave a little, as sent.
    long time = Math.max(frame.isVideo() ? lastVideoMediaTime : lastAudioMediaTime, publisherMs + mediaOffset);
    if (frame.isVideo()) {
      lastVideoMediaTime = time;
    } else {
      lastAudioMediaTime = time;
    }
    lastMediaTime = Math.max(lastMediaTime, time);
    if (frame.isKeyframe() || frame.isAudio() && !sawVideo) {
      lastSyncMediaTime = time;
    }
    sawVideo |= frame.isVideo();
    return time;
  }

  /** Another rendition of this stream's group (streams.renditions) on this node whose media clock is set. */
  private HomeStream liveRendition() {
    RenditionGroup group = settings.groupOf(name());
    if (group == null) {
      return null;
    }
    for (String other : group.streams()) {
      if (!other.equals(name()) && hub().get(other) instanceof HomeStream sibling && sibling.isLive()
          && !sibling.mediaRebasePending) {
        return sibling;
      }
    }
    return null;
  }

  /** Any sign of life from the publisher that is not a frame (acknowledgements, pings). */
  public void touch(PublisherHandle from) {
    if (publisher() == from) {
      lastPublisherActivityMs = clock.getAsLong();
    }
  }

  @Override
  protected void publisherLeft() {
    if (observer != null) {
      observer.onPublisherDetached();
    }
  }

  @Override
  protected void awaitNextPublisher() {
    cancelGrace();
    graceTimer = vertx.setTimer(Math.max(1, settings.playerGraceMs()), id -> {
      graceTimer = -1;
      if (isLive()) {
        return;
      }
      log.info("stream {}: no publisher for {} ms, ending it for {} players", name(),
          settings.playerGraceMs(), playerCount());
      end();
    });
  }

  private void cancelGrace() {
    if (graceTimer >= 0) {
      vertx.cancelTimer(graceTimer);
      graceTimer = -1;
    }
  }

  /** Sees every attach, numbered frame and detach of this stream's publishers (the origin's relay). */
  public void observePublishing(PublishObserver publishObserver) {
    this.observer = publishObserver;
  }

  public PublishObserver publishObserver() {
    return observer;
  }

  @Override
  protected void leavingHub() {
    cancelGrace();
  }

  @Override
  protected void removed() {
    if (observer != null) {
      PublishObserver gone = observer;
      observer = null;
      gone.onRemoved();
    }
  }
}
