package org.rtmpcluster.edge.hls;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.rtmpcluster.common.config.HlsSettings;
import org.rtmpcluster.common.config.RenditionGroup;
import org.rtmpcluster.common.config.StreamSettings;
import org.rtmpcluster.common.stream.LiveStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Low-Latency HLS with fMP4 at {@code /<app>/<name>/index.m3u8}, with {@code init-<crc>.mp4},
 * segments {@code <n>.m4s} and parts {@code <n>.<p>.m4s}; a multivariant playlist of a stream's
 * renditions at {@code /<app>/<name>/master.m3u8}. A stream's segmenter starts on its
 * first request, primed from the GOP cache, and stops once nothing asked for it for a while.
 *
 * <p>Requests for what is not there yet are held, as LL-HLS asks (RFC 8216bis 6.2.5.2 and 6.2.6):
 * a playlist with {@code _HLS_msn} (and {@code _HLS_part}) until it holds that segment or part, a
 * part named by the preload hint until it is cut, the first playlist until the first part is
 * cut. Each is answered when a part is finished, or at its deadline; the node holds a bounded
 * number of them, and more get 503.
 *
 * <p>One per node, on the home loop: a viewer's requests come over several connections, which
 * Vert.x spreads over the event loops, and they must all see the same segments. A request is
 * answered on the home loop and written on its own ({@link #serve}).
 */
public final class HlsService {
  private static final Logger log = LoggerFactory.getLogger(HlsService.class);
  /** A playlist asked for before the stream's first part waits this long at most. */
  static final long FIRST_WAIT_MS = 12_000;
  /** Where requests that wait on several streams (a multivariant playlist) are held. */
  private static final String ANY_STREAM = "*";

  private final Vertx vertx;
  private final Context home;
  private final Function<String, LiveStream> streams;
  private final LongSupplier clockMs;
  private final long segmentMs;
  private final StreamSettings streamSettings;
  private final HlsSettings settings;
  private final Map<String, HlsStream> segmenters = new HashMap<>();
  private final Map<String, List<Waiter>> waiting = new HashMap<>();
  private int waitingCount;
  private boolean warnedFull;
  private long sweeper = -1;

  /** What a request gets: written by the loop of its connection. */
  record Answer(int status, String contentType, String cacheControl, Buffer body) {
    static Answer text(int status, String message) {
      return new Answer(status, "text/plain; charset=utf-8", "no-cache", Buffer.buffer(message + "\n"));
    }

    void writeTo(HttpServerResponse response) {
      if (response.closed() || response.ended()) {
        return;
      }
      if (status == 503) {
        response.putHeader("Retry-After", "1");
      }
      response.setStatusCode(status).putHeader("Content-Type", contentType).putHeader("Cache-Control", cacheControl)
          .end(body);
    }
  }

  /** A held request: answered once {@code ready} holds, or with {@code late} at its deadline. */
  private final class Waiter {
    final String streamName;
    final BooleanSupplier ready;
    final Supplier<Answer> answer;
    final Supplier<Answer> late;
    final Consumer<Answer> reply;
    long timer = -1;

    Waiter(String streamName, BooleanSupplier ready, Supplier<Answer> answer, Supplier<Answer> late,
        Reply reply) {
      this.streamName = streamName;
      this.ready = ready;
      this.answer = answer;
      this.late = late;
      this.reply = reply;
    }

    void finish(boolean inTime) {
      waitingCount--;
      vertx.cancelTimer(timer);
      reply.accept(inTime ? answer.get() : late.get());
    }
  }

  /**
   * @param streams        the home streams by {@code app/name}, made (and pulled) if need be
   * @param streamSettings the segment grid ({@code streams.segment-ms}) and the rendition groups
   */
  public HlsService(Vertx vertx, Context home, Function<String, LiveStream> streams, LongSupplier clockMs,
      StreamSettings streamSettings, HlsSettings settings) {
    this.vertx = vertx;
    this.home = home;
    this.streams = streams;
    this.clockMs = clockMs;
    this.segmentMs = streamSettings.segmentMs();
    this.streamSettings = streamSettings;
    this.settings = settings;
  }

  /** Streams segmented for HLS on this node now; read on the home loop. */
  public int streamCount() {
    return segmenters.size();
  }

  /** Requests held until a part is cut (blocking reloads, preload hints); read on the home loop. */
  public int waitingRequests() {
    return waitingCount;
  }

  /** Bytes of segments and parts every stream holds, which {@code play-http.hls.max-bytes} bounds. */
  public long heldBytes() {
    long held = 0;
    for (HlsStream hls : segmenters.values()) {
      held += hls.heldBytes();
    }
    return held;
  }

  /** Answers a request, already admitted, on the home loop, and writes it on the caller's loop. */
  public void serve(String streamName, String file, String query, HttpServerResponse response) {
    Context caller = Vertx.currentContext();
    Reply reply = new Reply(answer -> caller.runOnContext(w -> answer.writeTo(response)));
    // A viewer that goes away while its request is held gives its place back at once.
    response.closeHandler(v -> home.runOnContext(w -> reply.gone()));
    home.runOnContext(v -> {
      try {
        HlsQuery parsed = HlsQuery.parse(query);
        if (parsed.error() != null) {
          reply.accept(Answer.text(400, parsed.error()));
          return;
        }
        answer(streamName, file, parsed, reply);
      } catch (RuntimeException e) {
        reply.accept(Answer.text(500, "internal error"));
        throw e;
      }
    });
  }

  /** Where an answer goes, and what to undo if its viewer goes before it is given. Home loop only. */
  private static final class Reply implements Consumer<Answer> {
    private final Consumer<Answer> send;
    private Runnable onGone;
    private boolean done;

    Reply(Consumer<Answer> send) {
      this.send = send;
    }

    @Override
    public void accept(Answer answer) {
      done = true;
      onGone = null;
      send.accept(answer);
    }

    void onGone(Runnable action) {
      onGone = action;
    }

    void gone() {
      if (!done && onGone != null) {
        Runnable action = onGone;
        onGone = null;
        done = true;
        action.run();
      }
    }
  }

  private void answer(String streamName, String file, HlsQuery query, Reply reply) {
    if (file.equals("master.m3u8")) {
      master(streamName, query, reply);
      return;
    }
    HlsStream hls = segmenters.get(streamName);
    if (hls == null) {
      if (!file.equals("index.m3u8")) {
        reply.accept(Answer.text(404, "no such file: ask index.m3u8 first"));
        return;
      }
      hls = segmenterOf(streamName);
      if (hls == null) {
        reply.accept(Answer.text(503, "this node holds its maximum of streams or of HLS segments"));
        return;
      }
    }
    long now = clockMs.getAsLong();
    hls.requested(now);
    RenditionGroup group = streamSettings.groupOf(streamName);
    if (group != null) {
      // A player may switch to any rendition at any time: all of them stay warm while one is watched.
      for (String member : group.streams()) {
        HlsStream rendition = segmenters.get(member);
        if (rendition != null) {
          rendition.requested(now);
        }
      }
    }
    HlsFile name = HlsFile.parse(file);
    if (name == null) {
      reply.accept(Answer.text(404, "no such file: index.m3u8, init-<crc>.mp4, <n>.m4s or <n>.<part>.m4s"));
    } else if (name.kind() == HlsFile.Kind.PLAYLIST) {
      playlist(streamName, hls, query, reply);
    } else if (name.kind() == HlsFile.Kind.INIT) {
      Buffer init = hls.init(file);
      reply.accept(init == null ? Answer.text(404, "no such init segment")
          : new Answer(200, "video/mp4", "max-age=86400, immutable", init));
    } else if (name.kind() == HlsFile.Kind.SEGMENT) {
      segment(streamName, hls, name.number(), reply);
    } else {
      part(streamName, hls, name.number(), name.part(), reply);
    }
  }

  /**
   * The stream's segmenter, started (primed from the GOP cache) if need be; null when the node
   * holds its maximum of streams or of HLS bytes.
   */
  private HlsStream segmenterOf(String streamName) {
    HlsStream hls = segmenters.get(streamName);
    if (hls != null) {
      return hls;
    }
    long held = heldBytes();
    if (held >= settings.effectiveMaxBytes()) {
      if (!warnedFull) {
        warnedFull = true;
        log.warn("HLS holds {} bytes of segments, its maximum (play-http.hls.max-bytes): new HLS streams get 503",
            held);
      }
      return null;
    }
    warnedFull = false;
    LiveStream stream = streams.apply(streamName);
    if (stream == null) {
      return null;
    }
    HlsStream[] made = new HlsStream[1];
    hls = new HlsStream(stream, segmentMs, settings.partMs(), settings.windowSegments(), settings.windowBytes(),
        clockMs.getAsLong(), () -> partFinished(streamName), () -> ended(streamName, made[0]));
    made[0] = hls;
    segmenters.put(streamName, hls);
    hls.start();
    startSweeper();
    return hls;
  }

  /**
   * The multivariant playlist (RFC 8216bis 4.4.6) of a rendition group, or of one stream: a
   * variant per rendition, once each has a segment (so its codecs and size are known), with the
   * peak and average bitrate of its segments in the window.
   */
  private void master(String name, HlsQuery query, Reply reply) {
    RenditionGroup group = streamSettings.group(name);
    List<String> members = group != null ? group.streams() : List.of(name);
    List<HlsStream> renditions = new ArrayList<>();
    for (String member : members) {
      HlsStream hls = segmenterOf(member);
      if (hls == null) {
        reply.accept(Answer.text(503, "this node holds its maximum of streams or of HLS segments"));
        return;
      }
      hls.requested(clockMs.getAsLong());
      renditions.add(hls);
    }
    Supplier<Answer> answer = () -> {
      StringBuilder m3u8 = new StringBuilder("#EXTM3U\n#EXT-X-VERSION:9\n#EXT-X-INDEPENDENT-SEGMENTS\n");
      String suffix = query.passOn().isEmpty() ? "" : "?" + query.passOn();
      for (int i = 0; i < members.size(); i++) {
        HlsStream hls = renditions.get(i);
        if (hls.ready()) {
          m3u8.append(hls.variant()).append('\n').append('/').append(members.get(i)).append("/index.m3u8")
              .append(suffix).append('\n');
        }
      }
      return new Answer(200, "application/vnd.apple.mpegurl", "no-cache", Buffer.buffer(m3u8.toString()));
    };
    hold(ANY_STREAM, () -> renditions.stream().allMatch(HlsStream::ready), answer,
        () -> renditions.stream().anyMatch(HlsStream::ready) ? answer.get()
            : Answer.text(503, "no rendition of " + name + " has a segment yet; try again"), FIRST_WAIT_MS, reply);
  }

  private void playlist(String streamName, HlsStream hls, HlsQuery query, Reply reply) {
    long msn = query.msn();
    if (msn >= 0 && hls.ready() && msn > hls.nextNumber() + 1) {
      // 6.2.5.2: more than two segments ahead of the playlist's last.
      reply.accept(Answer.text(400, "_HLS_msn " + msn + " is too far ahead of this playlist"));
      return;
    }
    int part = query.part();
    BooleanSupplier ready = msn < 0 ? hls::ready : () -> hls.ready() && hls.has(msn, part);
    Supplier<Answer> answer = () -> new Answer(200, "application/vnd.apple.mpegurl", "no-cache",
        Buffer.buffer(hls.playlist(query.passOn())));
    // 6.2.5.2: a server that cannot answer within three target durations says 503.
    long deadline = hls.ready() ? 3 * hls.targetDurationMs() : FIRST_WAIT_MS;
    hold(streamName, ready, answer, () -> hls.ready() && msn < 0 ? answer.get()
        : Answer.text(503, "the playlist asked for is not ready; try again"), deadline, reply);
  }

  private void segment(String streamName, HlsStream hls, long number, Reply reply) {
    HlsStream.Segment done = hls.segment(number);
    if (done != null) {
      reply.accept(media(done.bytes));
      return;
    }
    HlsStream.Segment open = hls.open();
    if (open == null || open.number != number) {
      reply.accept(Answer.text(404, "no segment " + number + " (it left the window, or is not cut yet)"));
      return;
    }
    // The segment being cut: answered once it is whole.
    hold(streamName, () -> hls.open() != open, () -> {
      HlsStream.Segment finished = hls.segment(number);
      return finished == null ? Answer.text(404, "no segment " + number) : media(finished.bytes);
    }, () -> Answer.text(503, "segment " + number + " is not cut yet"), 3 * segmentMs, reply);
  }

  private void part(String streamName, HlsStream hls, long number, int index, Reply reply) {
    Supplier<HlsStream.Part> find = () -> {
      HlsStream.Segment segment = hls.segment(number);
      if (segment == null && hls.open() != null && hls.open().number == number) {
        segment = hls.open();
      }
      return segment == null ? null : segment.part(index);
    };
    HlsStream.Part found = find.get();
    if (found != null) {
      reply.accept(media(found.bytes()));
      return;
    }
    HlsStream.Segment open = hls.open();
    boolean hinted = open != null && open.number == number && index == open.parts.size()
        || index == 0 && number == hls.nextNumber();
    if (!hinted) {
      reply.accept(Answer.text(404, "no part " + number + "." + index));
      return;
    }
    // The part the preload hint names (6.2.6): answered once it is cut, or 404 if the segment ends first.
    hold(streamName, () -> find.get() != null || hls.nextNumber() > number + 1, () -> {
      HlsStream.Part part = find.get();
      return part == null ? Answer.text(404, "no part " + number + "." + index) : media(part.bytes());
    }, () -> Answer.text(503, "part " + number + "." + index + " is not cut yet"), 3 * segmentMs, reply);
  }

  private static Answer media(Buffer bytes) {
    // Segments and parts never change once cut (and are the same on every node): caches may keep them.
    return new Answer(200, "video/mp4", "max-age=300", bytes);
  }

  private void hold(String streamName, BooleanSupplier ready, Supplier<Answer> answer, Supplier<Answer> late,
      long deadlineMs, Reply reply) {
    if (ready.getAsBoolean()) {
      reply.accept(answer.get());
      return;
    }
    if (waitingCount >= settings.maxWaiting()) {
      reply.accept(Answer.text(503, "this node holds its maximum of waiting HLS requests"));
      return;
    }
    Waiter waiter = new Waiter(streamName, ready, answer, late, reply);
    waitingCount++;
    waiting.computeIfAbsent(streamName, k -> new ArrayList<>()).add(waiter);
    reply.onGone(() -> {
      List<Waiter> list = waiting.get(streamName);
      if (list != null && list.remove(waiter)) {
        if (list.isEmpty()) {
          waiting.remove(streamName);
        }
        waitingCount--;
        vertx.cancelTimer(waiter.timer);
      }
    });
    waiter.timer = vertx.setTimer(deadlineMs, id -> {
      List<Waiter> list = waiting.get(streamName);
      if (list != null && list.remove(waiter)) {
        if (list.isEmpty()) {
          waiting.remove(streamName);
        }
        waiter.finish(false);
      }
    });
  }

  /** A part or segment was cut (or the window dropped): the held requests it satisfies are answered. */
  private void partFinished(String streamName) {
    recheck(streamName);
    recheck(ANY_STREAM);
  }

  private void recheck(String key) {
    List<Waiter> list = waiting.get(key);
    if (list == null) {
      return;
    }
    List<Waiter> due = new ArrayList<>();
    list.removeIf(waiter -> waiter.ready.getAsBoolean() && due.add(waiter));
    if (list.isEmpty()) {
      waiting.remove(key);
    }
    due.forEach(waiter -> waiter.finish(true));
  }

  /** A stream ended: its segmenter goes, and what waited for it is answered; a new request starts afresh. */
  private void ended(String streamName, HlsStream hls) {
    if (segmenters.get(streamName) == hls) {
      segmenters.remove(streamName);
    }
    answerAll(streamName);
    recheck(ANY_STREAM);
  }

  private void answerAll(String streamName) {
    List<Waiter> list = waiting.remove(streamName);
    if (list != null) {
      list.forEach(waiter -> waiter.finish(false));
    }
  }

  private void startSweeper() {
    if (sweeper >= 0) {
      return;
    }
    sweeper = vertx.setPeriodic(Math.min(5_000, settings.idleMs()), id -> {
      long now = clockMs.getAsLong();
      segmenters.entrySet().removeIf(entry -> {
        if (now - entry.getValue().lastRequestMs() > settings.idleMs()) {
          entry.getValue().stop();
          answerAll(entry.getKey());
          return true;
        }
        return false;
      });
      if (segmenters.isEmpty()) {
        vertx.cancelTimer(id);
        sweeper = -1;
      }
    });
  }
}
