package org.rtmpcluster.origin.replay;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.rtmpcluster.common.config.AuthAction;
import org.rtmpcluster.common.config.RecordSettings;
import org.rtmpcluster.common.rtmp.session.Admission;
import org.rtmpcluster.common.stream.StreamNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recordings for download on the HTTP playback listener: {@code GET /vod/live/<file>.flv} is the
 * file under {@code record.path}, sent from the file by the kernel (sendfile on plain HTTP), with
 * byte ranges (RFC 9110 14) so that a download can resume and a player can seek. Each request is
 * admitted as a play of {@code vod/live}'s {@code <file>}, as an RTMP replay is.
 */
public final class RecordingDownloads {
  private static final Logger log = LoggerFactory.getLogger(RecordingDownloads.class);

  private final Vertx vertx;
  private final Path root;
  private final String app;
  private final Admission admission;
  /** RFC 9110 5.6.7 IMF-fixdate: two-digit day, GMT. */
  private static final java.time.format.DateTimeFormatter HTTP_DATE = java.time.format.DateTimeFormatter
      .ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", java.util.Locale.ENGLISH);
  private final List<String> corsOrigins;
  private final BooleanSupplier draining;

  /**
   * @param corsOrigins the page origins browsers may fetch recordings from (play-http.cors-origins)
   * @param draining    whether the node is shutting down
   */
  public RecordingDownloads(Vertx vertx, RecordSettings record, Admission admission, List<String> corsOrigins,
      BooleanSupplier draining) {
    this.corsOrigins = List.copyOf(corsOrigins);
    this.draining = draining;
    this.vertx = vertx;
    this.root = Path.of(record.path()).toAbsolutePath().normalize();
    this.app = record.replay().app();
    this.admission = admission;
  }

  /** Whether {@code path} asks for a recording: it is under /{@code record.replay.app}/. */
  public boolean serves(String path) {
    return path.startsWith("/" + app + "/");
  }

