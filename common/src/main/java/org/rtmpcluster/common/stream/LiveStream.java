package org.rtmpcluster.common.stream;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.rtmpcluster.common.config.StreamSettings;

/**
 * One named live stream on one event loop, as its players see it: a publisher (or nothing), the
 * frames it sends, the {@link JoinState} a late joiner starts from, and the players, directly or
 * through the loop's {@link StreamLog}s. Every method must be called on the stream's loop.
 *
 * <p>There are two kinds. A {@link HomeStream} is the stream where it enters the node, published
 * by an encoder or pulled from an origin: it gives each frame its place on the players' timeline
 * and decides when the stream ends. A {@link StreamCopy} is that stream on another event loop, fed
 * the home's frames, already placed, by a {@link LoopFeed}; its home says when it ends.
 */
public abstract class LiveStream {
  private final String name;
  private final StreamHub<?> hub;
  protected final StreamSettings settings;
  private final JoinState join;
  /** Copy on write: a listener may leave while a frame is being handed out (a slow player is cut). */
  private final List<StreamListener> listeners = new CopyOnWriteArrayList<>();
  /** This loop's logs of the stream, one per layout players need (message stream, chunk size). */
  private final List<StreamLog> logs = new ArrayList<>(1);

  private PublisherHandle publisher;
  private AudienceWatcher audienceWatcher;
  private long epoch;
  private long sequence;

  protected LiveStream(String name, StreamHub<?> hub, StreamSettings settings) {
    this.name = name;
    this.hub = hub;
    this.settings = settings;
    this.join = new JoinState(settings);
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

  protected PublisherHandle publisher() {
    return publisher;
  }

  /** Players of this stream, including those a {@link LoopFeed} serves on other event loops. */
  public int playerCount() {
    int players = 0;
    for (StreamListener listener : listeners) {
      players += listener.players();
    }
    return players;
  }

  protected boolean hasListeners() {
    return !listeners.isEmpty();
  }

  /** The codec of the latest video sequence header ("avc1", "hvc1", ...), or null. */
  public String videoCodec() {
    return join.videoCodec();
  }

  /** The codec of the latest audio sequence header ("mp4a", ...), or null. */
  public String audioCodec() {
    return join.audioCodec();
  }

  /** The sequence number of the latest frame of the current epoch (0 before the first). */
  public long sequence() {
    return sequence;
  }

  /** The publisher is evicted: what it does on its way out no longer reaches the stream. */
  protected final void forgetPublisher() {
    publisher = null;
  }

  /** A publisher starts epoch {@code newEpoch}: the old join state goes, and players are told. */
  protected final void begin(PublisherHandle candidate, long newEpoch) {
    publisher = candidate;
    epoch = newEpoch;
    sequence = 0;
    join.forget();
    for (StreamListener listener : listeners) {
      listener.onPublisherStarted(epoch);
    }
  }

  /** A frame from the attached publisher, given its place in the stream and handed to every player. */
  public final void publish(PublisherHandle from, MediaFrame frame) {
    if (publisher != from) {
      return;
    }
    MediaFrame placed = place(frame);
    sequence = placed.sequence();
    join.keep(placed);
    for (StreamListener listener : listeners) {
      listener.onFrame(placed);
    }
    published(placed);
  }

  /** The frame at its place in this stream: its sequence number and its time on the players' timeline. */
  protected abstract MediaFrame place(MediaFrame frame);

  /** After every player was handed {@code frame}. */
  protected void published(MediaFrame frame) {
  }

  /** Called by the attached publisher when it stops (unpublish, deleteStream, disconnect, its home's). */
  public final void detachPublisher(PublisherHandle leaving) {
    if (publisher != leaving) {
      return;
    }
    publisher = null;
    join.forgetGop();
    publisherLeft();
    for (StreamListener listener : listeners) {
      listener.onPublisherGone();
    }
    if (listeners.isEmpty()) {
      remove();
      return;
    }
    awaitNextPublisher();
  }

  /** The publisher left, before players are told. */
  protected void publisherLeft() {
  }

  /** The publisher left and players stay: how long they may wait is the kind's own business. */
  protected abstract void awaitNextPublisher();

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
    for (MediaFrame frame : join.frames()) {
      listener.onFrame(frame);
    }
    if (audienceWatcher != null) {
      audienceWatcher.onAudienceChanged(listeners.size());
    }
  }

  public void removeListener(StreamListener listener) {
    if (!listeners.remove(listener)) {
      return;
    }
    if (listeners.isEmpty() && publisher == null) {
      remove();
      return;
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
    return join.frames();
  }

  /** Is told when the number of players changes and when the stream is gone. */
  public void watchAudience(AudienceWatcher watcher) {
    this.audienceWatcher = watcher;
  }

  public AudienceWatcher audienceWatcher() {
    return audienceWatcher;
  }

  /** The hub the stream is in. */
  protected StreamHub<?> hub() {
    return hub;
  }

  /** Takes the stream off the hub; its watcher is told. */
  public final void remove() {
    leavingHub();
    hub.remove(this);
    join.forget();
    if (audienceWatcher != null) {
      AudienceWatcher watcher = audienceWatcher;
      audienceWatcher = null;
      watcher.onRemoved();
    }
    removed();
  }

  /** Before the stream leaves its hub. */
  protected void leavingHub() {
  }

  /** After the stream left its hub and its audience watcher was told. */
  protected void removed() {
  }

  /** The stream is over: it leaves the hub, and its players are told. */
  public final void end() {
    List<StreamListener> ending = List.copyOf(listeners);
    listeners.clear();
    logs.clear();
    remove();
    for (StreamListener listener : ending) {
      listener.onStreamEnded();
    }
  }
}
