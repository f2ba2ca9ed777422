package org.rtmpcluster.origin.record;

import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.rtmpcluster.common.amf.Amf0Reader;
import org.rtmpcluster.common.amf.AmfException;
import org.rtmpcluster.common.amf.AmfLimits;
import org.rtmpcluster.common.config.RecordSettings;
import org.rtmpcluster.common.memory.ByteBudget;
import org.rtmpcluster.common.stream.LiveStream;
import org.rtmpcluster.common.stream.MediaFrame;
import org.rtmpcluster.common.stream.StreamListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records one stream on the origin that holds its claim: listens to the home stream like a
 * player (on its loop, in order), and while {@code claimed} says so writes FLV files that begin at
 * a keyframe with the stream's metadata and sequence headers, and timestamps from 0. A file ends
 * when the claim goes (a hot standby never records), when a new publisher's timeline begins, when
 * the stream ends, or at the first keyframe {@code record.segment-ms} into it. A disk that falls
 * {@code record.max-queued-bytes} behind costs the frames up to the next keyframe, never memory.
 */
public final class StreamRecorder implements StreamListener {
  private static final Logger log = LoggerFactory.getLogger(StreamRecorder.class);
  private static final DateTimeFormatter STARTED = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS")
      .withZone(ZoneOffset.UTC);

  /** A finished file, for the record-done notification. */
  public record Recorded(String stream, Path path, long durationMs, long bytes, long startedAtMs) {
  }

  private final Vertx vertx;
  private final LiveStream stream;
  private final RecordSettings settings;
  private final BooleanSupplier claimed;
  private final LongSupplier wallClockMs;
  private final Consumer<Recorded> onRecorded;
  private final Runnable onEnded;
  private MediaFrame metadata;
  private MediaFrame videoHeader;
  private MediaFrame audioHeader;
  /** The file being written, or null; set as soon as its creation is asked for. */
  private FlvFile file;
  private boolean opening;
  /** Set when this stream cannot be recorded (its name makes no path under record.path). */
  private boolean disabled;
  /** Frames that came while the file was being created, written once it is; bounded in bytes. */
  private final List<MediaFrame> whileOpening = new ArrayList<>();
  private long whileOpeningBytes;
  /** Why the file being created is to be finished as soon as it is, or null. */
  private String closeWhenOpen;
  private long startTimestamp;
  private long lastTimestamp;
  private long startedAtMs;
  private boolean skippingToKeyframe;
  private final RecordingCounters counters;
  private final ByteBudget budget;
  /** The node's recording queue had no room for a new file's first frame: frames until then are skipped. */
  private boolean waitingForRoom;

  public StreamRecorder(Vertx vertx, LiveStream stream, RecordSettings settings, BooleanSupplier claimed,
      LongSupplier wallClockMs, RecordingCounters counters, ByteBudget budget, Consumer<Recorded> onRecorded,
      Runnable onEnded) {
    this.budget = budget;
    this.counters = counters;
    this.onEnded = onEnded;
    this.vertx = vertx;
    this.stream = stream;
    this.settings = settings;
    this.claimed = claimed;
    this.wallClockMs = wallClockMs;
    this.onRecorded = onRecorded;
  }

  /** A recorder is no player: it does not count among a stream's players. */
  @Override
  public int players() {
    return 0;
  }

  @Override
  public void onFrame(MediaFrame frame) {
    if (disabled) {
      return;
    }
    if ((frame.flags() & MediaFrame.METADATA) != 0) {
      metadata = frame;
      return;
    }
    if (frame.isSequenceHeader()) {
      if (frame.isVideo()) {
        videoHeader = frame;
      } else if (frame.isAudio()) {
        audioHeader = frame;
      }
      if (file != null) {
        long timestamp = timestampOf(frame);
        file.write(frame, timestamp);
        lastTimestamp = Math.max(lastTimestamp, timestamp);
      }
      return;
    }
    if (!claimed.getAsBoolean()) {
      finish("the claim went to another origin");
      return;
    }
    boolean startsFile = frame.isVideo() ? frame.isKeyframe() : videoHeader == null && frame.isAudio();
    if (file != null && startsFile && settings.segmentMs() > 0
        && frame.playTimestamp() - startTimestamp >= settings.segmentMs()) {
      finish(null);
    }
    if (file == null) {
      if (opening) {
        if (whileOpeningBytes + frame.size() <= settings.maxQueuedBytes() && budget.tryReserve(frame.size())) {
          whileOpening.add(frame);
          whileOpeningBytes += frame.size();
        } else {
          counters.skipped();
        }
        return;
      }
      if (!startsFile) {
        if (waitingForRoom) {
          counters.skipped();
        }
        return;
      }
      open(frame);
      return;
    }
    if (skippingToKeyframe) {
      if (!startsFile) {
        counters.skipped();
        return;
      }
      skippingToKeyframe = false;
    }
    write(frame);
  }

  /** Writes a frame, or, when the disk is behind, skips to the next keyframe. */
  private void write(MediaFrame frame) {
    long timestamp = timestampOf(frame);
    if (file.behind() || !file.tryWrite(frame, timestamp)) {
      skippingToKeyframe = true;
      log.warn("recording of {}: the disk is behind (record.max-queued-bytes {} for a recording, "
          + "record.max-node-queued-bytes {} for the node); skipping to the next keyframe", stream.name(),
          settings.maxQueuedBytes(), settings.maxNodeQueuedBytes());
      counters.skipped();
      return;
    }
    lastTimestamp = Math.max(lastTimestamp, timestamp);
  }

