package org.rtmpcluster.common.stream;

import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.rtmpcluster.common.config.StreamSettings;
import org.rtmpcluster.common.rtmp.chunk.ChunkEncoder;
import org.rtmpcluster.common.rtmp.chunk.RtmpMessage;

/**
 * One played stream on one event loop, as the bytes its players get: every frame chunked once, on
 * one message stream, appended to an off-heap log; each player is a position in it. A write
 * window then costs a player one write of the contiguous bytes from its position to the end (two
 * where the log crosses a block) and one flush, however many frames arrived meanwhile: no
 * per-frame work per player (docs/architecture.md, the fan-out engine).
 *
 * <p>Every message in the log is chunked on its own, beginning with a type-0 header at its play
 * timestamp ({@link ChunkEncoder#encodeStandalone}), so a player may start at any message: it starts at the latest
 * keyframe, after a prefix of its own (the metadata and sequence headers current there), which is
 * the GOP cache as a region of the log. A player that falls behind moves its position, which is
 * the slow-player policy as offset arithmetic ({@link LogReader}).
 *
 * <p>What is kept is bounded by the GOP cache's settings ({@code streams.gop-cache-max-duration-ms}
 * and {@code -max-bytes}): the log from the latest keyframe, or nothing until the next one when a
 * GOP outgrows them; for a stream without video, the latest audio within them. Blocks come from the
 * frames' pool ({@link WireBuffers}); a socket still writing a released block keeps it alive.
 *
 * <p>Stream-wide decisions are taken once here, not per player: after a new publisher, video
 * resumes on its first keyframe (and audio with it); metadata and sequence headers that did not
 * change across publishers are not written again. Event loop only.
 */
public final class StreamLog implements StreamListener {
  /** Large enough that a window's bytes are nearly always in one block; small enough to pool. */
  static final int BLOCK_BYTES = 256 * 1024;

  /** Drains the log's readers once per write window: the event loop's connection registry. */
  public interface Drains {
    /** Calls {@link StreamLog#drain} within the loop's write window. */
    void drainSoon(StreamLog log);
  }

  /** What an entry is, for the readers' filters and the join point. */
  enum Kind { AUDIO, VIDEO, KEYFRAME, HEADER }

  /** The metadata and sequence headers current at a point of the log; null where none. */
  record Headers(MediaFrame metadata, MediaFrame video, MediaFrame audio) {
    static final Headers NONE = new Headers(null, null, null);
  }

  /** One message in the log: its bytes are {@code [offset, offset + length)}. */
  record Entry(long number, long offset, int length, Kind kind, long playTimestamp, Headers headers) {
    long end() {
      return offset + length;
    }
  }

  private static final class Block {
    final ByteBuf bytes;
    final long start;

    Block(ByteBuf bytes, long start) {
      this.bytes = bytes;
      this.start = start;
    }

    long end() {
      return start + bytes.writerIndex();
    }
  }

  private final LiveStream stream;
  private final int messageStreamId;
  private final int chunkSize;
  private final StreamSettings settings;
  private final Drains drains;
  private final ArrayDeque<Block> blocks = new ArrayDeque<>();
  /** Numbered without gaps from the first kept one, so that a number finds its entry at once. */
  private final ArrayList<Entry> entries = new ArrayList<>();
  private final List<LogReader> readers = new ArrayList<>();
  /** Where a player joining now starts; null while there is none (waiting for a keyframe). */
  private Entry joinPoint;
  private long head;
  private long nextNumber;
  private Headers headers = Headers.NONE;
  private boolean hasVideo;
  private boolean videoExpected;
  private boolean awaitingKeyframe = true;
  private boolean drainPending;
  private boolean closed;

  StreamLog(LiveStream stream, int messageStreamId, int chunkSize, StreamSettings settings, Drains drains) {
    this.stream = stream;
    this.messageStreamId = messageStreamId;
    this.chunkSize = chunkSize;
    this.settings = settings;
    this.drains = drains;
  }

  int messageStreamId() {
    return messageStreamId;
  }

  int chunkSize() {
    return chunkSize;
  }

  public String streamName() {
    return stream.name();
  }

  // ---- the stream's side ----

