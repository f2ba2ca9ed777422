package org.rtmpcluster.common.stream;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries a stream from the node's home event loop, where it is published or pulled, to a copy of
 * it on another event loop, where that loop's players read it. Each frame hops once per loop, not
 * once per player; the copy hands out the very same frame objects, so frames keep their place on
 * the stream's timeline.
 *
 * <p>On the home loop the feed is one listener of the home stream; on its own loop it is the
 * copy's publisher and audience watcher. It lives as long as the copy has players: when the last
 * one leaves, the copy leaves its loop's hub and the feed leaves the home stream.
 *
 * <p>A loop that falls behind (the machine is overloaded) is treated like a slow player: once the
 * bytes handed to it and not yet taken pass the limit, its video is skipped up to a keyframe that
 * finds it caught up. Audio, headers and metadata still go, so nothing queues without bound.
 */
public final class LoopFeed implements StreamListener, PublisherHandle, AudienceWatcher {
  private static final Logger log = LoggerFactory.getLogger(LoopFeed.class);

  /** The home loop's side of the node. */
  public interface Home {
    /** The loop the home streams live on. */
    Context context();

    /**
     * The home stream of that name, created (and fed, on a cluster edge) if needed; null when
     * the node holds its maximum of streams. Called on the home loop.
     */
    HomeStream open(String name);
  }

  private final StreamCopy copy;
  private final Context loop;
  private final Context homeContext;
  private final long behindLimitBytes;
  /** Frame bytes handed to the loop and not yet published on the copy. */
  private final AtomicLong inFlightBytes = new AtomicLong();
  /** Touched on the home loop only. */
  private HomeStream home;
  private boolean skippingVideo;
  private long videoFramesSkipped;
  /** Touched on the copy's loop only. */
  private boolean closed;

  private LoopFeed(StreamCopy copy, Context loop, Context homeContext, long behindLimitBytes) {
    this.copy = copy;
    this.loop = loop;
    this.homeContext = homeContext;
    this.behindLimitBytes = behindLimitBytes;
  }

  /**
   * Feeds {@code copy}, a stream of the current loop's {@link StreamHub#copies copies hub}, from
   * its home stream, unless it is fed already. Called on the copy's loop.
   *
   * @param behindLimitBytes how far the loop may fall behind before its video is skipped
   */
  public static void connect(StreamCopy copy, Home home, long behindLimitBytes) {
    if (copy.audienceWatcher() != null) {
      return;
    }
    LoopFeed feed = new LoopFeed(copy, Vertx.currentContext(), home.context(), behindLimitBytes);
    copy.watchAudience(feed);
    // Tasks from one thread to one context run in order: this runs before any leave().
    feed.homeContext.runOnContext(v -> feed.join(home));
  }

  private void join(Home side) {
    HomeStream stream = side.open(copy.name());
    if (stream == null) {
      onLoop(copy::end);
      return;
    }
    home = stream;
    stream.addListener(this);
  }

  private void leave() {
    if (home != null) {
      home.removeListener(this);
      home = null;
    }
  }

  private void onLoop(Runnable action) {
    loop.runOnContext(v -> {
      if (!closed) {
        action.run();
      }
    });
  }

  // ---- on the home loop: the home stream's events, carried over ----

  @Override
  public void onFrame(MediaFrame frame) {
    if (frame.isVideo() && !frame.isSequenceHeader() && !admitVideo(frame)) {
      return;
    }
    int size = frame.size();
    inFlightBytes.addAndGet(size);
    loop.runOnContext(v -> {
      inFlightBytes.addAndGet(-size);
      if (!closed) {
        copy.publish(this, frame);
      }
    });
  }

  private boolean admitVideo(MediaFrame frame) {
    long behind = inFlightBytes.get();
    if (skippingVideo) {
      if (frame.isKeyframe() && behind <= behindLimitBytes / 2) {
        skippingVideo = false;
        log.info("stream {}: an event loop caught up after {} video frames skipped", copy.name(), videoFramesSkipped);
        return true;
      }
      videoFramesSkipped++;
      return false;
    }
    if (behind > behindLimitBytes) {
      skippingVideo = true;
      videoFramesSkipped = 1;
      log.warn("stream {}: an event loop is {} bytes behind; skipping its video to the next keyframe",
          copy.name(), behind);
      return false;
    }
    return true;
  }

  @Override
  public void onPublisherStarted(long epoch) {
    onLoop(() -> copy.attachPublisher(this, epoch));
  }

  @Override
  public void onPublisherGone() {
    onLoop(() -> copy.detachPublisher(this));
  }

  @Override
  public void onStreamEnded() {
    onLoop(copy::end);
  }

  /** Read on the home loop for operators; the copy's listener list is safe to read from any thread. */
  @Override
  public int players() {
    return copy.playerCount();
  }

  // ---- on the copy's loop ----

  @Override
  public void onAudienceChanged(int players) {
    if (players == 0) {
      copy.remove();
    }
  }

  @Override
  public void onRemoved() {
    closed = true;
    homeContext.runOnContext(v -> leave());
  }

  @Override
  public void evict(String reason) {
    // A copy has no other publisher that could take it over.
  }

  @Override
  public String describe() {
    return "the node's home event loop";
  }
}
