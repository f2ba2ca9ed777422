package org.rtmpcluster.common.stream;

import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;
import org.rtmpcluster.common.config.StreamSettings;
import org.rtmpcluster.common.media.AudioTag;
import org.rtmpcluster.common.media.VideoTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One named live stream on this node: its publisher, the state a late joiner needs (metadata,
 * latest sequence headers, the GOP cache) and its players. Lives on one event loop; every method
 * must be called there.
 *
 * <p>Life cycle: a publisher attaches (a new epoch), sends frames, and leaves; players then wait
 * for the grace period, during which a publisher may come back (a new epoch: players resume on its
 * keyframe), after which they are told the stream ended and the stream is removed from the hub.
 */
public final class LiveStream {
  private static final Logger log = LoggerFactory.getLogger(LiveStream.class);
  /** Between the last frame of one publisher and the first of the next, on the players' timeline. */
  static final long REBASE_GAP_MS = 40;

  /** How a publisher attach went. */
  public enum AttachResult { ATTACHED, TOOK_OVER, BUSY }

  private final String name;
  private final StreamHub hub;
  private final Vertx vertx;
  private final StreamSettings settings;
  private final LongSupplier clock;
  private final GopCache gopCache;
  /** Copy on write: a listener may leave while a frame is being handed out (a slow player is cut). */
  private final List<StreamListener> listeners = new CopyOnWriteArrayList<>();
  /** This loop's logs of the stream, one per layout players need (message stream, chunk size). */
  private final List<StreamLog> logs = new ArrayList<>(1);

  private PublisherHandle publisher;
  private PublishObserver observer;
  private AudienceWatcher audienceWatcher;
  private long epoch;
  private long sequence;
  /** The publisher's timestamps of each track, which wrap, on timelines that do not. */
  private final TimestampUnwrapper videoTime = new TimestampUnwrapper();
  private final TimestampUnwrapper audioTime = new TimestampUnwrapper();
  /** The players' timeline: each publisher's timestamps are shifted to continue it. */
  private long playOffset;
  private long lastPlayTimestamp;
  private boolean rebasePending = true;
  private long rebaseGapMs;
  private long lastPublisherActivityMs;
  private MediaFrame metadata;
  private MediaFrame videoSequenceHeader;
  private MediaFrame audioSequenceHeader;
  private long graceTimer = -1;
  private long framesIn;
  private long bytesIn;
  private long publishedAtMs;
  /** The current publisher's input, for operators: media bytes, and video frames (not headers). */
  private final RateMeter inputBytes = new RateMeter();
  private final RateMeter inputVideoFrames = new RateMeter();

  LiveStream(String name, StreamHub hub, Vertx vertx, StreamSettings settings, LongSupplier clock) {
    this.name = name;
    this.hub = hub;
    this.vertx = vertx;
    this.settings = settings;
    this.clock = clock;
    this.gopCache = new GopCache(settings.gopCacheMaxDurationMs(), settings.gopCacheMaxBytes());
  }

  public String name() {
    return name;
  }

  public long epoch() {
    return epoch;
  }

  public boolean isLive() {
    return publisher != null;
  }

