package org.rtmpcluster.common.testing;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Debian's Chromium, headless, driven over the DevTools protocol from the test itself: open a
 * page, evaluate expressions in it, and collect what it logged as errors. Started with the flags
 * this machine needs (no sandbox as root, no background networking on a closed network) and a
 * profile of its own, and stopped on close.
 */
public final class HeadlessChromium implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

  private final Process process;
  private final Path profile;
  private final WebSocket socket;
  private final AtomicInteger ids = new AtomicInteger();
  private final Map<Integer, CompletableFuture<JsonObject>> calls = new ConcurrentHashMap<>();
  private final List<String> errors = Collections.synchronizedList(new ArrayList<>());

  private HeadlessChromium(Process process, Path profile, WebSocket socket) {
    this.process = process;
    this.profile = profile;
    this.socket = socket;
  }

  /** Starts Chromium on about:blank, with autoplay allowed (the pages play muted video anyway). */
  public static HeadlessChromium start() throws Exception {
    RealClients.requireTools("chromium");
    Path profile = Files.createTempDirectory("chromium-profile");
    Process process = new ProcessBuilder("chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-extensions", "--mute-audio", "--autoplay-policy=no-user-gesture-required",
        "--user-data-dir=" + profile, "--remote-debugging-port=0", "about:blank")
        .redirectErrorStream(true).redirectOutput(profile.resolve("chromium.log").toFile()).start();
    Path portFile = profile.resolve("DevToolsActivePort");
    try {
      Await.until(() -> !process.isAlive() || linesOf(portFile) >= 2, START_TIMEOUT, "chromium's DevTools port");
    } catch (AssertionError e) {
      process.destroyForcibly();
      throw e;
    }
    if (!process.isAlive()) {
      throw new AssertionError("chromium did not start: " + Files.readString(profile.resolve("chromium.log")));
    }
    int port = Integer.parseInt(Files.readAllLines(portFile).get(0).trim());
    HttpClient http = HttpClient.newHttpClient();
    JsonArray targets = new JsonArray(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list"))
        .build(), HttpResponse.BodyHandlers.ofString()).body());
    String pageSocket = null;
    for (Object target : targets) {
      JsonObject t = (JsonObject) target;
      if ("page".equals(t.getString("type"))) {
        pageSocket = t.getString("webSocketDebuggerUrl");
        break;
      }
    }
    if (pageSocket == null) {
      process.destroyForcibly();
      throw new AssertionError("chromium has no page to drive: " + targets);
    }
    HeadlessChromium[] self = new HeadlessChromium[1];
    WebSocket socket = http.newWebSocketBuilder().buildAsync(URI.create(pageSocket), new WebSocket.Listener() {
      private final StringBuilder text = new StringBuilder();

      @Override
      public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        text.append(data);
        if (last) {
          JsonObject message = new JsonObject(text.toString());
          text.setLength(0);
          while (self[0] == null) {
            Thread.onSpinWait();
          }
          self[0].received(message);
        }
        webSocket.request(1);
        return null;
      }
    }).get(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    HeadlessChromium chromium = new HeadlessChromium(process, profile, socket);
    self[0] = chromium;
    chromium.call("Runtime.enable", new JsonObject());
    chromium.call("Page.enable", new JsonObject());
    return chromium;
  }

  private static int linesOf(Path file) {
    try {
      return Files.exists(file) ? Files.readAllLines(file).size() : 0;
    } catch (IOException e) {
      return 0;
    }
  }

  private void received(JsonObject message) {
    Integer id = message.getInteger("id");
    if (id != null) {
      CompletableFuture<JsonObject> call = calls.remove(id);
      if (call != null) {
        call.complete(message);
      }
      return;
    }
    String method = message.getString("method", "");
    JsonObject params = message.getJsonObject("params", new JsonObject());
    if (method.equals("Runtime.exceptionThrown")) {
      errors.add("exception: " + params.getJsonObject("exceptionDetails", new JsonObject()).encode());
    } else if (method.equals("Runtime.consoleAPICalled") && "error".equals(params.getString("type"))) {
      errors.add("console.error: " + params.getJsonArray("args", new JsonArray()).encode());
    }
  }

  private JsonObject call(String method, JsonObject params) {
    int id = ids.incrementAndGet();
    CompletableFuture<JsonObject> answer = new CompletableFuture<>();
    calls.put(id, answer);
    socket.sendText(new JsonObject().put("id", id).put("method", method).put("params", params).encode(), true);
    try {
      JsonObject reply = answer.get(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      if (reply.containsKey("error")) {
        throw new AssertionError(method + " failed: " + reply.getJsonObject("error").encode());
      }
      return reply.getJsonObject("result", new JsonObject());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(method + " interrupted", e);
    } catch (Exception e) {
      throw new AssertionError(method + " got no answer: " + e, e);
    }
  }

  /** Opens {@code url} in the page. */
  public void open(String url) {
    call("Page.navigate", new JsonObject().put("url", url));
  }

  /** The value of a JavaScript expression in the page, as JSON (objects and arrays come by value). */
  public Object evaluate(String expression) {
    JsonObject result = call("Runtime.evaluate", new JsonObject().put("expression", expression)
        .put("returnByValue", true));
    if (result.containsKey("exceptionDetails")) {
      throw new AssertionError("'" + expression + "' threw: " + result.getJsonObject("exceptionDetails").encode());
    }
    return result.getJsonObject("result", new JsonObject()).getValue("value");
  }

  /** Lays the page out in a window of {@code width} x {@code height} CSS pixels. */
  public void resize(int width, int height) {
    call("Emulation.setDeviceMetricsOverride", new JsonObject().put("width", width).put("height", height)
        .put("deviceScaleFactor", 1).put("mobile", false));
  }

  /** Writes what the page shows now to {@code png}. */
  public void screenshot(Path png) throws IOException {
    JsonObject shot = call("Page.captureScreenshot", new JsonObject().put("format", "png"));
    Files.write(png, java.util.Base64.getDecoder().decode(shot.getString("data")));
  }

  /** What the page logged with console.error and the exceptions it did not catch, so far. */
  public List<String> errors() {
    synchronized (errors) {
      return List.copyOf(errors);
    }
  }

  @Override
  public void close() {
    socket.abort();
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    try (var files = Files.walk(profile)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException | java.io.UncheckedIOException e) {
      // (Files.walk throws the unchecked one when a file Chromium was still writing goes away mid-walk.)
      // A temporary directory; the test's result does not depend on it.
    }
  }
}
