package org.rtmpcluster.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rtmpcluster.common.testing.SyntheticMedia.aacSequenceHeader;
import static org.rtmpcluster.common.testing.SyntheticMedia.avcSequenceHeader;
import static org.rtmpcluster.common.testing.SyntheticMedia.marker;
import static org.rtmpcluster.common.testing.SyntheticMedia.setDataFrameMetadata;
import static org.rtmpcluster.common.testing.SyntheticMedia.videoFrame;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.rtmpcluster.client.RtmpCallException;
import org.rtmpcluster.client.RtmpClient;
import org.rtmpcluster.common.amf.AmfException;
import org.rtmpcluster.common.amf.AmfLimits;
import org.rtmpcluster.common.config.MemorySettings;
import org.rtmpcluster.common.config.RtmpSettings;
import org.rtmpcluster.common.rtmp.chunk.ChunkDecoder;
import org.rtmpcluster.common.rtmp.chunk.ChunkEncoder;
import org.rtmpcluster.common.rtmp.chunk.ChunkLimits;
import org.rtmpcluster.common.rtmp.chunk.RtmpMessage;
import org.rtmpcluster.common.rtmp.handshake.ClientHandshake;
import org.rtmpcluster.common.rtmp.handshake.HandshakeState;
import org.rtmpcluster.common.rtmp.handshake.ServerHandshake;
import org.rtmpcluster.common.rtmp.message.Command;
import org.rtmpcluster.common.rtmp.message.MessageType;
import org.rtmpcluster.common.rtmp.message.UserControl;
import org.rtmpcluster.common.rtmp.session.NodeConnections;
import org.rtmpcluster.common.rtmp.session.Status;
import org.rtmpcluster.common.testing.Await;

/**
 * Bad input closes only the offending connection, once, with a reason that names the cause, and
 * leaves the other sessions alone (design section 6). Each test runs a healthy publisher and a
 * healthy player, lets one bad client do its thing, then checks that the node closed it with one
 * "closing" event (the registry's close listener sees exactly what the log line says), counted
 * it, and that frames sent afterwards still reach the player.
 */
class BadInputTest {
  /**
   * Small timeouts keep the timeout tests fast, yet leave a healthy client's handshake room on a
   * loaded two-core machine (500 ms was seen to be too tight); pings stay well below idle.
   */
  private static final int HANDSHAKE_TIMEOUT_MS = 1500;
  private static final int IDLE_TIMEOUT_MS = 2000;
  private static final int PING_INTERVAL_MS = 200;
  /** Tight limits so that the vectors stay short; the healthy clients stay well inside them. */
  private static final int MAX_CHUNK_SIZE = 8192;
  private static final int MAX_MESSAGE_LENGTH = 65536;
  private static final int MAX_CHUNK_STREAMS = 8;
  private static final int MAX_INCOMPLETE_BYTES_BEFORE_PUBLISH = 16 << 10;
  /** Room for two peers at the before-publish limit, and a little for the healthy publisher. */
  private static final long NODE_INCOMPLETE_BYTES = 40 << 10;
  private static final int AMF_MAX_DEPTH = 8;
  private static final int AMF_MAX_STRING_LENGTH = 1024;
  /** How long a close caused by bad input may take to reach the client. */
  private static final Duration PROMPTLY = Duration.ofSeconds(3);

  private record Close(String remote, String reason) {
  }

  private TestNode node;
  private final List<Close> closes = new CopyOnWriteArrayList<>();
  private RtmpClient publisher;
  private int publisherStream;
  private RtmpClient player;
  private final List<Integer> playerMarkers = new CopyOnWriteArrayList<>();
  private int nextMarker;
  /** Holds the raw peers, and so their NetClients, until the test ends. */
  private final List<RawPeer> peers = new ArrayList<>();

  /**
   * The first digest handshake in a JVM loads and initializes the HMAC classes, which on a busy
   * machine takes longer than the short handshake timeout used here. One handshake in memory
   * first makes the timeout measure the healthy clients' network round trip, not class loading.
   */
  @BeforeAll
  static void warmUpTheHandshakeCrypto() {
    ClientHandshake client = new ClientHandshake(true);
    ServerHandshake server = new ServerHandshake();
    List<Buffer> s0s1s2 = new ArrayList<>();
    server.feed(client.start(), s0s1s2::add);
    assertEquals(HandshakeState.DONE, client.feed(s0s1s2.get(0), c2 -> server.feed(c2, b -> { })));
    assertEquals(HandshakeState.DONE, server.state());
  }

