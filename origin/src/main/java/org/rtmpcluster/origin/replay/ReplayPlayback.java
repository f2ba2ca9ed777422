package org.rtmpcluster.origin.replay;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.rtmpcluster.common.amf.Amf0Writer;
import org.rtmpcluster.common.media.AudioTag;
import org.rtmpcluster.common.media.FlvReader;
import org.rtmpcluster.common.media.VideoTag;
import org.rtmpcluster.common.rtmp.chunk.RtmpMessage;
import org.rtmpcluster.common.rtmp.message.ChunkStreams;
import org.rtmpcluster.common.rtmp.message.MessageType;
import org.rtmpcluster.common.rtmp.message.UserControl;
import org.rtmpcluster.common.rtmp.session.PlayerOutput;
import org.rtmpcluster.common.rtmp.session.Playback;
import org.rtmpcluster.common.rtmp.session.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One player's replay of a recording, on the player's event loop. The file is read in pieces off
 * the loop, a piece at a time and only while fewer than {@code readAheadBytes} are held; its tags
 * go out at real time plus the lead ({@link ReplayClock}), and wait while the player's connection
 * holds more than its queue limit, so a slow player slows its own replay and nothing else.
 *
 * <p>At the end of the file the player hears StreamEOF, onPlayStatus NetStream.Play.Complete and
 * NetStream.Play.Stop (as FMS and nginx-rtmp send them); the connection stays, and a seek plays on.
 */
final class ReplayPlayback implements Playback {
  private static final Logger log = LoggerFactory.getLogger(ReplayPlayback.class);
  private static final int READ_BYTES = 64 << 10;
  /** How long a replay waits before it looks again at a player whose queue is over its limit. */
  private static final long BACKOFF_MS = 20;

  private enum State {
    /** Finding where to start (the play's start time, or a seek's). */
    STARTING,
    /** Sending tags as they come due. */
    PLAYING,
    /** Sent every tag: waits for a seek, or for the player to go. */
    ENDED,
    CLOSED
  }

  private final Vertx vertx;
  private final RecordedFile file;
  private final String name;
  private final PlayerOutput output;
  private final ReplayClock clock;
  private final int maxTagBytes;
  private final int readAheadBytes;
  private final long queueLimitBytes;
  private final long startMs;
  private final ReplayCounters counters;
  private boolean counted;
  private State state = State.STARTING;
  private boolean paused;
  private boolean audio = true;
  private boolean video = true;
  /**
   * Counts starts, seeks and ends: what completes for an earlier one is dropped. Volatile: a seek's
   * scan on a worker thread reads it to give up once it is not wanted.
   */
  private volatile long generation;
  /** A start point being looked for; while it is, a newer seek waits in {@code pendingSeekMs}. */
  private boolean scanning;
  private long pendingSeekMs = -1;
  private FlvReader reader;
  private long readPosition;
  private boolean reading;
  private boolean endOfFile;
  /** The last video sequence header of the file so far, sent again when video is turned back on. */
  private FlvReader.Tag videoHeader;
  private FlvReader.Tag audioHeader;
  /** Video was turned back on: it goes on from the next keyframe. */
  private boolean videoWaitsForKeyframe;
  /** The tag polled and not yet due. */
  private FlvReader.Tag due;
  private long timer = -1;
  private long lastTimestamp;
  private long bytesSent;

  ReplayPlayback(Vertx vertx, RecordedFile file, String name, PlayerOutput output, ReplayClock clock,
      int maxTagBytes, int readAheadBytes, long queueLimitBytes, long startMs, ReplayCounters counters) {
    this.counters = counters;
    this.vertx = vertx;
    this.file = file;
    this.name = name;
    this.output = output;
    this.clock = clock;
    this.maxTagBytes = maxTagBytes;
    this.readAheadBytes = readAheadBytes;
    this.queueLimitBytes = queueLimitBytes;
    this.startMs = startMs;
  }

  @Override
  public void start() {
    counted = true;
    counters.replayStarted();
    output.send(UserControl.streamIsRecorded(output.messageStreamId()));
    startAt(startMs, false);
  }

