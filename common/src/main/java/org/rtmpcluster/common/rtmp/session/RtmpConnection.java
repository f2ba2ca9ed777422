package org.rtmpcluster.common.rtmp.session;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import org.rtmpcluster.common.config.RtmpSettings;
import org.rtmpcluster.common.rtmp.chunk.ChunkDecoder;
import org.rtmpcluster.common.rtmp.chunk.ChunkEncoder;
import org.rtmpcluster.common.rtmp.chunk.RtmpMessage;
import org.rtmpcluster.common.rtmp.handshake.HandshakeState;
import org.rtmpcluster.common.rtmp.handshake.ServerHandshake;
import org.rtmpcluster.common.rtmp.message.ChunkStreams;
import org.rtmpcluster.common.rtmp.message.MessageType;
import org.rtmpcluster.common.rtmp.message.ProtocolControl;
import org.rtmpcluster.common.rtmp.message.UserControl;
import org.rtmpcluster.common.stream.StreamLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transport half of a server-side RTMP connection: handshake, chunk stream in both
 * directions, acknowledgements, pings and timeouts. Messages that are not chunk-stream or
 * connection housekeeping go to the {@link Handler} (the session). Every byte out goes through
 * one {@link ConnectionWriter}, in order.
 */
public final class RtmpConnection implements ChunkDecoder.Listener {
  private static final Logger log = LoggerFactory.getLogger(RtmpConnection.class);

  /** What the session above the transport receives. */
  public interface Handler {
    void onMessage(RtmpMessage message);

    /** The connection is closed, whoever closed it; release everything. */
    void onClosed();

    /** The node is going away: end what runs on this connection politely, saying why. */
    void drain(String reason);
  }

  private enum Phase { HANDSHAKE, OPEN, CLOSED }

  private final NetSocket socket;
  private final ConnectionWriter writer;
  private final RtmpSettings settings;
  private final ConnectionRegistry registry;
  private final String remote;
  private final ServerHandshake handshake = new ServerHandshake();
  private final ChunkDecoder decoder;
  private final ChunkEncoder encoder = new ChunkEncoder();
  /**
   * Whether this connection's encoder holds header state on the media chunk streams (a joiner's
   * own headers went there): log bytes written after them must make it forget, once.
   */
  private boolean ownMediaHeaders;
  private Handler handler;

  private Phase phase = Phase.HANDSHAKE;
  private final long openedAtMs;
  private long lastReceivedAtMs;
  private long lastPingSentAtMs;
  private long peerWindowAckSize;
  private long bytesAcknowledged;
  private long closedAtMs;

  /** A connect, publish or play of this connection was turned down with {@code code}. */
  void countRefusal(String code) {
    registry.countRefusal(code);
  }

  /** A publish or play of this connection began: counted for operators until {@link #sessionEnded}. */
  void sessionStarted(Sessions.Role role) {
    registry.sessions().started(role, isTls());
  }

  void sessionEnded(Sessions.Role role) {
    registry.sessions().ended(role, isTls());
  }

  public RtmpConnection(NetSocket socket, RtmpSettings settings, ConnectionRegistry registry, long nowMs) {
    this.socket = socket;
    this.writer = new ConnectionWriter(socket, registry);
    this.settings = settings;
    this.registry = registry;
    this.remote = String.valueOf(socket.remoteAddress());
    this.decoder = new ChunkDecoder(settings.chunkLimits(), registry.incompleteMessages(), this);
    this.openedAtMs = nowMs;
    this.lastReceivedAtMs = nowMs;
  }

  /** Starts reading; the handler receives messages once the handshake is done. */
  public void start(Handler sessionHandler) {
    this.handler = sessionHandler;
    socket.handler(this::onData);
    socket.exceptionHandler(e -> close("socket error: " + e.getMessage()));
    socket.closeHandler(v -> onSocketClosed());
  }

  public String remote() {
    return remote;
  }

  /** Whether the connection came in over TLS (RTMPS). */
  public boolean isTls() {
    return socket.isSsl();
  }

  public String remoteHost() {
    return socket.remoteAddress() == null ? "unknown" : socket.remoteAddress().hostAddress();
  }