  @BeforeEach
  void startNodeWithAPublisherAndAPlayer() {
    node = TestNode.start(c -> c.withRtmp(strict(c.rtmp()))
        .withMemory(new MemorySettings(NODE_INCOMPLETE_BYTES, 0)));
    node.node.connections().closeListener((remote, reason) -> closes.add(new Close(remote, reason)));

    publisher = node.connect();
    publisherStream = Await.on(publisher.context(), () -> publisher.publish(TestNode.KEY.key()));
    Await.run(publisher.context(), () -> {
      publisher.sendData(publisherStream, 0, setDataFrameMetadata("bad input"));
      publisher.sendVideo(publisherStream, 0, avcSequenceHeader(1));
      publisher.sendAudio(publisherStream, 0, aacSequenceHeader());
    });
    sendVideo(true);

    player = node.connect();
    player.mediaHandler(m -> {
      if (m.typeId() == MessageType.VIDEO && m.payload().getUnsignedByte(1) == 1) {
        playerMarkers.add(marker(m.payload()));
      }
    });
    Await.on(player.context(), () -> player.play("show"));
    Await.until(() -> playerMarkers.contains(0), "the player's first keyframe");
  }

  @AfterEach
  void stop() {
    if (node != null) {
      node.close();
    }
  }

  private static RtmpSettings strict(RtmpSettings r) {
    return r.toBuilder()
        .handshakeTimeoutMs(HANDSHAKE_TIMEOUT_MS)
        .idleTimeoutMs(IDLE_TIMEOUT_MS)
        .pingIntervalMs(PING_INTERVAL_MS)
        .chunkLimits(new ChunkLimits(MAX_CHUNK_SIZE, MAX_MESSAGE_LENGTH, MAX_CHUNK_STREAMS,
            MAX_MESSAGE_LENGTH, MAX_INCOMPLETE_BYTES_BEFORE_PUBLISH))
        .amfLimits(new AmfLimits(AMF_MAX_DEPTH, AMF_MAX_STRING_LENGTH, AmfLimits.DEFAULT_MAX_ELEMENTS))
        .build();
  }

  // ---- handshake ----

  @Test
  void wrongVersionByteClosesOnlyThatConnection() {
    RawPeer bad = openPeer();
    bad.sendRaw(bytes(
        0x06)                              // C0: version 6, RTMPE (encrypted RTMP)
        .appendBytes(new byte[1536]));     // C1: time, zero, random; never read
    assertClosedForProtocolError(bad, "unsupported RTMP version 6");
    assertEquals(0, bad.bytesReceived.get(), "the server answers no S0/S1/S2 to a version it does not serve");
    assertOthersUntouched(1);
  }

  @Test
  void stalledHandshakeIsClosedAfterTheHandshakeTimeout() {
    long start = System.nanoTime();
    RawPeer bad = openPeer();
    bad.sendRaw(bytes(
        0x03)                              // C0: version 3
        .appendBytes(new byte[700]));      // C1: only 700 of its 1536 bytes, then nothing
    Await.until(bad::isClosed, Duration.ofMillis(HANDSHAKE_TIMEOUT_MS + 2000), "handshake timeout");
    long elapsedMs = (bad.closedAtNanos - start) / 1_000_000;
    assertTrue(elapsedMs >= HANDSHAKE_TIMEOUT_MS, "closed after " + elapsedMs + " ms, before the timeout");
    assertOneClose(bad, "handshake not completed within " + HANDSHAKE_TIMEOUT_MS + " ms");
    assertEquals(1, registry().timeouts());
    assertEquals(0, registry().protocolErrors());
    assertOthersUntouched(1);
  }

  // ---- chunk stream ----

  @Test
  void chunkSizeZeroClosesTheConnection() {
    RawPeer bad = connectedPeer();
    bad.sendRaw(bytes(
        0x02,                              // basic header: fmt 0, chunk stream 2 (protocol control)
        0x00, 0x00, 0x00,                  // timestamp 0
        0x00, 0x00, 0x04,                  // message length 4
        0x01,                              // type 1: Set Chunk Size
        0x00, 0x00, 0x00, 0x00,            // message stream 0 (little-endian)
        0x00, 0x00, 0x00, 0x00));          // chunk size 0
    assertClosedForProtocolError(bad, "chunk size 0 outside 1.." + MAX_CHUNK_SIZE);
    assertOthersUntouched(1);
  }

