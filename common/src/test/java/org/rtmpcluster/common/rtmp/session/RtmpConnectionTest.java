package org.rtmpcluster.common.rtmp.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rtmpcluster.common.config.RtmpSettings;
import org.rtmpcluster.common.memory.ByteBudget;
import org.rtmpcluster.common.rtmp.chunk.ChunkDecoder;
import org.rtmpcluster.common.rtmp.chunk.ChunkEncoder;
import org.rtmpcluster.common.rtmp.chunk.ChunkLimits;
import org.rtmpcluster.common.rtmp.chunk.RtmpMessage;
import org.rtmpcluster.common.rtmp.handshake.ClientHandshake;
import org.rtmpcluster.common.rtmp.handshake.HandshakeState;
import org.rtmpcluster.common.rtmp.message.ChunkStreams;
import org.rtmpcluster.common.rtmp.message.MessageType;
import org.rtmpcluster.common.testing.Await;

/** The transport of a server connection, against a real socket. */
class RtmpConnectionTest {
  private static final int FRAMES = 300;
  private static final int FRAME_BYTES = 8_000;

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    Await.result(vertx.close());
  }

  /**
   * Issue 8, defect 3: on a player that does not read, media shared with other players and
   * messages made for this player alone (a frame behind its timeline, on the same chunk stream)
   * must reach it in the order they were sent. With two write paths, the player's own messages
   * waited in Vert.x's queue while media went past them.
   */
  @Test
  void writesReachASlowPeerInTheOrderTheyWereMade() {
    Promise<Accepted> accepted = Promise.promise();
    NetServer server = vertx.createNetServer(new NetServerOptions().setSendBufferSize(4096));
    server.connectHandler(socket -> {
      NodeConnections node = new NodeConnections(RtmpSettings.DEFAULT, ByteBudget.unlimited("test"), Long.MAX_VALUE, () -> 0);
      ConnectionRegistry registry = new ConnectionRegistry(vertx, node);
      RtmpConnection connection = new RtmpConnection(socket, RtmpSettings.DEFAULT, registry, System.currentTimeMillis());
      connection.start(new RtmpConnection.Handler() {
        @Override
        public void onMessage(RtmpMessage message) {
        }

        @Override
        public void onClosed() {
        }

        @Override
        public void drain(String reason) {
        }
      });
      accepted.complete(new Accepted(connection, Vertx.currentContext()));
    });
    int port = Await.result(server.listen(0, "127.0.0.1")).actualPort();
    SlowPeer peer = new SlowPeer(vertx, port);
    Accepted side = Await.result(accepted.future());
    RtmpConnection connection = side.connection();
    peer.awaitHandshake();
    Await.until(() -> Await.on(side.context(), () -> io.vertx.core.Future.succeededFuture(connection.isOpen())),
        "the server to take the handshake's last part");

    List<Integer> sent = new ArrayList<>();
    Await.run(side.context(), () -> {
      for (int i = 0; i < FRAMES; i++) {
        sent.add(i);
        RtmpMessage frame = video(40L * i, i);
        if (i % 10 == 9) {
          // A message for this player alone (a joiner's sequence header, see LogReader).
          connection.send(frame);
        } else {
          Buffer shared = Buffer.buffer();
          ChunkEncoder.encodeStandalone(frame, ChunkDecoder.DEFAULT_CHUNK_SIZE, shared);
          connection.sendLogBytes(shared);
        }
      }
    });
    // Once flushed, the peer's socket takes a few kilobytes; the rest waits in the writer's queue.
    Await.until(() -> Await.on(side.context(),
        () -> io.vertx.core.Future.succeededFuture(connection.queuedBytes())) > FRAMES * FRAME_BYTES / 2,
        "the peer to be backlogged");
    peer.resume();
    Await.until(() -> peer.frames.size() == FRAMES, "every frame at the peer");

    assertEquals(sent, peer.markers(), "frames in the order they were sent");
    long last = -1;
    for (RtmpMessage message : peer.frames) {
      assertTrue(message.timestamp() >= last, "timestamp " + message.timestamp() + " after " + last);
      last = message.timestamp();
    }
  }

  private record Accepted(RtmpConnection connection, Context context) {
  }

  private static RtmpMessage video(long timestamp, int marker) {
    Buffer payload = Buffer.buffer(FRAME_BYTES).appendByte((byte) 0x27).appendByte((byte) 1)
        .appendMedium(0).appendInt(marker);
    payload.appendBytes(new byte[FRAME_BYTES - payload.length()]);
    return new RtmpMessage(ChunkStreams.VIDEO, MessageType.VIDEO, timestamp, 1, payload);
  }

  /** A client with a tiny receive buffer that completes the handshake and then stops reading. */
  private static final class SlowPeer implements ChunkDecoder.Listener {
    private final NetClient client;
    private final NetSocket socket;
    private final ClientHandshake handshake = new ClientHandshake(false);
    private final Promise<Void> handshakeDone = Promise.promise();
    private final ChunkDecoder decoder = new ChunkDecoder(ChunkLimits.DEFAULT, this);
    final List<RtmpMessage> frames = new CopyOnWriteArrayList<>();

    SlowPeer(Vertx vertx, int port) {
      client = vertx.createNetClient(new NetClientOptions().setReceiveBufferSize(4096));
      socket = Await.result(client.connect(port, "127.0.0.1").map(s -> {
        s.handler(this::onData);
        s.write(handshake.start());
        return s;
      }));
    }

    void awaitHandshake() {
      Await.result(handshakeDone.future());
    }

    void resume() {
      socket.resume();
    }

    List<Integer> markers() {
      return frames.stream().map(m -> m.payload().getInt(5)).toList();
    }

    private void onData(Buffer data) {
      if (handshake.state() != HandshakeState.DONE) {
        HandshakeState state = handshake.feed(data, socket::write);
        if (state != HandshakeState.DONE) {
          return;
        }
        socket.pause();
        handshakeDone.complete();
        data = handshake.takeRemainder();
      }
      decoder.feed(data);
    }

    @Override
    public void onMessage(RtmpMessage message) {
      if (message.typeId() == MessageType.VIDEO) {
        frames.add(message);
      }
    }

    @Override
    public void onProtocolError(String reason) {
      throw new AssertionError("bad chunk stream from the server: " + reason);
    }
  }
}
