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
import org.openjdk.jmh.infra.Blackhole;
import org.rtmpcluster.common.rtmp.chunk.ChunkDecoder;
import org.rtmpcluster.common.rtmp.chunk.ChunkEncoder;
import org.rtmpcluster.common.rtmp.chunk.ChunkLimits;
import org.rtmpcluster.common.rtmp.chunk.RtmpMessage;
import org.rtmpcluster.common.rtmp.message.MessageType;
import org.rtmpcluster.common.rtmp.message.ProtocolControl;

/**
 * The chunk layer on the media path: one 10 KB video message (a 720p inter frame at ~2.5 Mbit/s)
 * encoded at a 4096-byte chunk size, and a stream of such messages decoded from socket-sized reads.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ChunkCodecBenchmark {

  static final int CHUNK_SIZE = 4096;
  static final int MESSAGES_PER_STREAM = 100;

  @Param("10240")
  public int messageSize;

  /** Bytes per feed call; 64 KB is what a busy socket read hands over. */
  @Param("65536")
  public int readSize;

  private ChunkEncoder encoder;
  private RtmpMessage message;
  private long timestamp;
  private Buffer[] reads;

  @Setup
  public void setUp() {
    encoder = new ChunkEncoder();
    encoder.setChunkSize(CHUNK_SIZE);
    byte[] body = new byte[messageSize];
    for (int i = 0; i < body.length; i++) {
      body[i] = (byte) (i * 31);
    }
    body[0] = 0x27;
    body[1] = 1;
    message = new RtmpMessage(7, MessageType.VIDEO, 0, 1, Buffer.buffer(body));

    // A stream as a server sends it: Set Chunk Size at the default size, then the frames 33 ms apart.
    ChunkEncoder streamEncoder = new ChunkEncoder();
    Buffer stream = streamEncoder.encode(ProtocolControl.setChunkSize(CHUNK_SIZE));
    streamEncoder.setChunkSize(CHUNK_SIZE);
    for (int i = 0; i < MESSAGES_PER_STREAM; i++) {
      streamEncoder.encode(new RtmpMessage(7, MessageType.VIDEO, i * 33L, 1, message.payload()), stream);
    }
    int count = (stream.length() + readSize - 1) / readSize;
    reads = new Buffer[count];
    for (int i = 0; i < count; i++) {
      reads[i] = stream.getBuffer(i * readSize, Math.min(stream.length(), (i + 1) * readSize));
    }
  }

  @Benchmark
  public Buffer encodeVideoMessage() {
    timestamp += 33;
    return encoder.encode(new RtmpMessage(7, MessageType.VIDEO, timestamp, 1, message.payload()));
  }

  /** Decodes {@value #MESSAGES_PER_STREAM} messages; divide the time by that for one. */
  @Benchmark
  public void decodeVideoStream(Blackhole blackhole) {
    ChunkDecoder decoder = new ChunkDecoder(ChunkLimits.DEFAULT, new ChunkDecoder.Listener() {
      @Override
      public void onMessage(RtmpMessage m) {
        blackhole.consume(m);
      }

      @Override
      public void onProtocolError(String reason) {
        throw new IllegalStateException(reason);
      }
    });
    for (Buffer read : reads) {
      decoder.feed(read);
    }
  }
}
