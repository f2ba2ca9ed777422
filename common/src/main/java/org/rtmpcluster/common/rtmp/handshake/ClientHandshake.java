package org.rtmpcluster.common.rtmp.handshake;

import io.vertx.core.buffer.Buffer;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * Client side of the RTMP handshake, for the project's own RTMP client: sends C0+C1, reads
 * S0+S1+S2, answers C2.
 *
 * <p>Plain mode behaves like rtmpdump/librtmp: C1 has version zero and C2 echoes S1. Digest mode
 * behaves like ffmpeg: C1 claims Flash Player 9.0.124.2 and carries a digest; when the server
 * answers with a version whose first byte is at least 3 (FMS 3 and later, nginx-rtmp, SRS), its
 * S1 digest and S2 signature must verify, and C2 is signed with a key derived from S1's digest.
 * A server answering with version zero is taken to be plain and gets an echo, as ffmpeg does.
 *
 * <p>Input may arrive in any split; bad input moves to {@link HandshakeState#FAILED}, never
 * throws. Not thread-safe; use from one event loop.
 */
public final class ClientHandshake {

  /** The version C1 claims in digest mode, the one ffmpeg sends: 9.0.124.2. */
  private static final byte[] FLASH_PLAYER_VERSION = {0x09, 0x00, 0x7c, 0x02};

  /**
   * Servers whose S1 version starts with at least this byte promise a digest answer; the rule
   * ffmpeg applies before it verifies S1 and S2.
   */
  private static final int FIRST_DIGEST_SERVER_VERSION = 3;

  private static final int VERSION_OFFSET = 4;
  private static final int PACKET_SIZE = HandshakeDigest.PACKET_SIZE;

  private final RandomGenerator random;
  private final boolean digest;
  private final byte[] c1;
  private final byte[] c1Digest;

  private boolean started;
  private HandshakeState state = HandshakeState.AWAITING_S0S1S2;
  private String failureReason;
  private boolean versionRead;
  private byte[] s1 = new byte[PACKET_SIZE];
  private int s1Filled;
  private byte[] s2 = new byte[PACKET_SIZE];
  private int s2Filled;
  private boolean serverUsedDigest;
  private Buffer remainder = Buffer.buffer();

  /**
   * @param digest true: send a digest C1 like ffmpeg and verify the server's digests; false:
   *     plain, like rtmpdump
   */
  public ClientHandshake(boolean digest) {
    this(digest, DigestLayout.DIGEST_FIRST, null);
  }

  /** For tests: choose the C1 digest layout and the random source (null: ThreadLocalRandom). */
  ClientHandshake(boolean digest, DigestLayout layout, RandomGenerator random) {
    this.random = random;
    this.digest = digest;
    c1 = new byte[PACKET_SIZE];
    rng().nextBytes(c1);
    // Time field zero: an epoch of our choosing (RTMP 1.0, section 5.2.3).
    Arrays.fill(c1, 0, VERSION_OFFSET, (byte) 0);
    if (digest) {
      System.arraycopy(FLASH_PLAYER_VERSION, 0, c1, VERSION_OFFSET, 4);
      HandshakeDigest.imprint(c1, layout, HandshakeDigest.FLASH_PLAYER_KEY_OPEN_PART);
      c1Digest = HandshakeDigest.digestBytes(c1, layout);
    } else {
      Arrays.fill(c1, VERSION_OFFSET, VERSION_OFFSET + 4, (byte) 0);
      c1Digest = null;
    }
  }

  /**
   * For tests: replay a recorded C1 (e.g. ffmpeg's). Digest mode is on when it carries a valid
   * Flash Player digest.
   */
  ClientHandshake(byte[] recordedC1, RandomGenerator random) {
    this.random = random;
    c1 = Arrays.copyOf(recordedC1, PACKET_SIZE);
    DigestLayout layout =
        HandshakeDigest.findDigest(c1, HandshakeDigest.FLASH_PLAYER_KEY_OPEN_PART);
    digest = layout != null;
    c1Digest = digest ? HandshakeDigest.digestBytes(c1, layout) : null;
  }

  /** C0+C1, to be written first. Calling it again returns the same bytes. */
  public Buffer start() {
    started = true;
    return Buffer.buffer(1 + PACKET_SIZE)
        .appendByte((byte) ServerHandshake.RTMP_VERSION)
        .appendBytes(c1);
  }

  /**
   * Consumes the server's bytes, in any split. When S0+S1+S2 are complete and acceptable, sends C2
   * to {@code send} and reaches DONE; bytes after S2 are kept for {@link #takeRemainder()}.
   */
  public HandshakeState feed(Buffer input, Consumer<Buffer> send) {
    int length = input == null ? 0 : input.length();
    int pos = 0;
    if (!started && state == HandshakeState.AWAITING_S0S1S2 && length > 0) {
      fail("received server bytes before start() sent C0+C1");
    }
    while (true) {
      switch (state) {
        case AWAITING_S0S1S2:
          if (!versionRead) {
            if (pos == length) {
              return state;
            }
            int version = input.getUnsignedByte(pos++);
            if (version != ServerHandshake.RTMP_VERSION) {
              fail("server answered with RTMP version " + version + " (expected 3)");
              return state;
            }
            versionRead = true;
          }
          if (s1Filled < PACKET_SIZE) {
            int n = Math.min(length - pos, PACKET_SIZE - s1Filled);
            input.getBytes(pos, pos + n, s1, s1Filled);
            pos += n;
            s1Filled += n;
          }
          int n = Math.min(length - pos, PACKET_SIZE - s2Filled);
          input.getBytes(pos, pos + n, s2, s2Filled);
          pos += n;
          s2Filled += n;
          if (s2Filled < PACKET_SIZE) {
            return state;
          }
          Buffer c2 = answer();
          if (c2 == null) {
            return state;
          }
          state = HandshakeState.DONE;
          send.accept(c2);
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

  /** The current phase: AWAITING_S0S1S2, DONE or FAILED. */
  public HandshakeState state() {
    return state;
  }

  /** Why the handshake failed, or null unless {@link #state()} is FAILED. */
  public String failureReason() {
    return failureReason;
  }

  /** Bytes received after S2 (the server's first chunks); empty if none. */
  public Buffer takeRemainder() {
    Buffer taken = remainder;
    remainder = Buffer.buffer();
    return taken;
  }

  /** True when the server answered with verified S1/S2 digests (digest mode only). */
  public boolean serverUsedDigest() {
    return serverUsedDigest;
  }

  /** Verifies S1/S2 and builds C2; null after failing. */
  private Buffer answer() {
    byte[] c2;
    int serverMajor = s1[VERSION_OFFSET] & 0xFF;
    if (digest && serverMajor >= FIRST_DIGEST_SERVER_VERSION) {
      DigestLayout layout = HandshakeDigest.findDigest(s1, HandshakeDigest.FMS_KEY_OPEN_PART);
      if (layout == null) {
        fail("server S1 claims version " + serverVersion() + " but carries no valid digest");
        return null;
      }
      if (!HandshakeDigest.isSigned(s2, c1Digest, HandshakeDigest.FMS_KEY)) {
        fail("server S2 signature does not match our C1 digest");
        return null;
      }
      serverUsedDigest = true;
      c2 = new byte[PACKET_SIZE];
      rng().nextBytes(c2);
      byte[] s1Digest = HandshakeDigest.digestBytes(s1, layout);
      HandshakeDigest.sign(c2, s1Digest, HandshakeDigest.FLASH_PLAYER_KEY);
    } else {
      // Plain answer: echo S1 (RTMP 1.0, section 5.2.4). S2 should echo C1, but like librtmp we
      // do not insist: some servers put their own time in it.
      c2 = s1;
    }
    s1 = null;
    s2 = null;
    return Buffer.buffer(c2);
  }

  private String serverVersion() {
    return (s1[4] & 0xFF) + "." + (s1[5] & 0xFF) + "." + (s1[6] & 0xFF) + "." + (s1[7] & 0xFF);
  }

  private RandomGenerator rng() {
    return random != null ? random : ThreadLocalRandom.current();
  }

  private void fail(String reason) {
    state = HandshakeState.FAILED;
    failureReason = reason;
    s1 = null;
    s2 = null;
  }
}