  @Override
  public void onFrame(MediaFrame frame) {
    if (closed) {
      return;
    }
    Headers before = headers;
    Kind kind;
    if (frame.isMetadata() || frame.isSequenceHeader()) {
      if (frame.isSequenceHeader() && frame.isVideo()) {
        videoExpected = true;
      }
      if (!changesHeaders(frame)) {
        return;
      }
      headers = withHeader(headers, frame);
      kind = Kind.HEADER;
    } else if (frame.isVideo()) {
      videoExpected = true;
      hasVideo = true;
      if (awaitingKeyframe && !frame.isKeyframe()) {
        return;
      }
      awaitingKeyframe = false;
      kind = frame.isKeyframe() ? Kind.KEYFRAME : Kind.VIDEO;
    } else if (frame.isAudio()) {
      if (awaitingKeyframe && videoExpected) {
        return; // audio before the first keyframe would play over a frozen picture
      }
      kind = Kind.AUDIO;
    } else {
      kind = Kind.HEADER;
    }
    append(frame, kind, before);
  }

  /** Metadata and sequence headers go in only when they differ from the ones in force. */
  private boolean changesHeaders(MediaFrame frame) {
    MediaFrame current = frame.isMetadata() ? headers.metadata()
        : frame.isVideo() ? headers.video() : frame.isAudio() ? headers.audio() : null;
    return current == null || !current.payload().equals(frame.payload());
  }

  private static Headers withHeader(Headers in, MediaFrame frame) {
    if (frame.isMetadata()) {
      return new Headers(frame, in.video(), in.audio());
    }
    return frame.isVideo() ? new Headers(in.metadata(), frame, in.audio())
        : new Headers(in.metadata(), in.video(), frame);
  }

  private void append(MediaFrame frame, Kind kind, Headers before) {
    // Chunked here, once per loop, for this log's message stream: the frame itself keeps no
    // chunks, so a stream's direct memory is its logs' blocks and nothing beside them.
    RtmpMessage message = new RtmpMessage(frame.chunkStreamId(), frame.type(), frame.playTimestamp(),
        messageStreamId, frame.payload());
    Buffer chunks = Buffer.buffer(ChunkEncoder.sizeHint(message, chunkSize));
    ChunkEncoder.encodeStandalone(message, chunkSize, chunks);
    long offset = head;
    copy(chunks);
    // A joiner at this entry gets the headers in force before it: its own bytes carry any change.
    Entry entry = new Entry(nextNumber++, offset, (int) (head - offset), kind, frame.playTimestamp(), before);
    entries.add(entry);
    moveJoinPoint(entry);
    if (readers.isEmpty() || head - entries.get(0).offset() > maxKeptBytes()) {
      trim();
    }
    if (!drainPending && !readers.isEmpty()) {
      drainPending = true;
      drains.drainSoon(this);
    }
  }

  /**
   * The most the log keeps behind its head: a whole GOP, and as much again as a player may have
   * queued before it skips. A player further behind starts again at the latest keyframe.
   */
  private long maxKeptBytes() {
    return settings.gopCacheMaxBytes() + settings.playerQueueSoftLimitBytes();
  }

  private void copy(Buffer bytes) {
    ByteBuf source = ((BufferInternal) bytes).unwrap();
    int from = source.readerIndex();
    int left = source.readableBytes();
    while (left > 0) {
      Block last = blocks.peekLast();
      if (last == null || !last.bytes.isWritable()) {
        last = new Block(WireBuffers.block(BLOCK_BYTES), head);
        blocks.addLast(last);
      }
      int n = Math.min(left, last.bytes.writableBytes());
      last.bytes.writeBytes(source, from, n);
      from += n;
      left -= n;
      head += n;
    }
  }

  /**
   * The GOP cache's rule on the log: a keyframe is where joiners start; a GOP that outgrows the
   * bounds leaves them nowhere to start (they wait for the next keyframe); without video, they
   * start at the oldest audio within the bounds.
   */
  private void moveJoinPoint(Entry entry) {
    if (entry.kind() == Kind.KEYFRAME) {
      joinPoint = entry;
    } else if (hasVideo) {
      if (joinPoint != null && outgrown(joinPoint, entry)) {
        joinPoint = null;
      }
    } else if (entry.kind() == Kind.AUDIO) {
      if (joinPoint == null) {
        joinPoint = entry;
      }
      while (joinPoint != null && outgrown(joinPoint, entry)) {
        joinPoint = firstAudioAfter(joinPoint);
      }
    }
  }

  private boolean outgrown(Entry from, Entry newest) {
    return head - from.offset() > settings.gopCacheMaxBytes()
        || newest.playTimestamp() - from.playTimestamp() > settings.gopCacheMaxDurationMs();
  }

  /** The first entry from number {@code from} on where a player can start; null if none yet. */
  Entry firstJoinPointFrom(long from) {
    for (Entry e : entriesFrom(from)) {
      if (e.kind() == Kind.KEYFRAME || (!hasVideo && e.kind() == Kind.AUDIO)) {
        return e;
      }
    }
    return null;
  }