  @Test
  void chunkSizeAboveTheLimitClosesTheConnection() {
    RawPeer bad = connectedPeer();
    bad.sendRaw(bytes(
        0x02,                              // basic header: fmt 0, chunk stream 2 (protocol control)
        0x00, 0x00, 0x00,                  // timestamp 0
        0x00, 0x00, 0x04,                  // message length 4
        0x01,                              // type 1: Set Chunk Size
        0x00, 0x00, 0x00, 0x00,            // message stream 0 (little-endian)
        0x00, 0x00, 0x20, 0x01));          // chunk size 8193: MAX_CHUNK_SIZE + 1
    assertClosedForProtocolError(bad, "chunk size 8193 outside 1.." + MAX_CHUNK_SIZE);
    assertOthersUntouched(1);
  }

  @Test
  void messageLengthAboveTheLimitClosesTheConnectionBeforeThePayloadArrives() {
    RawPeer bad = connectedPeer();
    bad.sendRaw(bytes(
        0x03,                              // basic header: fmt 0, chunk stream 3 (commands)
        0x00, 0x00, 0x00,                  // timestamp 0
        0x01, 0x00, 0x01,                  // message length 65537: MAX_MESSAGE_LENGTH + 1
        0x14,                              // type 20: AMF0 command
        0x00, 0x00, 0x00, 0x00));          // message stream 0; no payload follows
    assertClosedForProtocolError(bad, "message of 65537 bytes on chunk stream 3 exceeds the limit of "
        + MAX_MESSAGE_LENGTH);
    assertOthersUntouched(1);
  }

  @Test
  void tooManyChunkStreamsClosesTheConnection() {
    RawPeer bad = connectedPeer(); // connect used chunk stream 3: one of the MAX_CHUNK_STREAMS
    Buffer chunks = Buffer.buffer();
    for (int csid = 4; csid <= 3 + MAX_CHUNK_STREAMS; csid++) {
      chunks
          .appendUnsignedByte((short) csid) // basic header: fmt 0, chunk stream 4, 5, ... 11
          .appendMedium(0)                  // timestamp 0
          .appendMedium(0)                  // message length 0: the header alone opens the chunk stream
          .appendUnsignedByte((short) 8)    // type 8: audio
          .appendIntLE(1);                  // message stream 1 (little-endian)
    }
    bad.sendRaw(chunks);
    assertClosedForProtocolError(bad, "more than " + MAX_CHUNK_STREAMS + " chunk streams");
    assertOthersUntouched(1);
  }

  @Test
  void typeOneChunkWithoutPriorHeaderClosesTheConnection() {
    RawPeer bad = connectedPeer();
    bad.sendRaw(bytes(
        0x44,                              // basic header: fmt 1, chunk stream 4, never used before
        0x00, 0x00, 0x21,                  // timestamp delta 33
        0x00, 0x00, 0x02,                  // message length 2
        0x08,                              // type 8: audio
        0xAF, 0x01));                      // payload: AAC raw frame
    assertClosedForProtocolError(bad, "chunk of type 1 on chunk stream 4 with no prior header");
    assertOthersUntouched(1);
  }

  @Test
  void typeTwoChunkWithoutPriorHeaderClosesTheConnection() {
    RawPeer bad = connectedPeer();
    bad.sendRaw(bytes(
        0x84,                              // basic header: fmt 2, chunk stream 4, never used before
        0x00, 0x00, 0x21,                  // timestamp delta 33; length and type would come from a prior header
        0xAF, 0x01));                      // what the peer means as payload
    assertClosedForProtocolError(bad, "chunk of type 2 on chunk stream 4 with no prior header");
    assertOthersUntouched(1);
  }

  @Test
  void typeThreeChunkWithoutPriorHeaderClosesTheConnection() {
    RawPeer bad = connectedPeer();
    bad.sendRaw(bytes(
        0xC4,                              // basic header: fmt 3, chunk stream 4, never used before
        0xAF, 0x01));                      // what the peer means as payload
    assertClosedForProtocolError(bad, "chunk of type 3 on chunk stream 4 with no prior header");
    assertOthersUntouched(1);
  }

