/**
 * The RTMP handshake (C0/C1/C2 and S0/S1/S2), server and client side.
 *
 * <p>Both sides come in two flavours that real clients use: the plain handshake of the RTMP 1.0
 * specification (section 5.2), where S2 echoes C1 and C2 echoes S1, and the Flash-era "digest"
 * (a.k.a. "complex") handshake, where C1 and S1 carry an HMAC-SHA256 digest at a position
 * derived from the packet itself and S2/C2 are signed with a key derived from the peer's digest.
 * {@link org.rtmpcluster.common.rtmp.handshake.HandshakeDigest} holds the arithmetic and keys.
 *
 * <p>The handshake classes are pure byte-in/byte-out state machines: they never touch sockets,
 * never throw on bad input (they move to {@code FAILED} with a reason) and hand the bytes that
 * follow the handshake to whoever decodes chunks next.
 */
package org.rtmpcluster.common.rtmp.handshake;
