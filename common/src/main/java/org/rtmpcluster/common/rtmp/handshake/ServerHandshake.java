package org.rtmpcluster.common.rtmp.handshake;

import io.vertx.core.buffer.Buffer;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Server side of the RTMP handshake: reads C0+C1, answers S0+S1+S2 in one write, reads C2.
 *
 * <p>A plain C1 (version bytes zero, as rtmpdump/librtmp send) gets the specification's answer
 * (RTMP 1.0, section 5.2.3): S1 random with version zero, S2 an exact echo of C1. A C1 that
 * carries a valid Flash Player digest in either {@link DigestLayout} gets the digest answer
 * ffmpeg and Flash-era clients verify: S1 with an FMS-keyed digest in the client's layout, S2
 * signed with a key derived from the client's digest (see {@link HandshakeDigest}). A C1 that
 * claims a version but carries no valid digest is answered plainly, as nginx-rtmp does.
 *
 * <p>Input may arrive in any split. C2 is awaited but not enforced: clients send all sorts of
 * C2 and nothing in the session depends on it. Not thread-safe; use from one event loop.
 */
public final class ServerHandshake {

  private static final Logger LOG = LoggerFactory.getLogger(ServerHandshake.class);

  /** Size of C1/S1/C2/S2 (RTMP 1.0, section 5.2.3). */
  public static final int PACKET_SIZE = HandshakeDigest.PACKET_SIZE;

  /** The only C0 version byte served: plain RTMP. */
  static final int RTMP_VERSION = 3;

  /**
   * Version bytes S1 carries in the digest answer, read by clients as "server 13.14.10.13". The
   * value is what FMS-style servers (and nginx-rtmp) send; ffmpeg only verifies the server's
   * digests when the first of these is at least 3, so it must not be zero here.
   */
  private static final byte[] DIGEST_SERVER_VERSION = {0x0d, 0x0e, 0x0a, 0x0d};

  /** Where the 4 version bytes of C1/S1 sit, after the 4-byte time field. */
  private static final int VERSION_OFFSET = 4;

  private final RandomGenerator random;

  private HandshakeState state = HandshakeState.AWAITING_C0C1;
  private String failureReason;
  private boolean versionRead;
  private byte[] c1 = new byte[PACKET_SIZE];
  private int c1Filled;
  private byte[] s1;
  private byte[] c2;
  private int c2Filled;
  private DigestLayout clientDigestLayout;
  private byte[] clientDigest;
  private boolean c2Recognized;
  private Buffer remainder = Buffer.buffer();

  /** A handshake drawing its random bytes from {@link ThreadLocalRandom}. */
  public ServerHandshake() {
    this(null);
  }

  /** For tests: a fixed random source makes the answer reproducible; null: ThreadLocalRandom. */
  ServerHandshake(RandomGenerator random) {
    this.random = random;
  }

  /**
   * Consumes received bytes, in any split (even one byte at a time). When C1 is complete, sends
   * S0+S1+S2 as one buffer to {@code send}. Bytes after C2 are kept for {@link #takeRemainder()}.
   * Never throws for any input; bad input moves to {@link HandshakeState#FAILED} and nothing is
   * sent. Input after FAILED is ignored.
   */
  public HandshakeState feed(Buffer input, Consumer<Buffer> send) {
    int length = input == null ? 0 : input.length();
    int pos = 0;
    while (true) {
      switch (state) {
        case AWAITING_C0C1:
          if (!versionRead) {
            if (pos == length) {
              return state;
            }
            int version = input.getUnsignedByte(pos++);
            if (version != RTMP_VERSION) {
              fail(unsupportedVersionReason(version));
              return state;
            }
            versionRead = true;
          }
          int c1Bytes = Math.min(length - pos, PACKET_SIZE - c1Filled);
          input.getBytes(pos, pos + c1Bytes, c1, c1Filled);
          pos += c1Bytes;
          c1Filled += c1Bytes;
          if (c1Filled < PACKET_SIZE) {
            return state;
          }
          Buffer reply = answer();
          state = HandshakeState.AWAITING_C2;
          send.accept(reply);
          break;
        case AWAITING_C2:
          int c2Bytes = Math.min(length - pos, PACKET_SIZE - c2Filled);
          input.getBytes(pos, pos + c2Bytes, c2, c2Filled);
          pos += c2Bytes;
          c2Filled += c2Bytes;
          if (c2Filled < PACKET_SIZE) {
            return state;
          }
          checkC2();
          state = HandshakeState.DONE;
          break;
        case DONE:
          if (pos < length) {
            remainder.appendBuffer(input, pos, length - pos);
          }
          return state;
        default:
          return state;
      }
    }
  }