  @Test
  void declaredLengthsHoldOnlyWhatArrived() {
    RawPeer bad = openPeer();
    bad.handshake();
    Buffer chunks = setChunkSizeOne();
    int messages = MAX_CHUNK_STREAMS - 1; // chunk stream 2 is one of them
    for (int csid = 3; csid < 3 + messages; csid++) {
      chunks
          .appendUnsignedByte((short) csid) // basic header: fmt 0, chunk stream 3, 4, ... 9
          .appendMedium(0)                  // timestamp 0
          .appendMedium(MAX_MESSAGE_LENGTH - 1) // message length: just under the limit
          .appendUnsignedByte((short) 9)    // type 9: video
          .appendIntLE(1)                   // message stream 1 (little-endian)
          .appendUnsignedByte((short) 0x17); // one byte of the message
    }
    long before = registry().incompleteMessages().used();
    bad.sendRaw(chunks);
    Await.until(() -> registry().incompleteMessages().used() > before, "the peer's bytes to arrive");
    long held = registry().incompleteMessages().used() - before;
    assertTrue(held <= messages * 256L, messages + " one-byte messages hold " + held + " bytes");
    assertFalse(bad.isClosed(), "nothing this peer did is over a limit yet");
    assertOthersUntouched(0);
  }

  @Test
  void aCommandLongerThanAllowedBeforePublishClosesTheConnection() {
    RawPeer bad = connectedPeer();
    Buffer body = createStreamPrefix()
        .appendUnsignedByte((short) 0x0C)                 // long string marker
        .appendUnsignedInt(40_000)                        // length 40000
        .appendBytes(new byte[40_000]);
    bad.send(command(body));
    assertClosedForProtocolError(bad, "more than this connection's limit of " + MAX_INCOMPLETE_BYTES_BEFORE_PUBLISH);
    assertEquals(0, registry().incompleteMessages().used(), "what the peer held is given back");
    assertOthersUntouched(1);
  }

