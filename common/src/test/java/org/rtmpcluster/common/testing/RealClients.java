package org.rtmpcluster.common.testing;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Real RTMP clients for integration tests: ffmpeg publishing a synthetic stream, ffmpeg and
 * rtmpdump playing, and ffprobe/ffmpeg saying what a viewer got. A missing tool fails the test
 * (never skips it), and every process has a hard time limit.
 */
public final class RealClients {

  public static final int WIDTH = 320;
  public static final int HEIGHT = 180;
  public static final int FPS = 30;
  public static final int AUDIO_SAMPLE_RATE = 44_100;
  public static final int AUDIO_CHANNELS = 2;
  public static final int SINE_HZ = 440;

  /**
   * ffmpeg's network read/write timeout (-rw_timeout): a server that accepts and then stays silent
   * ends ffmpeg with "Connection timed out" instead of leaving it to the hard limit.
   */
  static final Duration FFMPEG_IO_TIMEOUT = Duration.ofSeconds(10);

  /** rtmpdump's connect/read timeout (-m, in seconds; its default is 30). */
  static final Duration RTMPDUMP_TIMEOUT = Duration.ofSeconds(10);

  /** Allowed beyond a stream's own duration: connecting, encoder start-up, one IO timeout. */
  static final Duration STARTUP_SLACK = Duration.ofSeconds(20);

  /** Limit for each analysis step; decoding a test recording takes well under a second. */
  static final Duration ANALYZE_TIMEOUT = Duration.ofSeconds(60);

  private RealClients() {}

