package org.rtmpcluster.bench.jmh;

import io.vertx.core.buffer.Buffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.rtmpcluster.common.cluster.ClusterFrame;
import org.rtmpcluster.common.cluster.ClusterFrameCodec;

/** The event-bus codec every frame crosses between origin and edge: a 10 KB video frame each way. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ClusterFrameBenchmark {

  @Param("10240")
  public int payloadSize;

  private final ClusterFrameCodec codec = new ClusterFrameCodec();
  private ClusterFrame frame;
  private Buffer wire;

  @Setup
  public void setUp() {
    byte[] payload = new byte[payloadSize];
    payload[0] = 0x27;
    payload[1] = 1;
    frame = new ClusterFrame(7, 12345, 9, 0, 90_000, 1_780_000_000_000L, Buffer.buffer(payload));
    wire = Buffer.buffer(frame.encodedLength());
    codec.encodeToWire(wire, frame);
  }

  @Benchmark
  public Buffer encodeToWire() {
    Buffer out = Buffer.buffer(frame.encodedLength());
    codec.encodeToWire(out, frame);
    return out;
  }

  @Benchmark
  public ClusterFrame decodeFromWire() {
    return codec.decodeFromWire(0, wire);
  }
}