  public RtmpSettings settings() {
    return settings;
  }

  public long bytesReceived() {
    return decoder.bytesReceived();
  }

  public long bytesSent() {
    return writer.bytesWritten();
  }

  /** Bytes written and not yet taken by the socket: the backlog of a slow peer. */
  public long queuedBytes() {
    return writer.queuedBytes();
  }

  /**
   * The peer asks to publish: from now on its messages in progress may hold what media needs
   * ({@code rtmp.max-incomplete-bytes}), not just what commands need.
   */
  public void allowMediaMessages() {
    decoder.allowMediaMessages();
  }

  /** Stops reading from the peer until {@link #resumeReading}; what was read is still handled. */
  public void pauseReading() {
    socket.pause();
  }

  public void resumeReading() {
    socket.resume();
  }

  public boolean isClosed() {
    return phase == Phase.CLOSED;
  }

  /** Handshake done, not closed: messages flow. */
  public boolean isOpen() {
    return phase == Phase.OPEN;
  }

  private void onData(Buffer data) {
    registry.countBytesIn(data.length());
    if (phase == Phase.CLOSED) {
      return;
    }
    lastReceivedAtMs = registry.nowMs();
    if (phase == Phase.HANDSHAKE) {
      HandshakeState state = handshake.feed(data, this::write);
      if (state == HandshakeState.FAILED) {
        registry.countProtocolError();
        close("handshake failed: " + handshake.failureReason());
        return;
      }
      if (state != HandshakeState.DONE) {
        return;
      }
      phase = Phase.OPEN;
      data = handshake.takeRemainder();
      if (data.length() == 0) {
        return;
      }
    }
    decoder.feed(data);
    acknowledgeIfDue();
  }

  /** Acknowledgement each time the peer's window of bytes has arrived (spec 5.4.3). */
  private void acknowledgeIfDue() {
    if (peerWindowAckSize > 0 && phase == Phase.OPEN
        && decoder.bytesReceived() - bytesAcknowledged >= peerWindowAckSize) {
      bytesAcknowledged = decoder.bytesReceived();
      send(ProtocolControl.acknowledgement(bytesAcknowledged));
    }
  }

  @Override
  public void onMessage(RtmpMessage message) {
    switch (message.typeId()) {
      case MessageType.WINDOW_ACK_SIZE -> {
        if (message.length() >= 4) {
          peerWindowAckSize = message.payload().getUnsignedInt(0);
        }
      }
      case MessageType.ACKNOWLEDGEMENT, MessageType.SET_PEER_BANDWIDTH -> {
        // The peer's view of our output; nothing to do with it.
      }
      case MessageType.USER_CONTROL -> onUserControl(message);
      default -> handler.onMessage(message);
    }
  }

  private void onUserControl(RtmpMessage message) {
    UserControl.Event event = UserControl.parse(message.payload());
    if (event == null) {
      return;
    }
    if (event.type() == UserControl.PING_REQUEST) {
      send(UserControl.pingResponse(event.value()));
    } else {
      handler.onMessage(message);
    }
  }

  @Override
  public void onProtocolError(String reason) {
    registry.countProtocolError();
    close("protocol error: " + reason);
  }

  /** Encodes and writes one message. */
  public void send(RtmpMessage message) {
    if (phase != Phase.OPEN) {
      return;
    }
    int csid = message.chunkStreamId();
    ownMediaHeaders |= csid == ChunkStreams.AUDIO || csid == ChunkStreams.VIDEO || csid == ChunkStreams.DATA;
    write(encoder.encode(message));
  }

  /**
   * Writes bytes of a stream's log (see {@code StreamLog}): whole messages chunked once for every
   * player of the loop, each beginning with a type-0 header, on the media chunk streams. This
   * connection's own encoder forgets those chunk streams' header state, since the peer's changed.
   */
  public void sendLogBytes(Buffer bytes) {
    if (phase != Phase.OPEN) {
      return;
    }
    if (ownMediaHeaders) {
      encoder.forget(ChunkStreams.AUDIO);
      encoder.forget(ChunkStreams.VIDEO);
      encoder.forget(ChunkStreams.DATA);
      ownMediaHeaders = false;
    }
    registry.countBytesOut(bytes.length());
    // Flushed within the loop's write window: one flush carries everything written meanwhile.
    writer.writeMedia(bytes);
  }

