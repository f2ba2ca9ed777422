package org.rtmpcluster.origin.record;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import java.nio.file.Path;
import java.util.Map;
import org.rtmpcluster.common.amf.Amf0Writer;
import org.rtmpcluster.common.amf.AmfEcmaArray;
import org.rtmpcluster.common.media.FlvTags;
import org.rtmpcluster.common.memory.ByteBudget;
import org.rtmpcluster.common.rtmp.message.MessageType;
import org.rtmpcluster.common.stream.MediaFrame;

/**
 * One recording's FLV file (FLV specification 10, annex E), written through Vert.x's AsyncFile,
 * whose writes run off the event loop in order. The file starts with the header and an
 * onMetaData tag whose {@code duration} comes first, so that its 8 bytes are at a known offset
 * and can be written over when the file is closed; a file left by a crash has every tag written
 * whole up to the last, and plays to there (its duration says 0).
 */
final class FlvFile {
  /** The header (9) and PreviousTagSize0 (4), then the script tag's header (11). */
  private static final int SCRIPT_BODY_AT = 13 + 11;

  private final AsyncFile file;
  private final Path path;
  /** The node's, shared by its recordings: what their files have queued for the disk. */
  private final ByteBudget budget;
  private final long durationAt;
  private long bytes;
  /** Writes not yet done: AsyncFile runs them concurrently, each at its own position. */
  private int outstanding;
  private Throwable failed;
  private Promise<Void> allWritten;

  private FlvFile(AsyncFile file, Path path, long durationAt, ByteBudget budget) {
    this.budget = budget;
    this.file = file;
    this.path = path;
    this.durationAt = durationAt;
  }

  /**
   * Creates {@code path} (and its directories) and writes the header and the metadata: the
   * publisher's {@code metadata} fields, if any, after a duration of 0.
   */
  static Future<FlvFile> create(Vertx vertx, Path path, boolean audio, boolean video, Map<String, Object> metadata,
      int maxQueuedBytes, ByteBudget budget) {
    return vertx.fileSystem().mkdirs(path.getParent().toString())
        .compose(made -> vertx.fileSystem().open(path.toString(),
            new OpenOptions().setWrite(true).setCreateNew(true)))
        .map(file -> {
          file.setWriteQueueMaxSize(maxQueuedBytes);
          AmfEcmaArray properties = new AmfEcmaArray();
          properties.put("duration", 0.0);
          if (metadata != null) {
            metadata.forEach((key, value) -> {
              if (!key.equals("duration") && !key.equals("filesize")) {
                properties.put(key, value);
              }
            });
          }
          Buffer script = Amf0Writer.encode("onMetaData", properties);
          // "onMetaData" (1 + 2 + 10), the ECMA array's marker and count (5), the key "duration"
          // (2 + 8), the number's marker (1): then the value.
          long durationAt = SCRIPT_BODY_AT + 13 + 5 + 10 + 1;
          FlvFile flv = new FlvFile(file, path, durationAt, budget);
          flv.write(FlvTags.header(audio, video), false);
          flv.write(FlvTags.tag(new MediaFrame(MessageType.DATA_AMF0, 0, script, MediaFrame.METADATA), 0), false);
          return flv;
        });
  }

  Path path() {
    return path;
  }

  long bytes() {
    return bytes;
  }

  /** Whether the disk is behind by the queue's bound. */
  boolean behind() {
    return file.writeQueueFull();
  }

  /** Writes a sequence header: whatever the node's budget, since without it the frames after do not decode. */
  void write(MediaFrame frame, long timestamp) {
    write(FlvTags.tag(frame, timestamp), false);
  }

  /** Writes a frame if the node's budget has room for it while it waits for the disk; false if not. */
  boolean tryWrite(MediaFrame frame, long timestamp) {
    Buffer tag = FlvTags.tag(frame, timestamp);
    if (!budget.tryReserve(tag.length())) {
      return false;
    }
    write(tag, true);
    return true;
  }

  private void write(Buffer buffer, boolean reserved) {
    bytes += buffer.length();
    outstanding++;
    file.write(buffer).onComplete(done -> {
      if (reserved) {
        budget.release(buffer.length());
      }
      outstanding--;
      if (done.failed() && failed == null) {
        failed = done.cause();
      }
      if (outstanding == 0 && allWritten != null) {
        allWritten.tryComplete();
      }
    });
  }

  /**
   * Once every tag is written, writes the duration into the metadata (so that no late write of
   * the header can put the 0 back) and closes the file; fails if any write failed.
   */
  Future<Void> close(long durationMs) {
    allWritten = Promise.promise();
    if (outstanding == 0) {
      allWritten.complete();
    }
    Buffer duration = Buffer.buffer(8).appendDouble(durationMs / 1000.0);
    return allWritten.future()
        .compose(written -> failed != null ? Future.failedFuture(failed) : file.write(duration, durationAt))
        .compose(patched -> file.close(), error -> file.close().transform(closed -> Future.failedFuture(error)));
  }
}
