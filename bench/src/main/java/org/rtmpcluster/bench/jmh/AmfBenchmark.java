package org.rtmpcluster.bench.jmh;

import io.vertx.core.buffer.Buffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.rtmpcluster.common.amf.Amf0Reader;
import org.rtmpcluster.common.amf.Amf0Writer;
import org.rtmpcluster.common.amf.AmfException;
import org.rtmpcluster.common.amf.AmfLimits;
import org.rtmpcluster.common.rtmp.message.Command;

/** AMF0 decoding of what every connection sends once: ffmpeg's connect command, and an encoder's onMetaData. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class AmfBenchmark {

  private Buffer connect;
  private Buffer metadata;

  @Setup
  public void setUp() {
    Map<String, Object> properties = new LinkedHashMap<>();
    properties.put("app", "live");
    properties.put("flashVer", "FMLE/3.0 (compatible; Lavf60.16.100)");
    properties.put("tcUrl", "rtmp://127.0.0.1:1935/live");
    properties.put("type", "nonprivate");
    properties.put("fpad", false);
    properties.put("capabilities", 15.0);
    properties.put("audioCodecs", 4071.0);
    properties.put("videoCodecs", 252.0);
    properties.put("videoFunction", 1.0);
    connect = Command.of("connect", 1, properties).encodeBody();

    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("duration", 0.0);
    meta.put("width", 1280.0);
    meta.put("height", 720.0);
    meta.put("videodatarate", 2500.0);
    meta.put("framerate", 30.0);
    meta.put("videocodecid", 7.0);
    meta.put("audiodatarate", 128.0);
    meta.put("audiosamplerate", 44100.0);
    meta.put("audiosamplesize", 16.0);
    meta.put("stereo", true);
    meta.put("audiocodecid", 10.0);
    meta.put("encoder", "Lavf60.16.100");
    meta.put("filesize", 0.0);
    metadata = Amf0Writer.encode("@setDataFrame", "onMetaData", meta);
  }

  @Benchmark
  public List<Object> decodeConnect() throws AmfException {
    return Amf0Reader.readAll(connect, AmfLimits.DEFAULT);
  }

  @Benchmark
  public List<Object> decodeOnMetaData() throws AmfException {
    return Amf0Reader.readAll(metadata, AmfLimits.DEFAULT);
  }
}