  private Entry firstAudioAfter(Entry from) {
    for (long n = from.number() + 1; n < nextNumber; n++) {
      Entry e = entry(n);
      if (e.kind() == Kind.AUDIO) {
        return e;
      }
    }
    return null;
  }

  /**
   * Forgets what no one needs: entries before the join point and before every reader that still
   * has bytes to take, but never more than {@link #maxKeptBytes} behind the head; and the blocks
   * only forgotten entries used.
   */
  private void trim() {
    long keep = joinPoint != null ? joinPoint.number() : nextNumber;
    for (LogReader reader : readers) {
      long position = reader.position();
      if (position >= firstNumber()) {
        keep = Math.min(keep, position);
      }
    }
    long oldestAllowed = head - maxKeptBytes();
    while (keep < nextNumber && entry(keep).offset() < oldestAllowed) {
      keep++;
    }
    int drop = (int) (keep - firstNumber());
    if (drop > 0) {
      entries.subList(0, Math.min(drop, entries.size())).clear();
    }
    if (joinPoint != null && joinPoint.number() < firstNumber()) {
      joinPoint = null;
    }
    long tail = entries.isEmpty() ? head : entries.get(0).offset();
    while (blocks.size() > 1 && blocks.peekFirst().end() <= tail) {
      WireBuffers.releaseBlock(blocks.removeFirst().bytes);
    }
  }

  /** The number of the oldest entry kept (the next one's when none is). */
  long firstNumber() {
    return entries.isEmpty() ? nextNumber : entries.get(0).number();
  }

  @Override
  public void onPublisherStarted(long epoch) {
    awaitingKeyframe = true;
    hasVideo = false;
    joinPoint = null; // the old publisher's GOP does not lead into the new one's frames
  }

  @Override
  public void onPublisherGone() {
    // Players wait through the grace period; pings keep their connections alive.
  }

  @Override
  public void onStreamEnded() {
    List<LogReader> ending = List.copyOf(readers);
    readers.clear();
    close();
    for (LogReader reader : ending) {
      reader.streamEnded();
    }
  }

  @Override
  public int players() {
    return readers.size();
  }

  // ---- the readers' side ----

  /** Adds a player; it gets its first bytes in the next write window. */
  void add(LogReader reader) {
    readers.add(reader);
    if (!drainPending && joinPoint != null) {
      drainPending = true;
      drains.drainSoon(this);
    }
  }

  /** A player leaves; with the last one the log leaves its stream. */
  void remove(LogReader reader) {
    if (readers.remove(reader) && readers.isEmpty()) {
      close();
      stream.removeLog(this);
    }
  }

  /** Gives every reader what it has not had yet: called by {@link Drains} once per window. */
  public void drain() {
    drainPending = false;
    boolean someoneWaits = false;
    for (int i = 0; i < readers.size(); i++) {
      LogReader reader = readers.get(i);
      someoneWaits |= reader.drain();
      if (i >= readers.size() || readers.get(i) != reader) {
        i--; // the reader was cut and left the list
      }
    }
    if (closed) {
      return;
    }
    trim();
    if (someoneWaits) {
      // Its socket may drain while no frame comes: look again in the next window.
      drainPending = true;
      drains.drainSoon(this);
    }
  }

  private void close() {
    if (closed) {
      return;
    }
    closed = true;
    entries.clear();
    joinPoint = null;
    for (Block block : blocks) {
      WireBuffers.releaseBlock(block.bytes);
    }
    blocks.clear();
  }

  Entry joinPoint() {
    return joinPoint;
  }

  long nextNumber() {
    return nextNumber;
  }

  long head() {
    return head;
  }

  Headers headers() {
    return headers;
  }

  /** The entry of that number if the log still has it, else null. */
  Entry entry(long number) {
    long first = firstNumber();
    if (number < first || number >= nextNumber) {
      return null;
    }
    return entries.get((int) (number - first));
  }

  /** The entries from number {@code from} on, in order (a view: read it before the log changes). */
  List<Entry> entriesFrom(long from) {
    int start = (int) Math.max(0, from - firstNumber());
    return entries.subList(Math.min(start, entries.size()), entries.size());
  }

  /** Bytes of the log from {@code from} to {@code to}, as slices of its blocks (one, or two across a block). */
  void slices(long from, long to, Consumer<Buffer> out) {
    for (Block block : blocks) {
      if (block.end() <= from) {
        continue;
      }
      if (block.start >= to) {
        break;
      }
      int start = (int) (Math.max(from, block.start) - block.start);
      int end = (int) (Math.min(to, block.end()) - block.start);
      out.accept(BufferInternal.buffer(block.bytes.slice(start, end - start)));
    }
  }
}
