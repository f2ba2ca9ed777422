package org.rtmpcluster.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.rtmpcluster.client.RtmpClient;
import org.rtmpcluster.common.media.FlvReader;
import org.rtmpcluster.common.rtmp.message.MessageType;
import org.rtmpcluster.common.rtmp.session.Status;
import org.rtmpcluster.common.testing.Await;
import org.rtmpcluster.common.testing.FfmpegPublish;
import org.rtmpcluster.common.testing.MediaReport;
import org.rtmpcluster.common.testing.PlayResult;
import org.rtmpcluster.common.testing.RealClients;

/**
 * Replay of a recording (record.replay): ffmpeg and rtmpdump play an 8 s recording back from
 * {@code rtmp://HOST/vod/live/<file>}, whole, from a start time and after a seek, and a player
 * pauses and resumes it. The recording is made once, by ffmpeg publishing to the same node.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReplayTest {
  private static final int GOP_FRAMES = 25;
  private static final long GOP_MS = GOP_FRAMES * 1000L / RealClients.FPS;
  private static final Duration PLAY_LIMIT = Duration.ofSeconds(60);

  private Path dir;
  private TestNode node;
  private Path recording;
  private MediaReport recorded;
  private Vertx clientVertx;

  @BeforeAll
  void recordEightSeconds() throws Exception {
    dir = Files.createTempDirectory("replay");
    node = TestNode.start(c -> c.withRecord(c.record().withEnabled(true, dir.toString())
        .withReplay(c.record().replay().withEnabled(true)))
        .withPlayHttp(org.rtmpcluster.common.config.PlayHttpSettings.DEFAULT.withHost("127.0.0.1").withPort(0)));
    try (FfmpegPublish publish = RealClients.publish(rtmp("live/" + TestNode.KEY.key()), 8, GOP_FRAMES)) {
      assertTrue(publish.awaitExit(Duration.ofSeconds(40)).exitedCleanly(), publish.stderr());
    }
    Await.until(() -> recordings().size() == 1 && durationPatched(recordings().get(0)), Duration.ofSeconds(20),
        "the recording is finished");
    recording = recordings().get(0);
    Await.until(() -> node.node.recordingCounters().finished() == 1, Duration.ofSeconds(10), "counted as finished");
    assertEquals(0, node.node.recordingCounters().active());
    assertEquals(0, node.node.recordingCounters().framesSkipped(), "a disk that kept up");
    recorded = RealClients.analyze(recording);
    // A file changed in the last 2 s has a weak ETag; this one is long finished.
    Files.setLastModifiedTime(recording, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 60_000));
    assertTrue(recorded.decodesCleanly() && recorded.videoFrames() > 7 * RealClients.FPS, recorded.toString());
    clientVertx = Vertx.vertx();
  }

  @AfterAll
  void stop() throws Exception {
    if (clientVertx != null) {
      Await.result(clientVertx.close());
    }
    if (node != null) {
      node.close();
    }
  }

  private String rtmp(String path) {
    return "rtmp://127.0.0.1:" + node.port() + "/" + path;
  }

  /** The replay URL of the recording: app vod, then the stream's app and the file's name without .flv. */
  private String replayUrl() {
    String file = recording.getFileName().toString();
    return rtmp("vod/live/" + file.substring(0, file.length() - ".flv".length()));
  }

  @Test
  void ffmpegPlaysTheWholeRecordingAndStopsAtItsEnd() throws Exception {
    PlayResult played = RealClients.replayWithFfmpeg(replayUrl(), 0, PLAY_LIMIT, dir.resolve("ffmpeg.flv"));
    assertTrue(played.process().exitedCleanly(), "ffmpeg ends by itself at Play.Stop: " + played.process().describe());
    MediaReport report = played.analyze();
    assertTrue(report.decodesCleanly(), report.toString());
    assertEquals("h264", report.videoCodec());
    assertEquals("aac", report.audioCodec());
    assertEquals(recorded.videoFrames(), report.videoFrames(), "every frame of the file: " + report);
    assertTrue(report.firstVideoFrameIsKeyframe() && report.videoTimestampsMonotonic()
        && report.audioTimestampsMonotonic(), report.toString());
    assertEquals(0, report.firstVideoTimestampMillis());
    assertTrue(node.node.replayCounters().started() >= 1 && node.node.replayCounters().bytesRead() >= Files.size(recording),
        "counted for /metrics");
    Await.until(() -> node.node.replayCounters().active() == 0, Duration.ofSeconds(10), "no replay left once ffmpeg went");
  }

  @Test
  void rtmpdumpDownloadsTheWholeRecordingAndCallsItComplete() throws Exception {
    PlayResult played = RealClients.replayWithRtmpdump(replayUrl(), 0, PLAY_LIMIT, dir.resolve("rtmpdump.flv"));
    assertTrue(played.process().exitedCleanly(), "rtmpdump exits with 0, complete: " + played.process().describe());
    MediaReport report = played.analyze();
    assertTrue(report.decodesCleanly(), report.toString());
    assertEquals(recorded.videoFrames(), report.videoFrames(), "every frame of the file: " + report);
  }

  @Test
  void aPlayWithAStartTimeBeginsAtTheKeyframeBeforeIt() throws Exception {
    PlayResult played = RealClients.replayWithRtmpdump(replayUrl(), 4, PLAY_LIMIT, dir.resolve("from-4s.flv"));
    assertTrue(played.process().exitedCleanly(), played.process().describe());
    MediaReport report = played.analyze();
    assertTrue(report.decodesCleanly() && report.firstVideoFrameIsKeyframe(), report.toString());
    // rtmpdump writes the timestamps it gets plus its -A, so where the replay began shows in what is left.
    long began = recorded.videoSpanMillis() - report.videoSpanMillis();
    assertTrue(began <= 4_000 && began > 4_000 - GOP_MS - 100, "from the keyframe at or before 4 s: " + report);
    int framesFromThere = (int) (report.videoSpanMillis() * RealClients.FPS / 1000) + 1;
    assertTrue(Math.abs(report.videoFrames() - framesFromThere) <= 1,
        "every frame from there on, " + framesFromThere + ": " + report);
  }

  @Test
  void ffmpegSeeksWithTheSeekCommand() throws Exception {
    PlayResult played = RealClients.replayWithFfmpeg(replayUrl(), 5, PLAY_LIMIT, dir.resolve("seek-5s.flv"));
    assertTrue(played.process().exitedCleanly(), played.process().describe());
    MediaReport report = played.analyze();
    assertTrue(report.decodesCleanly(), report.toString());
    assertTrue(played.process().stderr().contains("Seek") || report.firstVideoTimestampMillis() > 0,
        played.process().describe());
    assertTrue(report.videoFrames() < recorded.videoFrames() - 3 * RealClients.FPS,
        "not the first seconds: " + report);
    assertTrue(report.videoTimestampsMonotonic(), report.toString());
  }

  /**
   * A player pauses the replay and resumes it: it hears Pause.Notify and Unpause.Notify, and after
   * the pause the replay goes on from where it was, so that every video tag of the file arrives
   * once and in order.
   */
  @Test
  void pauseHoldsTheReplayAndUnpauseGoesOnFromWhereItWas() throws Exception {
    List<Long> video = new CopyOnWriteArrayList<>();
    List<String> statuses = new CopyOnWriteArrayList<>();
    String file = recording.getFileName().toString();
    RtmpClient client = Await.result(RtmpClient.connect(clientVertx, "127.0.0.1", node.port(), "vod/live"));
    client.mediaHandler(message -> {
      if (message.typeId() == MessageType.VIDEO) {
        video.add(message.timestamp());
      }
    }).statusHandler(status -> statuses.add(String.valueOf(status.get("code"))));
    int stream = Await.result(client.play(file.substring(0, file.length() - 4)));
    Await.until(() -> video.size() > RealClients.FPS, Duration.ofSeconds(20), "a second of video");
    client.notify(stream, "pause", true, (double) video.get(video.size() - 1));
    Await.until(() -> statuses.contains(Status.PAUSE_NOTIFY), Duration.ofSeconds(10), "Pause.Notify");
    int atPause = video.size();
    client.notify(stream, "pause", false, (double) video.get(video.size() - 1));
    Await.until(() -> statuses.contains(Status.PLAY_STOP), Duration.ofSeconds(30), "the replay plays to its end");
    assertTrue(statuses.contains(Status.UNPAUSE_NOTIFY), statuses.toString());
    assertTrue(atPause < recorded.videoFrames(), "paused before the end: " + atPause);
    assertEquals(videoTimestampsOf(recording), video, "every video tag of the file once, in order");
    Await.result(client.close());
  }

  /**
   * A file a crash cut off in the middle of a tag (the recorder writes whole tags in order, so
   * that is all a crash can leave) plays to its last whole tag, and the play ends as at the end of
   * any file.
   */
  @Test
  void aRecordingCutOffInsideATagPlaysToItsLastWholeTag() throws Exception {
    byte[] file = Files.readAllBytes(recording);
    FlvReader reader = FlvReader.fromStart(1 << 24);
    reader.feed(Buffer.buffer(file));
    List<FlvReader.Tag> tags = new java.util.ArrayList<>();
    for (FlvReader.Tag tag = reader.poll(); tag != null; tag = reader.poll()) {
      tags.add(tag);
    }
    FlvReader.Tag cut = tags.stream().filter(tag -> tag.type() == MessageType.VIDEO && tag.payload().length() > 100)
        .skip(tags.size() / 4).findFirst().orElseThrow();
    Path crashed = dir.resolve("live").resolve("crashed.flv");
    Files.write(crashed, java.util.Arrays.copyOf(file, (int) cut.position() + FlvReader.TAG_HEADER_BYTES + 50));
    long wholeVideoTags = tags.stream().filter(tag -> tag.type() == MessageType.VIDEO && tag.position() < cut.position())
        .count();

    PlayResult played = RealClients.replayWithFfmpeg(rtmp("vod/live/crashed"), 0, PLAY_LIMIT, dir.resolve("crashed-out.flv"));
    assertTrue(played.process().exitedCleanly(), played.process().describe());
    MediaReport report = played.analyze();
    assertTrue(report.decodesCleanly(), report.toString());
    // The video tags before the cut are the sequence header and that many frames.
    assertEquals(wholeVideoTags - 1, report.videoFrames(), "every whole video tag before the cut: " + report);
  }

  /** A pause sent with the play, before the recording is open, is done once it plays. */
  @Test
  void aPauseSentWithThePlayIsDoneOnceItPlays() throws Exception {
    List<Long> video = new CopyOnWriteArrayList<>();
    List<String> statuses = new CopyOnWriteArrayList<>();
    String file = recording.getFileName().toString();
    RtmpClient client = Await.result(RtmpClient.connect(clientVertx, "127.0.0.1", node.port(), "vod/live"));
    client.mediaHandler(message -> {
      if (message.typeId() == MessageType.VIDEO) {
        video.add(message.timestamp());
      }
    }).statusHandler(status -> statuses.add(String.valueOf(status.get("code"))));
    int stream = Await.result(client.createStream());
    client.notify(stream, "play", file.substring(0, file.length() - 4), -2000.0);
    client.notify(stream, "pause", true, 0.0);
    Await.until(() -> statuses.contains(Status.PAUSE_NOTIFY), Duration.ofSeconds(10), "Pause.Notify");
    assertTrue(statuses.indexOf(Status.PLAY_START) < statuses.indexOf(Status.PAUSE_NOTIFY), statuses.toString());
    client.notify(stream, "pause", false, 0.0);
    Await.until(() -> statuses.contains(Status.PLAY_STOP), Duration.ofSeconds(30), "the replay plays to its end");
    assertEquals(videoTimestampsOf(recording), video, "every video tag once, in order");
    Await.result(client.close());
  }

  /**
   * receiveVideo(false) leaves the audio; receiveVideo(true) goes on with the decoder's
   * configuration and then a keyframe, never a frame that needs ones the player did not get.
   */
  @Test
  void videoTurnedBackOnStartsWithItsSequenceHeaderAndAKeyframe() throws Exception {
    List<Buffer> video = new CopyOnWriteArrayList<>();
    java.util.concurrent.atomic.AtomicInteger audio = new java.util.concurrent.atomic.AtomicInteger();
    String file = recording.getFileName().toString();
    RtmpClient client = Await.result(RtmpClient.connect(clientVertx, "127.0.0.1", node.port(), "vod/live"));
    client.mediaHandler(message -> {
      if (message.typeId() == MessageType.VIDEO) {
        video.add(message.payload());
      } else if (message.typeId() == MessageType.AUDIO) {
        audio.incrementAndGet();
      }
    });
    int stream = Await.result(client.play(file.substring(0, file.length() - 4)));
    Await.until(() -> video.size() > 10, Duration.ofSeconds(20), "video");
    client.notify(stream, "receiveVideo", false);
    int audioBefore = audio.get();
    // About 2 s of audio at 43 frames a second, well past what was in flight.
    Await.until(() -> audio.get() > audioBefore + 80, Duration.ofSeconds(20), "audio goes on");
    int videoWhileOff = video.size();
    Await.until(() -> audio.get() > audioBefore + 120, Duration.ofSeconds(20), "more audio");
    assertEquals(videoWhileOff, video.size(), "no video while it is off");
    client.notify(stream, "receiveVideo", true);
    Await.until(() -> video.size() > videoWhileOff + 1, Duration.ofSeconds(20), "video again");
    assertTrue(org.rtmpcluster.common.media.VideoTag.isSequenceHeader(video.get(videoWhileOff)), "its configuration first");
    assertTrue(org.rtmpcluster.common.media.VideoTag.isKeyframe(video.get(videoWhileOff + 1)), "then a keyframe");
    Await.result(client.close());
  }

  /** Recordings are written on origins: one without the edge role replays them (and plays nothing live). */
  @Test
  void anOriginWithoutTheEdgeRoleReplaysItsRecordings() throws Exception {
    try (TestNode origin = TestNode.start(c -> c.withRoles(java.util.EnumSet.of(org.rtmpcluster.common.config.Role.ORIGIN))
        .withRecord(c.record().withEnabled(true, dir.toString()).withReplay(c.record().replay().withEnabled(true))))) {
      String file = recording.getFileName().toString();
      PlayResult played = RealClients.replayWithFfmpeg("rtmp://127.0.0.1:" + origin.port() + "/vod/live/"
          + file.substring(0, file.length() - 4), 0, PLAY_LIMIT, dir.resolve("from-origin.flv"));
      assertTrue(played.process().exitedCleanly(), played.process().describe());
      assertEquals(recorded.videoFrames(), played.analyze().videoFrames());

      RtmpClient live = Await.result(RtmpClient.connect(clientVertx, "127.0.0.1", origin.port(), "live"));
      List<Map<String, Object>> statuses = new CopyOnWriteArrayList<>();
      live.statusHandler(statuses::add);
      live.play("show");
      Await.until(() -> !statuses.isEmpty(), Duration.ofSeconds(10), "an answer to a live play");
      assertEquals(Status.PLAY_FAILED, statuses.get(0).get("code"));
      assertTrue(String.valueOf(statuses.get(0).get("description")).contains("play from an edge"), statuses.toString());
      live.close();
    }
  }

  @Test
  void aNameOutsideRecordPathOrOfNoFileIsNotFound() throws Exception {
    Files.writeString(dir.getParent().resolve("secret.flv"), "FLV");
    Files.writeString(dir.resolve("secret.flv"), "FLV");
    for (String[] appAndName : List.of(new String[] {"vod", "../secret"}, new String[] {"vod/live", "../../secret"},
        new String[] {"vod/live", "no-such-recording"}, new String[] {"vod", "live//x"})) {
      RtmpClient client = Await.result(RtmpClient.connect(clientVertx, "127.0.0.1", node.port(), appAndName[0]));
      List<Map<String, Object>> statuses = new CopyOnWriteArrayList<>();
      client.statusHandler(statuses::add);
      client.play(appAndName[1]);
      Await.until(() -> !statuses.isEmpty(), Duration.ofSeconds(10), "an answer for " + String.join("/", appAndName));
      assertEquals(Status.PLAY_STREAM_NOT_FOUND, statuses.get(0).get("code"), statuses.toString());
      Await.result(client.close());
    }
    PlayResult played = RealClients.replayWithFfmpeg(rtmp("vod/live/no-such-recording"), 0, PLAY_LIMIT,
        dir.resolve("none.flv"));
    assertFalse(played.process().exitedCleanly(), "ffmpeg fails on a recording that is not there");
  }

  @Test
  void theReplayAppTakesNoPublishers() throws Exception {
    RtmpClient client = Await.result(RtmpClient.connect(clientVertx, "127.0.0.1", node.port(), "vod"));
    List<Map<String, Object>> statuses = new CopyOnWriteArrayList<>();
    client.statusHandler(statuses::add);
    client.publish(TestNode.KEY.key());
    Await.until(() -> !statuses.isEmpty(), Duration.ofSeconds(10), "an answer to the publish");
    assertEquals(Status.PUBLISH_DENIED, statuses.get(0).get("code"), statuses.toString());
    client.close();
  }

  private String downloadUrl(String path) {
    return "http://127.0.0.1:" + node.node.playHttpPort() + path;
  }

  private String fileUrl() {
    return downloadUrl("/vod/live/" + recording.getFileName());
  }

  @Test
  void theHttpPlaybackListenerServesTheRecordingForDownloadAndFfmpegDecodesIt() throws Exception {
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    java.net.http.HttpResponse<byte[]> whole = http.send(java.net.http.HttpRequest.newBuilder(
        java.net.URI.create(fileUrl())).build(), java.net.http.HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, whole.statusCode());
    assertEquals("video/x-flv", whole.headers().firstValue("Content-Type").orElse(""));
    assertEquals("bytes", whole.headers().firstValue("Accept-Ranges").orElse(""));
    assertEquals("*", whole.headers().firstValue("Access-Control-Allow-Origin").orElse(""),
        "a page on another origin may fetch it (play-http.cors-origins)");
    assertTrue(java.util.Arrays.equals(Files.readAllBytes(recording), whole.body()), "the file, byte for byte");

    Path downloaded = dir.resolve("downloaded-by-ffmpeg.flv");
    PlayResult played = RealClients.replayWithFfmpeg(fileUrl(), 0, PLAY_LIMIT, downloaded);
    assertTrue(played.process().exitedCleanly(), played.process().describe());
    MediaReport report = played.analyze();
    assertTrue(report.decodesCleanly(), report.toString());
    assertEquals(recorded.videoFrames(), report.videoFrames());
  }

  @Test
  void aByteRangeIsServedAsPartialContentAndOnePastTheEndIsRefused() throws Exception {
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    byte[] file = Files.readAllBytes(recording);
    java.net.http.HttpResponse<byte[]> part = http.send(java.net.http.HttpRequest.newBuilder(
        java.net.URI.create(fileUrl())).header("Range", "bytes=100-1099").build(),
        java.net.http.HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(206, part.statusCode());
    assertEquals("bytes 100-1099/" + file.length, part.headers().firstValue("Content-Range").orElse(""));
    assertTrue(java.util.Arrays.equals(java.util.Arrays.copyOfRange(file, 100, 1100), part.body()));
    java.net.http.HttpResponse<byte[]> tail = http.send(java.net.http.HttpRequest.newBuilder(
        java.net.URI.create(fileUrl())).header("Range", "bytes=-10").build(),
        java.net.http.HttpResponse.BodyHandlers.ofByteArray());
    assertTrue(java.util.Arrays.equals(java.util.Arrays.copyOfRange(file, file.length - 10, file.length), tail.body()));
    java.net.http.HttpResponse<String> past = http.send(java.net.http.HttpRequest.newBuilder(
        java.net.URI.create(fileUrl())).header("Range", "bytes=" + file.length + "-").build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertEquals(416, past.statusCode());
    String etag = part.headers().firstValue("ETag").orElseThrow();
    assertFalse(etag.startsWith("W/"), "a finished file's tag is strong: " + etag);
    assertTrue(part.headers().firstValue("Last-Modified").orElse("").matches("\\w{3}, \\d{2} \\w{3} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT"),
        "IMF-fixdate: " + part.headers().firstValue("Last-Modified"));
    java.net.http.HttpResponse<byte[]> sameFile = http.send(java.net.http.HttpRequest.newBuilder(
        java.net.URI.create(fileUrl())).header("Range", "bytes=0-9").header("If-Range", etag).build(),
        java.net.http.HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(206, sameFile.statusCode(), "If-Range of the file as it is: the range");
    java.net.http.HttpResponse<byte[]> changed = http.send(java.net.http.HttpRequest.newBuilder(
        java.net.URI.create(fileUrl())).header("Range", "bytes=0-9").header("If-Range", "\"old\"").build(),
        java.net.http.HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, changed.statusCode(), "If-Range of another version: the whole file");
    assertEquals(file.length, changed.body().length);
    assertEquals("bytes */" + file.length, past.headers().firstValue("Content-Range").orElse(""));
    for (String path : List.of("/vod/live/..%2F..%2Fsecret.flv", "/vod/..%2Fsecret.flv", "/vod/live/no-such.flv",
        "/vod/live/")) {
      java.net.http.HttpResponse<String> none = http.send(java.net.http.HttpRequest.newBuilder(
          java.net.URI.create(downloadUrl(path))).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
      assertEquals(404, none.statusCode(), path + ": " + none.body());
    }
  }

  /** The timestamps of the file's video tags, in file order. */
  private static List<Long> videoTimestampsOf(Path file) throws IOException {
    FlvReader reader = FlvReader.fromStart(1 << 24);
    reader.feed(Buffer.buffer(Files.readAllBytes(file)));
    List<Long> timestamps = new java.util.ArrayList<>();
    for (FlvReader.Tag tag = reader.poll(); tag != null; tag = reader.poll()) {
      if (tag.type() == MessageType.VIDEO) {
        timestamps.add(tag.timestamp());
      }
    }
    return timestamps;
  }

  private List<Path> recordings() {
    try (Stream<Path> files = Files.walk(dir.resolve("live"))) {
      return files.filter(p -> p.toString().endsWith(".flv")).sorted().toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  /** onMetaData's duration, the first number in the file's script tag, is no longer 0. */
  private static boolean durationPatched(Path file) {
    try {
      byte[] bytes = Files.readAllBytes(file);
      return bytes.length > 64 && Buffer.buffer(bytes).getDouble(13 + 11 + 13 + 5 + 10 + 1) > 0;
    } catch (IOException e) {
      return false;
    }
  }
}
