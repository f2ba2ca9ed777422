package org.rtmpcluster.origin.replay;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.function.LongSupplier;
import org.rtmpcluster.common.config.RecordSettings;
import org.rtmpcluster.common.config.ReplaySettings;
import org.rtmpcluster.common.rtmp.session.PlayService;
import org.rtmpcluster.common.rtmp.session.PlayerOutput;
import org.rtmpcluster.common.rtmp.session.Status;
import org.rtmpcluster.common.stream.StreamNames;

/**
 * Plays recordings back: {@code rtmp://HOST/vod/live/show-20261202-101500-000} (or with
 * {@code .flv}, or app {@code vod} and name {@code live/show-...}) is the file
 * {@code live/show-20261202-101500-000.flv} under {@code record.path}. Clients split such a URL
 * differently (ffmpeg and librtmp make the app {@code vod/live}; others send it all as the name),
 * so the app after {@code vod} and the name are joined back into one path.
 */
public final class ReplayService implements PlayService {
  private final Vertx vertx;
  private final Path root;
  private final ReplaySettings settings;
  private final int maxTagBytes;
  private final long queueLimitBytes;
  private final LongSupplier nowMs;
  private final ReplayCounters counters;

  /**
   * @param maxTagBytes     the largest tag a file may hold: what a publisher may send
   * @param queueLimitBytes bytes a player's connection may hold before its replay waits
   * @param counters        the node's, shared by its event loops
   */
  public ReplayService(Vertx vertx, RecordSettings record, int maxTagBytes, long queueLimitBytes, LongSupplier nowMs,
      ReplayCounters counters) {
    this.counters = counters;
    this.vertx = vertx;
    this.root = Path.of(record.path()).toAbsolutePath().normalize();
    this.settings = record.replay();
    this.maxTagBytes = maxTagBytes;
    this.queueLimitBytes = queueLimitBytes;
    this.nowMs = nowMs;
  }

  /** Whether a play in {@code app} is one of a recording. */
  public boolean serves(String app) {
    return settings.serves(app);
  }

  @Override
  public Future<PlayResult> play(PlayRequest request, PlayerOutput output) {
    Path relative = RecordingPaths.relative(settings.app(), request.app(), request.streamName());
    if (relative == null) {
      return Future.succeededFuture(PlayResult.refused(Status.PLAY_STREAM_NOT_FOUND, "'"
          + StreamNames.printable(request.streamName()) + "' names no recording"));
    }
    String name = relative.toString().replace('\\', '/');
    if (counters.active() >= settings.maxReplays()) {
      // Read across event loops, so a burst may pass it by a few: the bound is on the order of it.
      return Future.succeededFuture(PlayResult.refused(Status.PLAY_FAILED, "this node plays its maximum of "
          + settings.maxReplays() + " recordings at once (record.replay.max-replays); try again shortly"));
    }
    // start (spec 7.2.2.1): -2 live or recorded, -1 live only, else where to start, in ms as
    // Flash and librtmp (-A seconds) send it.
    long startMs = request.start() > 0 ? (long) request.start() : 0;
    return RecordedFile.open(vertx, root, relative)
        .map(file -> PlayResult.accepted(new ReplayPlayback(vertx, file, name, output,
            new ReplayClock(nowMs, settings.leadMs()), maxTagBytes, settings.readAheadBytes(), queueLimitBytes,
            startMs, counters)))
        .recover(error -> Future.succeededFuture(error instanceof NoSuchFileException
            ? PlayResult.refused(Status.PLAY_STREAM_NOT_FOUND, "no recording " + name)
            : PlayResult.refused(Status.PLAY_FAILED, "cannot open recording " + name + ": " + error.getMessage())));
  }
}
