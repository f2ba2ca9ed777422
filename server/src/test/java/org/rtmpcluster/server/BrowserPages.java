package org.rtmpcluster.server;

import com.sun.net.httpserver.HttpServer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.rtmpcluster.common.testing.Await;
import org.rtmpcluster.common.testing.HeadlessChromium;

/**
 * The browser tests' pages and players (src/test/browser, which .ci/run fills with npm ci),
 * served on a port of their own so that the stream's port answers a real cross-origin request.
 * A page plays {@code ?src=} muted and offers {@code window.report()}: frames decoded, playback
 * time, a fatal player error if one fired, and how far behind live it plays.
 */
final class BrowserPages implements AutoCloseable {
  private static final Path DIR = Path.of("src/test/browser");
  private static final Map<String, Path> FILES = Map.of(
      "/hls.html", DIR.resolve("hls.html"),
      "/flv.html", DIR.resolve("flv.html"),
      "/lib/hls.js", DIR.resolve("node_modules/hls.js/dist/hls.js"),
      "/lib/mpegts.js", DIR.resolve("node_modules/mpegts.js/dist/mpegts.js"));

  private final HttpServer server;

  private BrowserPages(HttpServer server) {
    this.server = server;
  }

  static BrowserPages start() throws IOException {
    for (Path file : FILES.values()) {
      if (!Files.isRegularFile(file)) {
        throw new AssertionError(file + " is missing: .ci/run installs it (npm ci --prefix server/src/test/browser)");
      }
    }
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
    server.createContext("/", exchange -> {
      Path file = FILES.get(exchange.getRequestURI().getPath());
      byte[] body = file == null ? new byte[0] : Files.readAllBytes(file);
      exchange.getResponseHeaders().add("Content-Type", file == null ? "text/plain"
          : file.toString().endsWith(".html") ? "text/html; charset=utf-8" : "text/javascript");
      exchange.sendResponseHeaders(file == null ? 404 : 200, body.length == 0 ? -1 : body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
    return new BrowserPages(server);
  }

  /** The URL of {@code page} (hls.html or flv.html) playing {@code src}. */
  String page(String page, String src) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/" + page + "?src="
        + URLEncoder.encode(src, StandardCharsets.UTF_8);
  }

  /** What the page in {@code chromium} reports now (empty before its script ran). */
  static JsonObject report(HeadlessChromium chromium) {
    Object value = chromium.evaluate("window.report ? window.report() : null");
    return value instanceof JsonObject report ? report : new JsonObject();
  }

  /** Waits until the page has played {@code seconds} past {@code from}, or a fatal error fired. */
  static JsonObject playedUntil(HeadlessChromium chromium, double seconds, Duration timeout, String what) {
    Await.until(() -> {
      JsonObject report = report(chromium);
      return report.getString("fatal") != null || report.getDouble("time", 0.0) >= seconds;
    }, timeout, what);
    return report(chromium);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