  /** Players of this stream, including those a {@link LoopFeed} serves on other event loops. */
  public int playerCount() {
    int players = 0;
    for (StreamListener listener : listeners) {
      players += listener.players();
    }
    return players;
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

  /** The codec of the latest video sequence header ("avc1", "hvc1", ...), or null. */
  public String videoCodec() {
    return videoSequenceHeader == null ? null : VideoTag.codec(videoSequenceHeader.payload());
  }

  /** The codec of the latest audio sequence header ("mp4a", ...), or null. */
  public String audioCodec() {
    return audioSequenceHeader == null ? null : AudioTag.codec(audioSequenceHeader.payload());
  }

  /**
   * Attaches a publisher. A live name is refused while its publisher is active; one that has sent
   * nothing for the takeover time is evicted, so an encoder that reconnects after a network drop
   * is not locked out by its own dead session.
   */
  public AttachResult attachPublisher(PublisherHandle candidate) {
    AttachResult result = AttachResult.ATTACHED;
    if (publisher != null && publisher != candidate) {
      long quietMs = clock.getAsLong() - lastPublisherActivityMs;
      if (quietMs < settings.publisherTakeoverMs()) {
        return AttachResult.BUSY;
      }
      PublisherHandle old = publisher;
      publisher = null;
      log.info("stream {}: {} takes over from {}, quiet for {} ms", name, candidate.describe(),
          old.describe(), quietMs);
      old.evict("another publisher took over stream " + name + " after " + quietMs + " ms without data");
      result = AttachResult.TOOK_OVER;
    }
    cancelGrace();
    publisher = candidate;
    epoch++;
    sequence = 0;
    rebasePending = true;
    videoTime.reset();
    audioTime.reset();
    lastPublisherActivityMs = clock.getAsLong();
    publishedAtMs = lastPublisherActivityMs;
    inputBytes.reset();
    inputVideoFrames.reset();
    // A new publisher sends its own metadata and headers first; the old ones may not fit it.
    forgetJoinState();
    for (StreamListener listener : listeners) {
      listener.onPublisherStarted(epoch);
    }
    if (observer != null) {
      observer.onPublisherAttached(epoch);
    }
    return result;
  }

  /** Called by the attached publisher when it stops (unpublish, deleteStream, disconnect). */
  public void detachPublisher(PublisherHandle leaving) {
    if (publisher != leaving) {
      return;
    }
    publisher = null;
    gopCache.reset();
    if (observer != null) {
      observer.onPublisherDetached();
    }
    for (StreamListener listener : listeners) {
      listener.onPublisherGone();
    }
    if (listeners.isEmpty()) {
      remove();
      return;
    }
    if (!hub.holdsCopies()) {
      startGrace();
    }
  }

  /** A frame from the attached publisher. */
  public void publish(PublisherHandle from, MediaFrame frame) {
    if (publisher != from) {
      return;
    }
    if (hub.holdsCopies()) {
      // A copy's frames keep their place in the home stream, and with it their chunks; the
      // publisher's input is counted once, at home.
      sequence = frame.sequence();
    } else {
      countInput(frame);
      frame = frame.inStream(++sequence, playTimestampOf(frame));
    }
    try {
      if (frame.isMetadata()) {
        metadata = hold(frame, metadata);
      } else if (frame.isSequenceHeader()) {
        if (frame.isVideo()) {
          videoSequenceHeader = hold(frame, videoSequenceHeader);
        } else if (frame.isAudio()) {
          audioSequenceHeader = hold(frame, audioSequenceHeader);
        }
      } else {
        gopCache.add(frame);
      }
      for (StreamListener listener : listeners) {
        listener.onFrame(frame);
      }
      if (observer != null) {
        observer.onFrame(frame);
      }
    } finally {
      if (!hub.holdsCopies()) {
        frame.release(); // the home stream made it (inStream); what keeps it has its own hold
      }
    }
  }

  /** Keeps {@code frame} in place of {@code previous}, holding the one and letting go of the other. */
  private static MediaFrame hold(MediaFrame frame, MediaFrame previous) {
    frame.retain();
    if (previous != null) {
      previous.release();
    }
    return frame;
  }

  /** Lets go of what a late joiner would get: metadata, sequence headers, the GOP. */
  private void forgetJoinState() {
    for (MediaFrame kept : new MediaFrame[] {metadata, videoSequenceHeader, audioSequenceHeader}) {
      if (kept != null) {
        kept.release();
      }
    }
    metadata = null;
    videoSequenceHeader = null;
    audioSequenceHeader = null;
    gopCache.reset();
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
  private long playTimestampOf(MediaFrame frame) {
    boolean media = (frame.isAudio() || frame.isVideo()) && !frame.isSequenceHeader();
    if (!media) {
      return lastPlayTimestamp;
    }
    long publisherMs = (frame.isVideo() ? videoTime : audioTime).unwrap(frame.timestamp());
    if (rebasePending) {
      playOffset = lastPlayTimestamp + rebaseGapMs - publisherMs;
      rebasePending = false;
      rebaseGapMs = REBASE_GAP_MS;
    }
    long play = Math.max(lastPlayTimestamp, publisherMs + playOffset);
    lastPlayTimestamp = play;
    return play;
  }

  /** Any sign of life from the publisher that is not a frame (acknowledgements, pings). */
  public void touch(PublisherHandle from) {
    if (publisher == from) {
      lastPublisherActivityMs = clock.getAsLong();
    }
  }

  /**
   * Adds a player. When the stream is live the player first gets metadata, the latest sequence
   * headers and the cached GOP, so that it starts decoding on a keyframe at once.
   */
  public void addListener(StreamListener listener) {
    listeners.add(listener);
    if (publisher == null) {
      return;
    }
    listener.onPublisherStarted(epoch);
    for (MediaFrame frame : primingFrames()) {
      listener.onFrame(frame);
    }
    if (audienceWatcher != null) {
      audienceWatcher.onAudienceChanged(listeners.size());
    }
  }

  /**
   * The log of this stream for players on message stream {@code messageStreamId} with that chunk
   * size, started (and primed with metadata, sequence headers and the GOP) if this is its first
   * player. All of a log's players are on this event loop, whose {@code drains} drain it.
   */
  public StreamLog log(int messageStreamId, int chunkSize, StreamLog.Drains drains) {
    for (StreamLog existing : logs) {
      if (existing.messageStreamId() == messageStreamId && existing.chunkSize() == chunkSize) {
        return existing;
      }
    }
    StreamLog created = new StreamLog(this, messageStreamId, chunkSize, settings, drains);
    logs.add(created);
    addListener(created);
    return created;
  }

  /** A log whose last player left. */
  void removeLog(StreamLog gone) {
    if (logs.remove(gone)) {
      removeListener(gone);
    }
  }

  /** What a player joining now gets first: metadata, the latest sequence headers, the cached GOP. */
  public List<MediaFrame> primingFrames() {
    List<MediaFrame> frames = new ArrayList<>(gopCache.size() + 3);
    if (metadata != null) {
      frames.add(metadata);
    }
    if (videoSequenceHeader != null) {
      frames.add(videoSequenceHeader);
    }
    if (audioSequenceHeader != null) {
      frames.add(audioSequenceHeader);
    }
    frames.addAll(gopCache.frames());
    return frames;
  }

  /** The sequence number of the latest frame of the current epoch (0 before the first). */
  public long sequence() {
    return sequence;
  }

  public void removeListener(StreamListener listener) {
    if (!listeners.remove(listener)) {
      return;
    }
    if (listeners.isEmpty() && publisher == null) {
      cancelGrace();
      remove();
      return;
    }
    if (audienceWatcher != null) {
      audienceWatcher.onAudienceChanged(listeners.size());
    }
  }

  /** Sees every attach, numbered frame and detach of this stream's publishers (the origin's relay). */
  public void observePublishing(PublishObserver publishObserver) {
    this.observer = publishObserver;
  }

  /** Is told when the number of players changes and when the stream is gone (the edge's puller). */
  public void watchAudience(AudienceWatcher watcher) {
    this.audienceWatcher = watcher;
  }

  public PublishObserver publishObserver() {
    return observer;
  }

  public AudienceWatcher audienceWatcher() {
    return audienceWatcher;
  }

  /** Takes the stream off the hub; its watcher is told, its timers stopped. */
  public void remove() {
    cancelGrace();
    hub.remove(this);
    forgetJoinState();
    if (audienceWatcher != null) {
      AudienceWatcher watcher = audienceWatcher;
      audienceWatcher = null;
      watcher.onRemoved();
    }
    if (observer != null) {
      PublishObserver gone = observer;
      observer = null;
      gone.onRemoved();
    }
  }

  private void startGrace() {
    cancelGrace();
    graceTimer = vertx.setTimer(Math.max(1, settings.playerGraceMs()), id -> {
      graceTimer = -1;
      if (publisher != null) {
        return;
      }
      log.info("stream {}: no publisher for {} ms, ending it for {} players", name,
          settings.playerGraceMs(), playerCount());
      end();
    });
  }

  /** The stream is over: it leaves the hub, and its players are told. */
  public void end() {
    List<StreamListener> ending = List.copyOf(listeners);
    listeners.clear();
    logs.clear();
    remove();
    for (StreamListener listener : ending) {
      listener.onStreamEnded();
    }
  }

  private void cancelGrace() {
    if (graceTimer >= 0) {
      vertx.cancelTimer(graceTimer);
      graceTimer = -1;
    }
  }
}