  /** Where this connection's loop drains stream logs: its registry, once per write window. */
  public StreamLog.Drains logDrains() {
    return registry;
  }

  /** The chunk size this connection sends with. */
  public int chunkSize() {
    return encoder.chunkSize();
  }

  /** Sends Set Chunk Size and switches the encoder to it. */
  public void setChunkSize(int chunkSize) {
    send(ProtocolControl.setChunkSize(chunkSize));
    encoder.setChunkSize(chunkSize);
  }

  private void write(Buffer bytes) {
    registry.countBytesOut(bytes.length());
    writer.write(bytes);
  }

  /** Called about once a second by the registry: handshake and idle timeouts, keep-alive pings. */
  void checkTimers(long nowMs) {
    if (phase == Phase.CLOSED) {
      if (nowMs - closedAtMs > settings.closeFlushTimeoutMs()) {
        writer.closeNow();
      }
    } else if (phase == Phase.HANDSHAKE && nowMs - openedAtMs > settings.handshakeTimeoutMs()) {
      registry.countTimeout();
      close("handshake not completed within " + settings.handshakeTimeoutMs() + " ms");
    } else if (phase == Phase.OPEN && nowMs - lastReceivedAtMs > settings.idleTimeoutMs()) {
      registry.countTimeout();
      close("nothing received for " + settings.idleTimeoutMs() + " ms");
    } else if (phase == Phase.OPEN && nowMs - lastReceivedAtMs >= settings.pingIntervalMs()
        && nowMs - lastPingSentAtMs >= settings.pingIntervalMs()) {
      lastPingSentAtMs = nowMs;
      send(UserControl.pingRequest(nowMs));
    }
  }

  /** Asks the session to end its streams politely; it then closes the connection. */
  void drain(String reason) {
    if (phase == Phase.OPEN && handler != null) {
      handler.drain(reason);
    }
    closeAfterFlush(reason);
  }

  /** Closes at once, dropping what is queued, logging why once. */
  public void close(String reason) {
    if (phase == Phase.CLOSED) {
      return;
    }
    markClosed(reason);
    writer.closeNow();
  }

  /**
   * Closes because the peer broke the protocol above the chunk layer (a malformed command, a
   * command out of order), counted with the chunk-layer errors. What was sent is written first,
   * so that an error status the session sent reaches the client.
   */
  public void closeForProtocolError(String reason) {
    if (phase == Phase.CLOSED) {
      return;
    }
    registry.countProtocolError();
    closeAfterFlush(reason);
  }

  /**
   * Sends what was sent, then nothing more, and lets the client close, as nginx-rtmp and SRS do
   * with a player whose stream ended; one that does not is closed after {@code
   * rtmp.close-flush-timeout-ms}. A server that closes first races the client's last writes (its
   * acknowledgement, deleteStream): over TLS, rtmpdump then dies of SIGPIPE.
   */
  public void closeWhenPeerDoes(String reason) {
    if (phase == Phase.CLOSED) {
      return;
    }
    markClosed(reason);
    writer.finishAndAwaitPeerClose();
  }

  /** Closes once what was sent is written, so a final onStatus reaches the client. */
  public void closeAfterFlush(String reason) {
    if (phase == Phase.CLOSED) {
      return;
    }
    markClosed(reason);
    writer.closeAfterWritten();
  }

  private void markClosed(String reason) {
    closedAtMs = registry.nowMs();
    phase = Phase.CLOSED;
    decoder.stop();
    log.info("closing {}: {}", remote, reason);
    registry.closing(this, reason);
    notifyClosed();
  }

  private void onSocketClosed() {
    if (phase != Phase.CLOSED) {
      phase = Phase.CLOSED;
      decoder.stop();
      log.debug("{} closed the connection", remote);
      notifyClosed();
    }
    registry.unregister(this);
  }

  private boolean closedNotified;

  private void notifyClosed() {
    if (!closedNotified) {
      closedNotified = true;
      if (handler != null) {
        handler.onClosed();
      }
    }
  }
}