  /**
   * Fails with an AssertionError naming the first tool not found as an executable on PATH.
   * Integration tests never skip: CI installs the tools.
   */
  public static void requireTools(String... tools) {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String tool : tools) {
      boolean found = false;
      for (String dir : path.split(File.pathSeparator)) {
        if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
          found = true;
          break;
        }
      }
      if (!found) {
        throw new AssertionError(tool + " not found on PATH: .ci/run installs it (apt-get install ffmpeg rtmpdump)");
      }
    }
  }

  /**
   * Starts ffmpeg publishing the synthetic stream in real time (-re) to {@code rtmpUrl}: lavfi
   * testsrc2 {@value #WIDTH}x{@value #HEIGHT} at {@value #FPS} fps in H.264 (no B-frames, a key
   * frame exactly every {@code gopFrames}), a {@value #SINE_HZ} Hz sine in AAC
   * {@value #AUDIO_SAMPLE_RATE} Hz stereo, for {@code durationSeconds}; ffmpeg then ends by itself.
   */
  public static FfmpegPublish publish(String rtmpUrl, int durationSeconds, int gopFrames) {
    return startSynthetic(rtmpUrl, true, durationSeconds, gopFrames, List.of());
  }

  /**
   * Like {@link #publish}, with every timestamp shifted by {@code offsetSeconds}
   * ({@code -output_ts_offset}): an encoder whose clock starts high. RTMP timestamps are 32-bit
   * milliseconds; ffmpeg writes them as signed FLV timestamps, so they drop to 0 after 2^31 ms.
   */
  public static FfmpegPublish publishWithTimestampOffset(String rtmpUrl, int durationSeconds, int gopFrames,
      long offsetSeconds) {
    return startSynthetic(rtmpUrl, true, durationSeconds, gopFrames,
        List.of("-output_ts_offset", Long.toString(offsetSeconds)));
  }

  /**
   * Writes the same synthetic stream as {@link #publish} to an FLV file, as fast as ffmpeg can
   * (no -re): a reference recording, or test input that needs no server.
   */
  public static FfmpegPublish publishToFile(Path flv, int durationSeconds, int gopFrames) {
    return startSynthetic(flv.toString(), false, durationSeconds, gopFrames, List.of());
  }

  /**
   * Plays {@code rtmpUrl} with ffmpeg and records it to {@code outFlv} unchanged (-c copy). ffmpeg
   * stops after {@code maxDuration} of media (-t) or when the stream ends; the process is stopped
   * if it runs {@link #STARTUP_SLACK} past that.
   */
  public static PlayResult playWithFfmpeg(String rtmpUrl, Duration maxDuration, Path outFlv) {
    requireTools("ffmpeg");
    List<String> command = ffmpegBase("info");
    command.addAll(List.of(
        "-rw_timeout", Long.toString(FFMPEG_IO_TIMEOUT.toNanos() / 1000), // microseconds
        "-i", rtmpUrl,
        "-t", seconds(maxDuration),
        "-c", "copy",
        "-f", "flv", "-y", outFlv.toString()));
    ProcessResult result = ToolProcess.run(command, maxDuration.plus(STARTUP_SLACK));
    return new PlayResult(result, outFlv);
  }

  /**
   * Plays {@code rtmpUrl} with rtmpdump as a live stream (-v) into {@code outFlv}. rtmpdump has no
   * wall-clock stop for live streams (its -B stop time is sent to the server as the play
   * length, which would change the play command under test), so it is stopped with SIGTERM after
   * {@code maxDuration}; it then closes the file cleanly and exits with 2 ("incomplete"). When the
   * stream ends first, rtmpdump exits by itself, with 0.
   */
  public static PlayResult playWithRtmpdump(String rtmpUrl, Duration maxDuration, Path outFlv) {
    requireTools("rtmpdump");
    List<String> command = List.of(
        "rtmpdump",
        "-v", // live: no seeking or resume
        "-m", Long.toString(RTMPDUMP_TIMEOUT.toSeconds()),
        "-r", rtmpUrl,
        "-o", outFlv.toString());
    ProcessResult result = ToolProcess.run(command, maxDuration);
    return new PlayResult(result, outFlv);
  }

  /**
   * Plays a recording (the server's replay, not a live stream) with ffmpeg into {@code outFlv},
   * keeping its timestamps (-copyts). With {@code seekSeconds} above 0, ffmpeg seeks there first
   * (-ss before -i), which its RTMP client sends as the seek command. ffmpeg ends when the server
   * says the play stopped.
   */
  public static PlayResult replayWithFfmpeg(String rtmpUrl, double seekSeconds, Duration limit, Path outFlv) {
    requireTools("ffmpeg");
    List<String> command = ffmpegBase("info");
    command.addAll(List.of("-rw_timeout", Long.toString(FFMPEG_IO_TIMEOUT.toNanos() / 1000)));
    if (seekSeconds > 0) {
      command.addAll(List.of("-ss", Double.toString(seekSeconds)));
    }
    command.addAll(List.of("-i", rtmpUrl, "-copyts", "-c", "copy", "-f", "flv", "-y", outFlv.toString()));
    return new PlayResult(ToolProcess.run(command, limit), outFlv);
  }

  /**
   * Plays a recording with rtmpdump into {@code outFlv}, from {@code startSeconds} (-A, sent as
   * the play command's start). rtmpdump exits with 0 once it has the recording to the end of the
   * duration its metadata gives, 2 when it thinks it has not.
   */
  public static PlayResult replayWithRtmpdump(String rtmpUrl, double startSeconds, Duration limit, Path outFlv) {
    requireTools("rtmpdump");
    List<String> command = new ArrayList<>(List.of("rtmpdump", "-m", Long.toString(RTMPDUMP_TIMEOUT.toSeconds()),
        "-r", rtmpUrl, "-o", outFlv.toString()));
    if (startSeconds > 0) {
      command.addAll(List.of("-A", Double.toString(startSeconds)));
    }
    return new PlayResult(ToolProcess.run(command, limit), outFlv);
  }

  /**
   * Analyses a recording: stream codecs and packet timestamps (ffprobe, no decoding), decoded
   * video frames (ffprobe -show_frames), and decoder errors (ffmpeg -v error ... -f null -).
   */
  public static MediaReport analyze(Path file) {
    requireTools("ffprobe", "ffmpeg");
    String fileName = file.toString();

    ProbeOutput streams = probe(List.of(
        "-show_entries", "stream=index,codec_type,codec_name,width,height:packet=stream_index,dts_time",
        fileName));
    ProbeOutput frames = probe(List.of(
        "-select_streams", "v:0",
        "-show_entries", "frame=key_frame,best_effort_timestamp_time",
        fileName));
    String probeError = streams.error() != null ? streams.error() : frames.error();

    List<String> decode = ffmpegBase("error");
    decode.addAll(List.of("-i", fileName, "-f", "null", "-"));
    ProcessResult decoded = ToolProcess.run(decode, ANALYZE_TIMEOUT);
    List<String> decodeErrors = new ArrayList<>(decoded.stderr().lines().filter(line -> !line.isBlank()).toList());
    if (!decoded.exitedCleanly() && decodeErrors.isEmpty()) {
      decodeErrors.add("ffmpeg decode ended with exit " + decoded.exitCode() + (decoded.stopped() ? " (stopped)" : ""));
    }

    JsonObject video = firstStream(streams.json(), "video");
    JsonObject audio = firstStream(streams.json(), "audio");
    Integer videoIndex = video == null ? null : video.getInteger("index");
    Integer audioIndex = audio == null ? null : audio.getInteger("index");
    JsonArray packets = streams.json().getJsonArray("packets", new JsonArray());
    JsonArray videoFrames = frames.json().getJsonArray("frames", new JsonArray());
    List<Long> videoDts = dtsOf(packets, videoIndex);

    int keyframes = 0;
    for (int i = 0; i < videoFrames.size(); i++) {
      keyframes += videoFrames.getJsonObject(i).getInteger("key_frame", 0);
    }
    JsonObject firstFrame = videoFrames.isEmpty() ? null : videoFrames.getJsonObject(0);
    return new MediaReport(
        file,
        video == null ? null : video.getString("codec_name"),
        audio == null ? null : audio.getString("codec_name"),
        video == null ? 0 : video.getInteger("width", 0),
        video == null ? 0 : video.getInteger("height", 0),
        countPackets(packets, videoIndex),
        countPackets(packets, audioIndex),
        videoFrames.size(),
        keyframes,
        firstFrame != null && firstFrame.getInteger("key_frame", 0) == 1,
        firstFrame == null ? MediaReport.NO_TIMESTAMP : millis(firstFrame.getString("best_effort_timestamp_time")),
        dtsNeverDecreases(videoDts),
        dtsNeverDecreases(dtsOf(packets, audioIndex)),
        largestDtsStep(videoDts),
        dtsSpan(videoDts),
        decodeErrors,
        probeError);
  }

  /** The argument list shared by the rtmp and file variants of the synthetic stream. */
  static List<String> syntheticStreamCommand(String target, boolean realtime, int durationSeconds, int gopFrames,
      List<String> outputOptions) {
    if (durationSeconds <= 0 || gopFrames <= 0) {
      throw new IllegalArgumentException("durationSeconds and gopFrames must be positive");
    }
    List<String> command = ffmpegBase("info");
    // -re is an input option: it must precede each input to pace both at real time.
    if (realtime) {
      command.add("-re");
    }
    command.addAll(List.of("-f", "lavfi", "-i",
        String.format(Locale.ROOT, "testsrc2=size=%dx%d:rate=%d:duration=%d", WIDTH, HEIGHT, FPS, durationSeconds)));
    if (realtime) {
      command.add("-re");
    }
    command.addAll(List.of("-f", "lavfi", "-i",
        String.format(Locale.ROOT, "sine=frequency=%d:sample_rate=%d:duration=%d", SINE_HZ, AUDIO_SAMPLE_RATE, durationSeconds)));
    command.addAll(List.of(
        "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency",
        // testsrc2 is not 4:2:0 by default; x264 would then pick a 4:4:4 profile few players decode.
        "-pix_fmt", "yuv420p",
        // A key frame exactly every gopFrames: fixed GOP, no scene-cut key frames.
        "-g", Integer.toString(gopFrames), "-keyint_min", Integer.toString(gopFrames), "-sc_threshold", "0",
        // No B-frames: frames leave in display order, one per tag, so counts and DTS are exact.
        "-bf", "0",
        "-c:a", "aac", "-b:a", "64k",
        "-ar", Integer.toString(AUDIO_SAMPLE_RATE), "-ac", Integer.toString(AUDIO_CHANNELS)));
    command.addAll(outputOptions);
    command.add("-f");
    command.add("flv");
    if (target.startsWith("rtmp://") || target.startsWith("rtmps://")) {
      command.addAll(List.of(
          // A live stream has no duration or size to patch into onMetaData at the end.
          "-flvflags", "no_duration_filesize",
          "-rw_timeout", Long.toString(FFMPEG_IO_TIMEOUT.toNanos() / 1000))); // microseconds
    }
    command.addAll(List.of("-y", target));
    return command;
  }

  private static FfmpegPublish startSynthetic(String target, boolean realtime, int durationSeconds, int gopFrames,
      List<String> outputOptions) {
    requireTools("ffmpeg");
    List<String> command = syntheticStreamCommand(target, realtime, durationSeconds, gopFrames, outputOptions);
    Duration hardLimit = Duration.ofSeconds(durationSeconds).plus(STARTUP_SLACK);
    return new FfmpegPublish(ToolProcess.start(command, hardLimit, false), target, durationSeconds, gopFrames);
  }

  /** ffmpeg without banner, progress stats or stdin, logging at {@code logLevel}. */
  static List<String> ffmpegBase(String logLevel) {
    return new ArrayList<>(List.of("ffmpeg", "-hide_banner", "-nostdin", "-nostats", "-loglevel", logLevel));
  }

  /**
   * The first video stream of a live URL (an HLS playlist, say) as ffprobe reads its first
   * {@code seconds} with every frame decoded: codec_name, width, height, nb_read_frames; an empty
   * object with "error" when ffprobe failed.
   */
  public static JsonObject probeLiveVideo(String url, int seconds) {
    requireTools("ffprobe");
    ProbeOutput probe = probe(List.of("-count_frames", "-select_streams", "v:0", "-read_intervals", "%+" + seconds,
        "-show_entries", "stream=codec_name,codec_tag_string,width,height,nb_read_frames", url));
    JsonArray streams = probe.json().getJsonArray("streams", new JsonArray());
    return streams.isEmpty() ? new JsonObject().put("error", String.valueOf(probe.error())) : streams.getJsonObject(0);
  }

  /** Decodes {@code seconds} of a live URL with ffmpeg -xerror: exits cleanly only if nothing failed to decode. */
  public static ProcessResult decode(String url, int seconds) {
    requireTools("ffmpeg");
    List<String> command = ffmpegBase("error");
    command.addAll(List.of("-xerror", "-i", url, "-t", Integer.toString(seconds), "-f", "null", "-"));
    return ToolProcess.run(command, ANALYZE_TIMEOUT);
  }

  private record ProbeOutput(JsonObject json, String error) {}

  private static ProbeOutput probe(List<String> arguments) {
    List<String> command = new ArrayList<>(List.of("ffprobe", "-v", "error", "-of", "json"));
    command.addAll(arguments);
    try (ToolProcess tool = ToolProcess.start(command, ANALYZE_TIMEOUT, true)) {
      ProcessResult result = tool.await(ANALYZE_TIMEOUT);
      JsonObject json;
      try {
        String stdout = tool.stdout();
        json = stdout.isBlank() ? new JsonObject() : new JsonObject(stdout);
      } catch (RuntimeException e) {
        return new ProbeOutput(new JsonObject(), "ffprobe printed no valid JSON: " + e.getMessage() + "\n" + result.describe());
      }
      return new ProbeOutput(json, result.exitedCleanly() ? null : result.describe());
    }
  }

  private static JsonObject firstStream(JsonObject probe, String codecType) {
    JsonArray streams = probe.getJsonArray("streams", new JsonArray());
    for (int i = 0; i < streams.size(); i++) {
      JsonObject stream = streams.getJsonObject(i);
      if (codecType.equals(stream.getString("codec_type"))) {
        return stream;
      }
    }
    return null;
  }

  private static int countPackets(JsonArray packets, Integer streamIndex) {
    int count = 0;
    for (int i = 0; streamIndex != null && i < packets.size(); i++) {
      if (streamIndex.equals(packets.getJsonObject(i).getInteger("stream_index"))) {
        count++;
      }
    }
    return count;
  }

  /** The DTS of one stream's packets in file order, ms; packets without one are left out. */
  private static List<Long> dtsOf(JsonArray packets, Integer streamIndex) {
    List<Long> dts = new ArrayList<>();
    for (int i = 0; streamIndex != null && i < packets.size(); i++) {
      JsonObject packet = packets.getJsonObject(i);
      long value = millis(packet.getString("dts_time"));
      if (streamIndex.equals(packet.getInteger("stream_index")) && value != MediaReport.NO_TIMESTAMP) {
        dts.add(value);
      }
    }
    return dts;
  }

  private static boolean dtsNeverDecreases(List<Long> dts) {
    for (int i = 1; i < dts.size(); i++) {
      if (dts.get(i) < dts.get(i - 1)) {
        return false;
      }
    }
    return true;
  }

  private static long dtsSpan(List<Long> dts) {
    return dts.isEmpty() ? 0 : dts.get(dts.size() - 1) - dts.get(0);
  }

  private static long largestDtsStep(List<Long> dts) {
    long largest = 0;
    for (int i = 1; i < dts.size(); i++) {
      largest = Math.max(largest, dts.get(i) - dts.get(i - 1));
    }
    return largest;
  }


  /** ffprobe's "1.234000" seconds as milliseconds; NO_TIMESTAMP for absent or "N/A". */
  private static long millis(String seconds) {
    if (seconds == null) {
      return MediaReport.NO_TIMESTAMP;
    }
    try {
      return Math.round(Double.parseDouble(seconds) * 1000);
    } catch (NumberFormatException e) {
      return MediaReport.NO_TIMESTAMP;
    }
  }

  private static String seconds(Duration duration) {
    return String.format(Locale.ROOT, "%.3f", duration.toMillis() / 1000.0);
  }
}