  /**
   * Replays from the keyframe at or before {@code fromMs} (0: from the start of the file). One
   * scan of a file at a time per player: a seek that comes while one runs waits, and only the
   * latest of those is done, so a client that floods seeks costs the worker pool one scan.
   */
  private void startAt(long fromMs, boolean seek) {
    long started = ++generation;
    state = State.STARTING;
    cancelTimer();
    due = null;
    reading = false;
    endOfFile = false;
    if (fromMs > 0 && scanning) {
      pendingSeekMs = fromMs;
      return;
    }
    Future<RecordedFile.StartPoint> found = Future.succeededFuture(RecordedFile.StartPoint.BEGINNING);
    if (fromMs > 0) {
      scanning = true;
      found = file.startFor(fromMs, maxTagBytes, () -> generation != started).andThen(done -> {
        scanning = false;
        if (pendingSeekMs >= 0 && state != State.CLOSED) {
          long next = pendingSeekMs;
          pendingSeekMs = -1;
          startAt(next, true);
        }
      });
    }
    found.compose(point -> file.tagsAt(point.headerPositions(), maxTagBytes).map(headers -> {
      if (generation == started && state != State.CLOSED) {
        begin(point, headers, seek, fromMs);
      }
      return null;
    })).onFailure(error -> {
      if (generation == started && state != State.CLOSED) {
        fail("cannot read " + name + ": " + error.getMessage());
      }
    });
  }

  private void begin(RecordedFile.StartPoint point, List<FlvReader.Tag> headers, boolean seek, long fromMs) {
    int msid = output.messageStreamId();
    if (seek) {
      output.sendStatus(Status.LEVEL_STATUS, Status.SEEK_NOTIFY, "Seeking " + fromMs + " (from " + point.timestamp()
          + ") in " + name + ".");
      output.send(UserControl.streamBegin(msid));
    }
    // A player that joins at a keyframe needs the metadata and the decoders' configuration first.
    for (FlvReader.Tag header : headers) {
      send(new FlvReader.Tag(header.type(), point.timestamp(), header.payload(), header.position()));
    }
    reader = point.beginning() ? FlvReader.fromStart(maxTagBytes) : FlvReader.atTag(point.position(), maxTagBytes);
    readPosition = point.position();
    clock.reanchor();
    state = State.PLAYING;
    pump();
  }

  /** Sends what is due, and arranges to be called again when more is (a timer, or a read). */
  private void pump() {
    while (state == State.PLAYING && !paused) {
      if (output.queuedBytes() > queueLimitBytes) {
        schedule(BACKOFF_MS);
        return;
      }
      if (due == null) {
        try {
          due = reader.poll();
        } catch (IllegalArgumentException e) {
          fail(name + " is damaged: " + e.getMessage());
          return;
        }
        if (due == null) {
          if (endOfFile) {
            finish();
          } else {
            readMore();
          }
          return;
        }
        if (reader.heldBytes() < readAheadBytes) {
          readMore();
        }
      }
      long wait = clock.waitMs(due.timestamp());
      if (wait > 0) {
        schedule(wait);
        return;
      }
      FlvReader.Tag tag = due;
      due = null;
      send(tag);
    }
  }

  private void readMore() {
    if (reading || endOfFile) {
      return;
    }
    reading = true;
    long started = generation;
    file.read(readPosition, READ_BYTES).onComplete(done -> {
      if (generation != started || state == State.CLOSED) {
        return;
      }
      reading = false;
      if (done.failed()) {
        fail("cannot read " + name + ": " + done.cause().getMessage());
        return;
      }
      Buffer bytes = done.result();
      counters.read(bytes.length());
      if (bytes.length() == 0) {
        endOfFile = true; // a partial tag left at the end (a crash) is not played
      } else {
        readPosition += bytes.length();
        reader.feed(bytes);
      }
      if (timer < 0) {
        pump();
      }
    });
  }