  /** The current phase. */
  public HandshakeState state() {
    return state;
  }

  /** Why the handshake failed, or null unless {@link #state()} is FAILED. */
  public String failureReason() {
    return failureReason;
  }

  /**
   * Bytes received after C2, the start of the chunk stream; empty if none. Each call hands over
   * what has arrived since the previous call.
   */
  public Buffer takeRemainder() {
    Buffer taken = remainder;
    remainder = Buffer.buffer();
    return taken;
  }

  /** True when C1 carried a valid Flash Player digest (and so S1/S2 carry digests too). */
  public boolean clientUsedDigest() {
    return clientDigestLayout != null;
  }

  /** The layout of C1's digest, or null when C1 had none. */
  public DigestLayout clientDigestLayout() {
    return clientDigestLayout;
  }

  /**
   * True when C2 was an echo of S1 or, after a digest C1, signed with a key derived from S1's
   * digest. Informational only: a false value does not fail the handshake.
   */
  boolean c2Recognized() {
    return c2Recognized;
  }

  private Buffer answer() {
    RandomGenerator rng = random != null ? random : ThreadLocalRandom.current();
    if (!isZero(c1, VERSION_OFFSET, 4)) {
      clientDigestLayout =
          HandshakeDigest.findDigest(c1, HandshakeDigest.FLASH_PLAYER_KEY_OPEN_PART);
    }
    s1 = new byte[PACKET_SIZE];
    rng.nextBytes(s1);
    // Time field zero: the specification allows any epoch, and no client relies on it.
    Arrays.fill(s1, 0, VERSION_OFFSET, (byte) 0);
    byte[] s2;
    if (clientDigestLayout != null) {
      System.arraycopy(DIGEST_SERVER_VERSION, 0, s1, VERSION_OFFSET, 4);
      HandshakeDigest.imprint(s1, clientDigestLayout, HandshakeDigest.FMS_KEY_OPEN_PART);
      clientDigest = HandshakeDigest.digestBytes(c1, clientDigestLayout);
      s2 = new byte[PACKET_SIZE];
      rng.nextBytes(s2);
      HandshakeDigest.sign(s2, clientDigest, HandshakeDigest.FMS_KEY);
    } else {
      // Version zero tells digest-aware clients (ffmpeg) not to look for digests in S1/S2.
      Arrays.fill(s1, VERSION_OFFSET, VERSION_OFFSET + 4, (byte) 0);
      s2 = c1;
    }
    c2 = new byte[PACKET_SIZE];
    Buffer reply = Buffer.buffer(1 + 2 * PACKET_SIZE);
    reply.appendByte((byte) RTMP_VERSION).appendBytes(s1).appendBytes(s2);
    c1 = null;
    return reply;
  }

  private void checkC2() {
    c2Recognized =
        Arrays.equals(c2, s1)
            || (clientDigest != null
                && HandshakeDigest.isSigned(
                    c2, HandshakeDigest.digestBytes(s1, clientDigestLayout),
                    HandshakeDigest.FLASH_PLAYER_KEY));
    if (!c2Recognized) {
      LOG.debug("C2 is neither an echo of S1 nor signed with S1's digest; accepted anyway");
    }
    s1 = null;
    c2 = null;
  }

  private void fail(String reason) {
    state = HandshakeState.FAILED;
    failureReason = reason;
    c1 = null;
  }

  static String unsupportedVersionReason(int version) {
    String hint;
    switch (version) {
      case 6:
      case 8:
      case 9:
        hint = " (RTMPE, encrypted RTMP, is not supported)";
        break;
      case 0x16:
        hint = " (looks like a TLS ClientHello: RTMPS sent to a plain RTMP port?)";
        break;
      case 'G':
      case 'P':
      case 'H':
      case 'O':
        hint = " (looks like HTTP: RTMPT or a web request sent to the RTMP port?)";
        break;
      default:
        hint = " (expected 3)";
    }
    return "unsupported RTMP version " + version + hint;
  }

  private static boolean isZero(byte[] bytes, int from, int count) {
    for (int i = from; i < from + count; i++) {
      if (bytes[i] != 0) {
        return false;
      }
    }
    return true;
  }
}