  /** The frame's time in the file, which starts at 0 with its first frame. */
  private long timestampOf(MediaFrame frame) {
    return Math.max(0, frame.playTimestamp() - startTimestamp);
  }

  /** Starts a file at {@code first}; frames until it is open are kept by AsyncFile's queue, not here. */
  private void open(MediaFrame first) {
    if (!budget.tryReserve(first.size())) {
      if (!waitingForRoom) {
        log.warn("recording of {}: the node's recordings are record.max-node-queued-bytes ({}) behind; "
            + "the file starts at a keyframe once there is room", stream.name(), settings.maxNodeQueuedBytes());
      }
      waitingForRoom = true;
      counters.skipped();
      return;
    }
    waitingForRoom = false;
    startTimestamp = first.playTimestamp();
    lastTimestamp = 0;
    startedAtMs = wallClockMs.getAsLong();
    Path path;
    try {
      path = pathOf(stream.name(), startedAtMs);
    } catch (IllegalArgumentException e) {
      // Never thrown into the stream's fan-out: the stream goes on, unrecorded.
      log.error("recording of {} stopped: {}", stream.name(), e.getMessage());
      disabled = true;
      budget.release(first.size());
      return;
    }
    opening = true;
    whileOpening.add(first);
    whileOpeningBytes = first.size();
    FlvFile.create(vertx, path, audioHeader != null || stream.audioCodec() != null, videoHeader != null,
        metadataFields(), settings.maxQueuedBytes(), budget)
        .onComplete(created -> {
          opening = false;
          List<MediaFrame> pending = List.copyOf(whileOpening);
          whileOpening.clear();
          budget.release(whileOpeningBytes);
          whileOpeningBytes = 0;
          if (created.failed()) {
            log.error("recording of {}: cannot create {}: {}", stream.name(), path, created.cause().getMessage());
            return;
          }
          file = created.result();
          counters.opened();
          log.info("recording {} to {}", stream.name(), path);
          for (MediaFrame header : new MediaFrame[] {videoHeader, audioHeader}) {
            if (header != null) {
              file.write(header, 0);
            }
          }
          for (MediaFrame frame : pending) {
            if (skippingToKeyframe && !(frame.isVideo() ? frame.isKeyframe() : videoHeader == null)) {
              counters.skipped();
              continue;
            }
            skippingToKeyframe = false;
            write(frame);
          }
          if (closeWhenOpen != null) {
            String why = closeWhenOpen;
            closeWhenOpen = null;
            finish(why);
          }
        });
  }

  /** {@code <path>/<app>/<name>-<UTC start>.flv}, never outside {@code record.path}. */
  Path pathOf(String name, long startedAt) {
    Path root = Path.of(settings.path()).toAbsolutePath().normalize();
    Path file = root.resolve(name + "-" + STARTED.format(Instant.ofEpochMilli(startedAt)) + ".flv").normalize();
    if (!file.startsWith(root) || file.getParent().equals(root)) {
      throw new IllegalArgumentException("stream name " + name + " leaves record.path");
    }
    return file;
  }

  private Map<String, Object> metadataFields() {
    if (metadata == null) {
      return null;
    }
    try {
      List<Object> values = Amf0Reader.readAll(metadata.payload(), AmfLimits.DEFAULT);
      for (Object value : values) {
        if (value instanceof Map<?, ?> map) {
          @SuppressWarnings("unchecked")
          Map<String, Object> fields = (Map<String, Object>) map;
          return fields;
        }
      }
    } catch (AmfException e) {
      log.debug("recording of {}: publisher metadata unreadable: {}", stream.name(), e.getMessage());
    }
    return null;
  }

  /** Ends the file being written, if any; {@code why} is logged. */
  private void finish(String why) {
    if (opening) {
      closeWhenOpen = why == null ? "cut" : why;
      return;
    }
    FlvFile done = file;
    if (done == null) {
      return;
    }
    file = null;
    skippingToKeyframe = false;
    long durationMs = lastTimestamp;
    long started = startedAtMs;
    done.close(durationMs).onComplete(closed -> {
      counters.closed(closed.succeeded());
      if (closed.failed()) {
        log.error("recording of {}: cannot finish {}: {}", stream.name(), done.path(), closed.cause().getMessage());
        return;
      }
      log.info("recorded {} to {}: {} ms, {} bytes{}", stream.name(), done.path(), durationMs, done.bytes(),
          why == null ? "" : " (" + why + ")");
      onRecorded.accept(new Recorded(stream.name(), done.path(), durationMs, done.bytes(), started));
    });
  }

  @Override
  public void onPublisherStarted(long epoch) {
    finish("a new publisher");
    // The new publisher's own headers and metadata come with its join state.
    metadata = null;
    videoHeader = null;
    audioHeader = null;
  }

  @Override
  public void onPublisherGone() {
    finish("the publisher left");
  }

  @Override
  public void onStreamEnded() {
    finish("the stream ended");
    stream.removeListener(this);
    onEnded.run();
  }
}
