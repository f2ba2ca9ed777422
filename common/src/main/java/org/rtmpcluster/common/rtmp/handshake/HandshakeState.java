package org.rtmpcluster.common.rtmp.handshake;

/** The phase a {@link ServerHandshake} or {@link ClientHandshake} is in. */
public enum HandshakeState {
  /** Server: waiting for the client's version byte C0 and its 1536-byte C1. */
  AWAITING_C0C1,
  /** Server: S0+S1+S2 sent, waiting for the client's 1536-byte C2. */
  AWAITING_C2,
  /** Client: C0+C1 sent (or about to be), waiting for the server's S0+S1+S2. */
  AWAITING_S0S1S2,
  /** Handshake complete; the bytes that follow belong to the chunk stream. */
  DONE,
  /** Handshake failed; see {@code failureReason()}. Further input is ignored. */
  FAILED
}