  @Test
  void peersThatSpendTheNodesBudgetAreClosedAndTheOthersGoOn() {
    // Each peer begins a command of 60 KB and sends 16000 bytes of it, within its own limit (the
    // buffer doubles to 16 KiB); two of them hold 32 KiB of the node's 40, and the third, asking
    // for more than is left, is the one closed.
    Buffer body = createStreamPrefix()
        .appendUnsignedByte((short) 0x0C)                 // long string marker
        .appendUnsignedInt(60_000)                        // length 60000
        .appendBytes(new byte[60_000]);
    Buffer chunks = new ChunkEncoder().encode(command(body)); // chunks of 128 with 1-byte headers
    int sent = 12 + 16_000 + 124;                             // the first header, 125 chunks, 124 headers
    List<RawPeer> attackers = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      RawPeer peer = connectedPeer();
      attackers.add(peer);
      long before = registry().incompleteMessages().used();
      peer.sendRaw(chunks.slice(0, sent));
      if (i < 2) {
        Await.until(() -> registry().incompleteMessages().used() >= before + (16 << 10), "peer " + i + "'s bytes");
      }
    }
    assertClosedForProtocolError(attackers.get(2), "the node's budget for messages in progress is spent");
    assertFalse(attackers.get(0).isClosed(), "the peers that got their bytes in keep them");
    assertFalse(attackers.get(1).isClosed());
    assertOthersUntouched(1);
  }

  /** Set Chunk Size 1 on chunk stream 2, as the first message after the handshake. */
  private static Buffer setChunkSizeOne() {
    return bytes(
        0x02,                              // basic header: fmt 0, chunk stream 2 (protocol control)
        0x00, 0x00, 0x00,                  // timestamp 0
        0x00, 0x00, 0x04,                  // message length 4
        0x01,                              // type 1: Set Chunk Size
        0x00, 0x00, 0x00, 0x00,            // message stream 0 (little-endian)
        0x00, 0x00, 0x00, 0x01);           // chunk size 1
  }

  // ---- AMF ----

  @Test
  void amfNestingDeeperThanTheLimitClosesTheConnection() {
    RawPeer bad = connectedPeer();
    Buffer body = createStreamPrefix();
    for (int depth = 1; depth <= AMF_MAX_DEPTH + 1; depth++) {
      body.appendUnsignedByte((short) 0x03)   // object marker: one level deeper
          .appendUnsignedShort(1)              // property name length 1
          .appendString("a");                 // property name "a"
    }
    body.appendUnsignedByte((short) 0x05);     // innermost value: null
    for (int depth = 1; depth <= AMF_MAX_DEPTH + 1; depth++) {
      body.appendUnsignedShort(0)              // empty property name
          .appendUnsignedByte((short) 0x09);   // object end marker
    }
    bad.send(command(body));
    assertClosedForProtocolError(bad, "AMF nesting deeper than " + AMF_MAX_DEPTH);
    assertOthersUntouched(1);
  }

  @Test
  void amfStringLongerThanTheLimitClosesTheConnection() {
    RawPeer bad = connectedPeer();
    Buffer body = createStreamPrefix()
        .appendUnsignedByte((short) 0x02)                 // string marker
        .appendUnsignedShort(AMF_MAX_STRING_LENGTH + 1)   // length 1025, one above the limit
        .appendBytes("x".repeat(AMF_MAX_STRING_LENGTH + 1).getBytes(StandardCharsets.US_ASCII));
    bad.send(command(body));
    assertClosedForProtocolError(bad, "AMF0 string of 1025 bytes exceeds limit " + AMF_MAX_STRING_LENGTH);
    assertOthersUntouched(1);
  }

  @Test
  void truncatedAmfCommandClosesTheConnection() {
    RawPeer bad = connectedPeer();
    Buffer body = bytes(
        0x02,                              // string marker
        0x00, 0x0C)                        // length 12
        .appendString("createStream")      // the command name
        .appendBuffer(bytes(
            0x00,                          // number marker: the transaction id
            0x40, 0x00, 0x00));            // only 3 of the number's 8 bytes: the message ends here
    bad.send(command(body));
    assertClosedForProtocolError(bad, "truncated AMF0 number");
    assertOthersUntouched(1);
  }

  // ---- commands ----

  @Test
  void unknownCommandIsAnsweredWithErrorAndTheConnectionKept() {
    RtmpClient curious = node.connect();
    Throwable failure = Await.failureOn(curious.context(), () -> curious.call("noSuchCommand", null));
    Command error = assertInstanceOf(RtmpCallException.class, failure).error();
    assertEquals("_error", error.name());
    Map<?, ?> info = (Map<?, ?>) error.argument(0);
    assertEquals(Status.CALL_FAILED, info.get("code"));
    assertTrue(info.get("description").toString().contains("noSuchCommand"), info.toString());
    assertTrue(Await.on(curious.context(), curious::createStream) > 0, "the connection stays usable");
    assertFalse(curious.closeFuture().isComplete());
    assertEquals(0, registry().protocolErrors());
    assertOthersUntouched(0);
  }

  @Test
  void playBeforeConnectClosesTheConnection() {
    RawPeer bad = openPeer();
    bad.handshake();
    bad.send(Command.of("play", 2, null, "show", -2000.0).toMessage(1));
    assertClosedForProtocolError(bad, "command play before connect");
    assertOthersUntouched(1);
  }

  @Test
  void publishBeforeConnectClosesTheConnection() {
    RawPeer bad = openPeer();
    bad.handshake();
    bad.send(Command.of("publish", 2, null, TestNode.KEY.key(), "live").toMessage(1));
    assertClosedForProtocolError(bad, "command publish before connect");
    assertOthersUntouched(1);
  }

  @Test
  void publishBeforeCreateStreamIsRefusedAndTheConnectionClosed() {
    RawPeer bad = connectedPeer();
    bad.send(Command.of("publish", 2, null, TestNode.KEY.key(), "live").toMessage(1));
    assertClosedForProtocolError(bad, "publish before createStream (message stream 1)");
    assertEquals(List.of(Status.STREAM_FAILED), bad.errorStatusCodes(), "onStatus error before the close");
    assertOthersUntouched(1);
  }

  @Test
  void playBeforeCreateStreamIsRefusedAndTheConnectionClosed() {
    RawPeer bad = connectedPeer();
    bad.send(Command.of("play", 2, null, "show", -2000.0).toMessage(1));
    assertClosedForProtocolError(bad, "play before createStream (message stream 1)");
    assertEquals(List.of(Status.PLAY_FAILED), bad.errorStatusCodes(), "onStatus error before the close");
    assertOthersUntouched(1);
  }

  // ---- idle ----

  @Test
  void idleConnectionIsClosedAfterTheIdleTimeout() {
    RawPeer bad = connectedPeer(); // then silent: it reads pings but never answers them
    Await.until(bad::isClosed, Duration.ofMillis(IDLE_TIMEOUT_MS + 2000), "idle timeout");
    long quietMs = (bad.closedAtNanos - bad.lastSentAtNanos) / 1_000_000;
    assertTrue(quietMs >= IDLE_TIMEOUT_MS, "closed after " + quietMs + " quiet ms, before the timeout");
    assertTrue(bad.received.stream().anyMatch(BadInputTest::isPingRequest), "the server pinged first");
    assertOneClose(bad, "nothing received for " + IDLE_TIMEOUT_MS + " ms");
    assertEquals(1, registry().timeouts());
    assertEquals(0, registry().protocolErrors());
    assertOthersUntouched(1);
  }

  // ---- helpers ----

  private NodeConnections registry() {
    return node.node.connections();
  }

  private RawPeer openPeer() {
    RawPeer peer = RawPeer.open(node.vertx, node.port());
    peers.add(peer);
    return peer;
  }

  /** A peer past the handshake and connect, as a real client is when it sends bad input. */
  private RawPeer connectedPeer() {
    RawPeer peer = openPeer();
    peer.handshake();
    peer.connect();
    return peer;
  }

  private void assertClosedForProtocolError(RawPeer bad, String reason) {
    Await.until(bad::isClosed, PROMPTLY, "the server to close the bad connection");
    assertOneClose(bad, reason);
    assertEquals(1, registry().protocolErrors(), "counted as a protocol error");
    assertEquals(0, registry().timeouts());
  }

  private void assertOneClose(RawPeer bad, String reason) {
    Await.until(() -> !closes.isEmpty(), "the close event");
    assertEquals(1, closes.size(), "one close: " + closes);
    Close close = closes.get(0);
    assertEquals(bad.localAddress, close.remote(), "the bad connection is the one closed");
    assertTrue(close.reason().contains(reason), "reason '" + close.reason() + "' should name: " + reason);
  }

  /** Frames sent now still reach the player; publisher and player stay connected; no further closes. */
  private void assertOthersUntouched(int expectedCloses) {
    int first = nextMarker;
    sendVideo(false);
    sendVideo(false);
    sendVideo(false);
    Await.until(() -> playerMarkers.containsAll(List.of(first, first + 1, first + 2)),
        "frames sent after the bad connection went");
    assertFalse(publisher.closeFuture().isComplete(), "the publisher is still connected");
    assertFalse(player.closeFuture().isComplete(), "the player is still connected");
    assertEquals(expectedCloses, closes.size(), "closes: " + closes);
  }

  private void sendVideo(boolean keyframe) {
    int marker = nextMarker++;
    Await.run(publisher.context(),
        () -> publisher.sendVideo(publisherStream, 33L * marker, videoFrame(keyframe, marker, 100)));
  }

  /** Name "createStream", transaction id 2, null command object: the start of the AMF vectors. */
  private static Buffer createStreamPrefix() {
    return bytes(
        0x02,                              // string marker
        0x00, 0x0C)                        // length 12
        .appendString("createStream")      // the command name
        .appendBuffer(bytes(
            0x00,                          // number marker
            0x40, 0x00, 0, 0, 0, 0, 0, 0,  // transaction id 2.0
            0x05));                        // null: the command object
  }

  /** An AMF0 command message (type 20) on chunk stream 3, message stream 0, with the given body. */
  private static RtmpMessage command(Buffer body) {
    return new RtmpMessage(Command.CHUNK_STREAM, MessageType.COMMAND_AMF0, 0, 0, body);
  }

  private static Buffer bytes(int... values) {
    Buffer buffer = Buffer.buffer(values.length);
    for (int value : values) {
      buffer.appendUnsignedByte((short) value);
    }
    return buffer;
  }

  private static boolean isPingRequest(RtmpMessage message) {
    return message.typeId() == MessageType.USER_CONTROL && message.length() >= 2
        && message.payload().getUnsignedShort(0) == UserControl.PING_REQUEST;
  }


  /**
   * A client that sends only what the test tells it to: raw bytes, or messages through its own
   * chunk encoder (chunk size 128). It decodes what the server sends but answers nothing, pings
   * included.
   */
  private static final class RawPeer implements ChunkDecoder.Listener {
    /** Held for the socket's lifetime: Vert.x closes a collected NetClient's sockets. */
    private final NetClient netClient;
    private final NetSocket socket;
    final String localAddress;
    final AtomicLong bytesReceived = new AtomicLong();
    final List<RtmpMessage> received = new CopyOnWriteArrayList<>();
    volatile long closedAtNanos;
    volatile boolean closed;
    volatile long lastSentAtNanos;
    private final ClientHandshake handshake = new ClientHandshake(false);
    private final Promise<Void> handshakeDone = Promise.promise();
    private volatile boolean handshakeStarted;
    private final ChunkDecoder decoder = new ChunkDecoder(ChunkLimits.DEFAULT, this);
    private final ChunkEncoder encoder = new ChunkEncoder();

    private RawPeer(NetClient netClient, NetSocket socket) {
      this.netClient = netClient;
      this.socket = socket;
      this.localAddress = String.valueOf(socket.localAddress());
      socket.handler(this::onData);
      socket.exceptionHandler(e -> { }); // a reset after the server's close is expected
      socket.closeHandler(v -> {
        closedAtNanos = System.nanoTime();
        closed = true;
      });
    }

    static RawPeer open(Vertx vertx, int port) {
      NetClient client = vertx.createNetClient();
      // The handlers are set in map, on the event loop, before any byte or close can arrive.
      return Await.result(client.connect(port, "127.0.0.1").map(socket -> new RawPeer(client, socket)));
    }

    boolean isClosed() {
      return closed;
    }

    void sendRaw(Buffer bytes) {
      lastSentAtNanos = System.nanoTime();
      socket.write(bytes);
    }

    void send(RtmpMessage message) {
      sendRaw(encoder.encode(message));
    }

    /** A plain handshake (C0+C1, then C2 echoing S1). */
    void handshake() {
      handshakeStarted = true;
      sendRaw(handshake.start());
      Await.result(handshakeDone.future());
    }

    /** connect, and wait for its _result. */
    void connect() {
      Map<String, Object> properties = new LinkedHashMap<>();
      properties.put("app", "live");
      properties.put("tcUrl", "rtmp://127.0.0.1/live");
      send(Command.of("connect", 1, properties).toMessage(0));
      Await.until(() -> commands().stream().anyMatch(c -> c.name().equals("_result") && c.transactionId() == 1),
          "connect's _result");
    }

    List<Command> commands() {
      List<Command> commands = new ArrayList<>();
      for (RtmpMessage message : received) {
        if (message.typeId() == MessageType.COMMAND_AMF0) {
          try {
            commands.add(Command.decode(message, AmfLimits.DEFAULT));
          } catch (AmfException e) {
            throw new AssertionError("the server sent a bad command", e);
          }
        }
      }
      return commands;
    }

    /** Codes of the onStatus errors received. */
    List<String> errorStatusCodes() {
      return commands().stream()
          .filter(c -> c.name().equals("onStatus") && c.argument(0) instanceof Map<?, ?> m
              && Status.LEVEL_ERROR.equals(m.get("level")))
          .map(c -> String.valueOf(((Map<?, ?>) c.argument(0)).get("code")))
          .toList();
    }

    private void onData(Buffer data) {
      bytesReceived.addAndGet(data.length());
      if (!handshakeStarted) {
        return;
      }
      if (handshake.state() != HandshakeState.DONE) {
        HandshakeState state = handshake.feed(data, this::sendRaw);
        if (state == HandshakeState.FAILED) {
          handshakeDone.tryFail(handshake.failureReason());
          return;
        }
        if (state != HandshakeState.DONE) {
          return;
        }
        handshakeDone.tryComplete();
        data = handshake.takeRemainder();
      }
      decoder.feed(data);
    }

    @Override
    public void onMessage(RtmpMessage message) {
      received.add(message);
    }

    @Override
    public void onProtocolError(String reason) {
      throw new AssertionError("the server sent a bad chunk stream: " + reason);
    }
  }
}
