package org.rtmpcluster.common.rtmp.handshake;

import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/** The capture heads in this package's test resources (see README.md there), sliced by packet. */
final class Captures {

  static final int PACKET = HandshakeDigest.PACKET_SIZE;
  /** C0/S0 + C1/S1 + C2/S2: where the chunk stream starts. */
  static final int HANDSHAKE_END = 1 + 2 * PACKET;

  static final String FFMPEG_PUBLISH_CLIENT = "ffmpeg-publish.client.head.bin";
  static final String FFMPEG_PUBLISH_SERVER = "ffmpeg-publish.server.head.bin";
  static final String FFMPEG_PLAY_CLIENT = "ffmpeg-play.client.head.bin";
  static final String FFMPEG_PLAY_SERVER = "ffmpeg-play.server.head.bin";
  static final String RTMPDUMP_PLAY_CLIENT = "rtmpdump-play.client.head.bin";

  private Captures() {}

  static byte[] read(String name) {
    try (InputStream in = Captures.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource " + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** C1 or S1. */
  static byte[] first(byte[] capture) {
    return Arrays.copyOfRange(capture, 1, 1 + PACKET);
  }

  /** C2 or S2. */
  static byte[] second(byte[] capture) {
    return Arrays.copyOfRange(capture, 1 + PACKET, HANDSHAKE_END);
  }

  static byte[] after(byte[] capture) {
    return Arrays.copyOfRange(capture, HANDSHAKE_END, capture.length);
  }

  static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }

  static byte[] unhex(String hex) {
    return HexFormat.of().parseHex(hex);
  }

  static Buffer buf(byte[] bytes, int from, int to) {
    return Buffer.buffer(Arrays.copyOfRange(bytes, from, to));
  }

  /** Collects what a handshake sends. */
  static final class Sent implements java.util.function.Consumer<Buffer> {
    final List<Buffer> writes = new ArrayList<>();

    @Override
    public void accept(Buffer buffer) {
      writes.add(buffer);
    }

    byte[] all() {
      Buffer joined = Buffer.buffer();
      writes.forEach(joined::appendBuffer);
      return joined.getBytes();
    }
  }
}