  public void handle(HttpServerRequest request) {
    HttpServerResponse response = request.response();
    String origin = request.getHeader("Origin");
    if (corsOrigins.contains("*")) {
      response.putHeader("Access-Control-Allow-Origin", "*");
    } else {
      response.putHeader("Vary", "Origin"); // what a cache keeps depends on who asks
      if (origin != null && corsOrigins.contains(origin)) {
        response.putHeader("Access-Control-Allow-Origin", origin);
      }
    }
    response.putHeader("Access-Control-Expose-Headers",
        "Content-Length, Content-Range, Accept-Ranges, ETag, Last-Modified, Content-Disposition");
    if (request.method() == HttpMethod.OPTIONS) {
      response.putHeader("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
          .putHeader("Access-Control-Allow-Headers", "Range, If-Range").putHeader("Access-Control-Max-Age", "86400")
          .setStatusCode(204).end();
      return;
    }
    if (request.method() != HttpMethod.GET && request.method() != HttpMethod.HEAD) {
      response.putHeader("Allow", "GET, HEAD, OPTIONS");
      plain(response, 405, "recordings are downloaded with GET");
      return;
    }
    if (draining.getAsBoolean()) {
      plain(response, 503, "this node is shutting down; download from another node that has the recording");
      return;
    }
    String wanted;
    try {
      // A path, not a form: '+' is itself.
      wanted = io.netty.handler.codec.http.QueryStringDecoder.decodeComponent(
          request.path().substring(app.length() + 2).replace("+", "%2B"));
    } catch (IllegalArgumentException e) {
      plain(response, 400, "bad percent-escape in the path");
      return;
    }
    Path relative = wanted.endsWith(".flv") ? RecordingPaths.relative(app, app, wanted) : null;
    if (relative == null) {
      plain(response, 404, "no such recording: download /" + app + "/<app>/<file>.flv");
      return;
    }
    int slash = wanted.lastIndexOf('/');
    String playApp = slash < 0 ? app : app + "/" + wanted.substring(0, slash);
    String name = wanted.substring(slash + 1, wanted.length() - ".flv".length());
    String remote = request.remoteAddress() == null ? "unknown" : request.remoteAddress().toString();
    Admission.Request asked = new Admission.Request(AuthAction.PLAY, playApp, name,
        request.query() == null ? "" : request.query(), remote,
        request.getHeader("Referer") == null ? "" : request.getHeader("Referer"), "http");
    request.pause();
    admission.admit(asked).onComplete(done -> {
      request.resume();
      Admission.Decision decision = done.succeeded() ? done.result()
          : Admission.Decision.refuse("cannot check the download: " + done.cause().getMessage());
      if (decision.allowed()) {
        // Told once, however the download ends: sent, failed, or the client gone at any step.
        boolean[] told = {false};
        Runnable ended = () -> {
          if (!told[0]) {
            told[0] = true;
            admission.ended(asked);
          }
        };
        if (response.closed()) {
          ended.run();
          return;
        }
        response.endHandler(v -> ended.run());
        response.closeHandler(v -> ended.run());
      }
      if (response.closed()) {
        return;
      }
      if (!decision.allowed()) {
        log.info("download of {} from {} refused: {}", StreamNames.printable(wanted), remote, decision.reason());
        plain(response, 403, decision.reason());
        return;
      }
      if (decision.name() != null && !decision.name().equals(name)) {
        // A webhook that maps the play to another recording does so for RTMP; a download is of the file asked for.
        plain(response, 403, "this recording is played under another name; download that one");
        return;
      }
      // Opened off the loop, and sent from the open file: no second open on the loop, no gap between.
      vertx.executeBlocking(() -> {
        Path real = RecordedFile.locate(root, relative);
        long modified = Files.getLastModifiedTime(real).toMillis();
        java.io.RandomAccessFile opened = new java.io.RandomAccessFile(real.toFile(), "r");
        try {
          return new Located(real, opened, opened.length(), modified, System.currentTimeMillis());
        } catch (java.io.IOException | RuntimeException e) {
          opened.close();
          throw e;
        }
      }, false).onComplete(found -> {
        if (found.failed()) {
          if (!response.closed()) {
            plain(response, 404, "no recording " + relative.toString().replace('\\', '/'));
          }
          return;
        }
        if (response.closed()) {
          found.result().close();
          return;
        }
        send(request, found.result());
      });
    });
  }

  private record Located(Path path, java.io.RandomAccessFile file, long size, long modifiedMs, long nowMs) {
    /**
     * Changes when the file does: a recording still being written grows, and its duration is
     * written in place at close, within the file system's time resolution of the last write. So a
     * file changed in the last 2 s gets a weak tag (as Apache gives), which If-Range never matches.
     */
    String etag() {
      String tag = "\"" + Long.toHexString(size) + "-" + Long.toHexString(modifiedMs) + "\"";
      return nowMs - modifiedMs < 2_000 ? "W/" + tag : tag;
    }

    void close() {
      try {
        file.close();
      } catch (java.io.IOException e) {
        log.debug("closing {}: {}", path, e.toString());
      }
    }
  }

  private static void send(HttpServerRequest request, Located file) {
    HttpServerResponse response = request.response();
    response.putHeader("Content-Type", "video/x-flv").putHeader("Accept-Ranges", "bytes")
        .putHeader("Content-Disposition", contentDisposition(file.path().getFileName().toString()))
        .putHeader("ETag", file.etag())
        .putHeader("Last-Modified", HTTP_DATE.format(
            java.time.Instant.ofEpochMilli(file.modifiedMs()).atZone(java.time.ZoneOffset.UTC)));
    // RFC 9110 13.1.5: a range of a file that changed since (If-Range no longer matches) is the whole file.
    String ifRange = request.getHeader("If-Range");
    ByteRange range = ifRange != null && (!ifRange.equals(file.etag()) || ifRange.startsWith("W/")) ? null
        : ByteRange.parse(request.getHeader("Range"), file.size());
    if (request.method() == HttpMethod.HEAD) {
      // RFC 9110 14.2: Range is for GET.
      file.close();
      response.putHeader("Content-Length", Long.toString(file.size())).end();
      return;
    }
    if (range == ByteRange.UNSATISFIABLE) {
      file.close();
      response.putHeader("Content-Range", "bytes */" + file.size());
      plain(response, 416, "the range is past the end of the recording (" + file.size() + " bytes)");
      return;
    }
    long offset = range == null ? 0 : range.first();
    long length = range == null ? file.size() : range.last() - range.first() + 1;
    if (range != null) {
      response.setStatusCode(206).putHeader("Content-Range",
          "bytes " + range.first() + "-" + range.last() + "/" + file.size());
    }
    // HTTP/1.x sends from the file opened off the loop; Vert.x's HTTP/2 (h2c, TLS with ALPN) takes
    // only a file name, which it opens through its own async file.
    io.vertx.core.Future<Void> sending;
    if (request.version() == io.vertx.core.http.HttpVersion.HTTP_2) {
      file.close();
      sending = response.sendFile(file.path().toString(), offset, length);
    } else {
      sending = response.sendFile(file.file(), offset, length);
    }
    sending.onComplete(sent -> {
      file.close();
      if (sent.failed()) {
        log.info("download of {} ended early: {}", file.path().getFileName(), sent.cause().getMessage());
        response.reset();
      }
    });
  }

  /** RFC 6266: a plain ASCII name for old clients, and the exact one percent-encoded in UTF-8. */
  static String contentDisposition(String name) {
    StringBuilder ascii = new StringBuilder();
    StringBuilder encoded = new StringBuilder();
    for (byte b : name.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
      int c = b & 0xFF;
      boolean plain = c >= 0x20 && c < 0x7F && c != '"' && c != '\\';
      ascii.append(plain ? (char) c : '_');
      if (Character.isLetterOrDigit(c) && c < 0x80 || "-._~".indexOf(c) >= 0) {
        encoded.append((char) c);
      } else {
        encoded.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
      }
    }
    return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + encoded;
  }

  private static void plain(HttpServerResponse response, int status, String message) {
    response.setStatusCode(status).putHeader("Content-Type", "text/plain; charset=utf-8").end(message + "\n");
  }
}
