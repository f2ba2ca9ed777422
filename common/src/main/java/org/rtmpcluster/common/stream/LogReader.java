package org.rtmpcluster.common.stream;

import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.rtmpcluster.common.config.StreamSettings;
import org.rtmpcluster.common.stream.StreamLog.Entry;
import org.rtmpcluster.common.stream.StreamLog.Headers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One player's position in a {@link StreamLog}, and the policy that moves it. Once per write
 * window the log asks each reader to {@link #drain}: a player that keeps up gets the log's bytes
 * from its position to the end in one write and is then at the end. The slow-player policy is
 * arithmetic on that position:
 * <ul>
 *   <li>more than the soft limit queued in the socket: nothing is written, the player waits;</li>
 *   <li>once it is under the soft limit again (a quarter of it while the node is over its memory
 *       budget), or when the log no longer holds its position, it jumps to the latest keyframe,
 *       after the metadata and sequence headers current there if they are not the ones it had;</li>
 *   <li>more than the hard limit queued: it is cut.</li>
 * </ul>
 * A player joins at the latest keyframe the same way; one that paused resumes there. A player that
 * turned audio or video off (receiveAudio, receiveVideo) gets the log's bytes message by message,
 * without those; the rare case pays per message, the common one per window. Event loop only.
 */
public final class LogReader {
  private static final Logger log = LoggerFactory.getLogger(LogReader.class);
  /** Not placed in the log: it starts at the next join point. */
  private static final long UNPLACED = -1;

  /** The player's connection, as far as the log is concerned. */
  public interface Player {
    /** Writes bytes of the log as they are (a slice of a block shared by all the loop's players). */
    void writeShared(Buffer logBytes);

    /** Writes a header of this player's own (metadata or a sequence header) at {@code timestamp}. */
    void writeOwn(MediaFrame header, long timestamp);

    /** Bytes handed to the socket and not yet written out. */
    long queuedBytes();

    /** The player is too slow to keep: disconnect it. */
    void tooSlow(long queuedBytes);

    /** Messages the player did not get because it was too slow. */
    void skipped(long messages);

    /** The stream is over. */
    void streamEnded();

    /** For log lines. */
    String remote();
  }

  private final StreamLog streamLog;
  private final Player player;
  private final StreamSettings settings;
  private final BooleanSupplier nodeOverBudget;
  /** The player's write, made once: a drain per window per player is the hot path. */
  private final Consumer<Buffer> write;
  private long position = UNPLACED;
  /** Until placed: the entry from which it starts at the first join point (the latest one when it came). */
  private long startFrom;
  private Headers seen = Headers.NONE;
  private boolean waiting;
  /** The log's head when the player began to wait: how far the stream went on without it. */
  private long waitingSinceHead;
  /** After waiting or a pause: go on from the latest keyframe if it is ahead. */
  private boolean resumeAtKeyframe;
  private boolean paused;
  private boolean audio = true;
  private boolean video = true;
  private boolean awaitingKeyframe;
  private boolean closed;

  /** A reader of {@code streamLog} for {@code player}, placed at the next join point. */
  public LogReader(StreamLog streamLog, Player player, StreamSettings settings, BooleanSupplier nodeOverBudget) {
    this.streamLog = streamLog;
    this.player = player;
    this.settings = settings;
    this.nodeOverBudget = nodeOverBudget;
    this.write = player::writeShared;
    StreamLog.Entry join = streamLog.joinPoint();
    this.startFrom = join != null ? join.number() : streamLog.nextNumber();
    streamLog.add(this);
  }

  /** The number of the next entry this player needs; below the log's first when it fell behind. */
  long position() {
    return position == UNPLACED ? startFrom : position;
  }

  /** Called by the log once per write window; returns whether it waits for its socket. */
  boolean drain() {
    if (closed || paused) {
      return false;
    }
    long queued = player.queuedBytes();
    long behind = queued + (waiting ? streamLog.head() - waitingSinceHead : 0);
    if (behind > settings.playerQueueHardLimitBytes()) {
      close();
      player.tooSlow(behind);
      return false;
    }
    long softLimit = nodeOverBudget.getAsBoolean() ? settings.playerQueueSoftLimitBytes() / 4
        : settings.playerQueueSoftLimitBytes();
    if (queued > softLimit) {
      if (!waiting) {
        log.info("{} is slow ({} bytes queued): it waits, then goes on from the latest keyframe of {}",
            player.remote(), queued, streamLog.streamName());
        waiting = true;
        waitingSinceHead = streamLog.head();
        resumeAtKeyframe = true;
      }
      return true;
    }
    waiting = false;
    if (position == UNPLACED) {
      return place() && write();
    }
    boolean lost = position < streamLog.firstNumber();
    if ((resumeAtKeyframe || lost) && !jumpToJoinPoint(lost)) {
      return false;
    }
    resumeAtKeyframe = false;
    return write();
  }

  /** A player that just came starts at the first join point from where it came in. */
  private boolean place() {
    StreamLog.Entry start = streamLog.firstJoinPointFrom(startFrom);
    if (start == null) {
      if (startFrom >= streamLog.firstNumber()) {
        return false; // nothing to start on yet
      }
      start = streamLog.joinPoint(); // what it would have started on is gone
      if (start == null) {
        startFrom = streamLog.nextNumber();
        return false;
      }
    }
    writeHeaders(start, true);
    position = start.number();
    return true;
  }

  /** Writes what the log holds from the player's position; always false (it did not have to wait). */
  private boolean write() {
    if (position >= streamLog.nextNumber()) {
      return false;
    }
    if (audio && video && !awaitingKeyframe) {
      streamLog.slices(streamLog.entry(position).offset(), streamLog.head(), write);
    } else {
      writeFiltered();
    }
    position = streamLog.nextNumber();
    seen = streamLog.headers();
    return false;
  }

  /**
   * Places the player at the latest keyframe if that is ahead of it (or if it has no place it can
   * go on from). Returns false when there is nowhere to start yet.
   */
  private boolean jumpToJoinPoint(boolean lost) {
    Entry join = streamLog.joinPoint();
    if (join == null || (!lost && join.number() <= position)) {
      if (lost) {
        position = UNPLACED; // nowhere to go on from: it starts again at the next join point
        startFrom = streamLog.nextNumber();
      }
      return !lost;
    }
    player.skipped(join.number() - position);
    writeHeaders(join, false);
    position = join.number();
    awaitingKeyframe = false;
    return true;
  }

  /**
   * The headers in force at {@code join} that this player has not had. A player's first ones go at
   * their own place on the timeline (before the keyframe, often 0): ffmpeg's FLV reader takes an
   * onMetaData stamped anything but 0 at the start for a data stream of its own. Later ones, on a
   * jump, go at the keyframe's time, which is after anything the player has had.
   */
  private void writeHeaders(Entry join, boolean first) {
    Headers at = join.headers();
    if (at.metadata() != null && at.metadata() != seen.metadata()) {
      player.writeOwn(at.metadata(), first ? at.metadata().playTimestamp() : join.playTimestamp());
    }
    if (at.video() != null && at.video() != seen.video()) {
      player.writeOwn(at.video(), first ? at.video().playTimestamp() : join.playTimestamp());
    }
    if (at.audio() != null && at.audio() != seen.audio()) {
      player.writeOwn(at.audio(), first ? at.audio().playTimestamp() : join.playTimestamp());
    }
    seen = at;
  }

  /** Message by message: runs of messages the player takes are written as one slice. */
  private void writeFiltered() {
    List<Entry> entries = streamLog.entriesFrom(position);
    long runStart = -1;
    long runEnd = -1;
    for (Entry entry : entries) {
      if (admits(entry)) {
        if (runStart < 0) {
          runStart = entry.offset();
        }
        runEnd = entry.end();
      } else if (runStart >= 0) {
        streamLog.slices(runStart, runEnd, write);
        runStart = -1;
      }
    }
    if (runStart >= 0) {
      streamLog.slices(runStart, runEnd, write);
    }
  }

  private boolean admits(Entry entry) {
    switch (entry.kind()) {
      case HEADER:
        return true;
      case AUDIO:
        // Audio before video's keyframe would play over a frozen picture; start both together.
        return audio && !(awaitingKeyframe && video);
      case KEYFRAME:
        if (video) {
          awaitingKeyframe = false;
        }
        return video;
      default:
        return video && !awaitingKeyframe;
    }
  }

  /** Pausing holds the player's place; resuming goes on from the latest keyframe. */
  public void pause(boolean pause) {
    if (pause == paused) {
      return;
    }
    paused = pause;
    if (!pause) {
      resumeAtKeyframe = true;
    }
  }

  public void receiveAudio(boolean enabled) {
    audio = enabled;
  }

  /** Video that is turned back on starts at a keyframe. */
  public void receiveVideo(boolean enabled) {
    if (enabled && !video) {
      awaitingKeyframe = true;
    }
    video = enabled;
  }

  void streamEnded() {
    closed = true;
    player.streamEnded();
  }

  /** The player leaves the log. */
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    streamLog.remove(this);
  }

  @Override
  public String toString() {
    return "LogReader[" + player.remote() + " at " + position + " of " + streamLog.streamName() + "]";
  }
}