  private void send(FlvReader.Tag tag) {
    int type = tag.type();
    if (type == MessageType.VIDEO && VideoTag.isSequenceHeader(tag.payload())) {
      videoHeader = tag;
    } else if (type == MessageType.AUDIO && AudioTag.isSequenceHeader(tag.payload())) {
      audioHeader = tag;
    }
    if (type == MessageType.AUDIO && !audio || type == MessageType.VIDEO && !video) {
      return;
    }
    if (type == MessageType.VIDEO && videoWaitsForKeyframe) {
      if (!VideoTag.isKeyframe(tag.payload()) && !VideoTag.isSequenceHeader(tag.payload())) {
        return; // frames that need the ones not sent
      }
      videoWaitsForKeyframe = !VideoTag.isKeyframe(tag.payload());
    }
    int chunkStream = switch (type) {
      case MessageType.AUDIO -> ChunkStreams.AUDIO;
      case MessageType.VIDEO -> ChunkStreams.VIDEO;
      default -> ChunkStreams.DATA;
    };
    output.send(new RtmpMessage(chunkStream, type, tag.timestamp(), output.messageStreamId(), tag.payload()));
    lastTimestamp = tag.timestamp();
    bytesSent += tag.payload().length();
  }

  private void schedule(long delayMs) {
    cancelTimer();
    timer = vertx.setTimer(Math.max(1, delayMs), id -> {
      timer = -1;
      pump();
    });
  }

  private void cancelTimer() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }

  private void finish() {
    state = State.ENDED;
    generation++;
    int msid = output.messageStreamId();
    output.send(UserControl.streamEof(msid));
    Map<String, Object> complete = new LinkedHashMap<>();
    complete.put("level", Status.LEVEL_STATUS);
    complete.put("code", Status.PLAY_COMPLETE);
    complete.put("duration", lastTimestamp / 1000.0);
    complete.put("bytes", (double) bytesSent);
    output.send(new RtmpMessage(ChunkStreams.DATA, MessageType.DATA_AMF0, lastTimestamp, msid,
        Amf0Writer.encode("onPlayStatus", complete)));
    output.sendStatus(Status.LEVEL_STATUS, Status.PLAY_STOP, "Stopped playing " + name + ".");
    log.info("{}: replay of {} done ({} bytes)", output.remote(), name, bytesSent);
  }

  private void fail(String reason) {
    log.warn("{}: {}", output.remote(), reason);
    state = State.ENDED;
    generation++; // a read on its way is not fed to a reader that failed
    cancelTimer();
    output.sendStatus(Status.LEVEL_ERROR, Status.PLAY_FAILED, reason);
    output.sendStatus(Status.LEVEL_STATUS, Status.PLAY_STOP, "Stopped playing " + name + ".");
  }

  @Override
  public boolean seek(long timestampMs) {
    if (state == State.CLOSED) {
      return false;
    }
    output.send(UserControl.streamEof(output.messageStreamId()));
    startAt(timestampMs, true);
    return true;
  }

  @Override
  public void pause(boolean pause) {
    if (pause == paused) {
      return;
    }
    paused = pause;
    if (pause) {
      cancelTimer();
      clock.pause();
    } else {
      clock.resume(); // the pause is not time the replay owes the player
      pump();
    }
  }

  @Override
  public void receiveAudio(boolean enabled) {
    boolean resumed = enabled && !audio;
    audio = enabled;
    if (resumed && audioHeader != null && state == State.PLAYING) {
      send(new FlvReader.Tag(MessageType.AUDIO, lastTimestamp, audioHeader.payload(), audioHeader.position()));
    }
  }

  @Override
  public void receiveVideo(boolean enabled) {
    boolean resumed = enabled && !video;
    video = enabled;
    if (resumed) {
      videoWaitsForKeyframe = true;
    }
    if (resumed && videoHeader != null && state == State.PLAYING) {
      // The decoder's configuration went by while video was off; the next keyframe needs it.
      send(new FlvReader.Tag(MessageType.VIDEO, lastTimestamp, videoHeader.payload(), videoHeader.position()));
    }
  }

  @Override
  public void close() {
    if (state == State.CLOSED) {
      return;
    }
    state = State.CLOSED;
    generation++;
    cancelTimer();
    file.close();
    if (counted) {
      counters.ended();
    }
  }

  @Override
  public void end(String reason) {
    if (state == State.CLOSED) {
      return;
    }
    close();
    output.sendStatus(Status.LEVEL_STATUS, Status.PLAY_STOP, "Stopped playing " + name + ": " + reason + ".");
    output.send(UserControl.streamEof(output.messageStreamId()));
    output.disconnect(reason);
  }
}
