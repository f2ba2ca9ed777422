package org.rtmpcluster.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.rtmpcluster.client.RtmpClient;
import org.rtmpcluster.common.amf.Amf0Writer;
import org.rtmpcluster.common.rtmp.handshake.ClientHandshake;
import org.rtmpcluster.common.rtmp.handshake.HandshakeState;

/**
 * Peers that try to take a node down, in rounds, for the soak (bench/soak.sh): each round opens
 * <ul>
 *   <li>peers that complete a handshake, set chunk size 1 and declare 60 messages of 8 MB with a
 *       byte of each, then wait (issue 8, defect 1);</li>
 *   <li>a publisher whose metadata refers to one large array a thousand times (defect 2);</li>
 *   <li>a player that stops reading;</li>
 *   <li>a peer that sends garbage where the handshake should be.</li>
 * </ul>
 * What they cost the node is what the soak samples; none of them should cost a healthy player
 * anything.
 */
final class HostilePeers {
  private final Vertx vertx;
  private final RtmpUrl url;
  private final String publishKey;
  private final int declaringPeers;
  private final List<Object> held = new ArrayList<>();

  HostilePeers(Vertx vertx, RtmpUrl url, String publishKey, int declaringPeers) {
    this.vertx = vertx;
    this.url = url;
    this.publishKey = publishKey;
    this.declaringPeers = declaringPeers;
  }

  /** One round; what it opened is closed at the next round (or by the node before). */
  void round() throws Exception {
    closeHeld();
    for (int i = 0; i < declaringPeers; i++) {
      declaringPeer();
    }
    garbagePeer();
    amplifyingPublisher();
    stalledPlayer();
  }

  void closeHeld() {
    for (Object peer : held) {
      if (peer instanceof NetSocket socket) {
        socket.close();
      } else if (peer instanceof RtmpClient client) {
        client.close();
      }
    }
    held.clear();
  }

  private NetSocket connect() throws Exception {
    NetClient client = vertx.createNetClient();
    held.add(client);
    return client.connect(url.port(), url.host()).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  private void declaringPeer() throws Exception {
    NetSocket socket = connect();
    held.add(socket);
    ClientHandshake handshake = new ClientHandshake(false);
    socket.handler(data -> {
      if (handshake.state() == HandshakeState.DONE) {
        return;
      }
      if (handshake.feed(data, socket::write) == HandshakeState.DONE) {
        Buffer attack = Buffer.buffer()
            .appendBytes(new byte[] {0x02, 0, 0, 0, 0, 0, 4, 0x01, 0, 0, 0, 0}).appendInt(1); // chunk size 1
        for (int csid = 3; csid < 63; csid++) {
          attack.appendByte((byte) csid).appendMedium(0).appendMedium((8 << 20) - 16)
              .appendByte((byte) 9).appendIntLE(1).appendByte((byte) 0x17);
        }
        socket.write(attack);
      }
    });
    socket.write(handshake.start());
  }

  private void garbagePeer() throws Exception {
    NetSocket socket = connect();
    held.add(socket);
    byte[] garbage = new byte[4096];
    ThreadLocalRandom.current().nextBytes(garbage);
    socket.write(Buffer.buffer(garbage));
  }

  private void amplifyingPublisher() throws Exception {
    RtmpClient client = RtmpClient.connect(vertx, url.host(), url.port(), url.app())
        .toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    held.add(client);
    Buffer metadata = Amf0Writer.encode("@setDataFrame", "onMetaData");
    metadata.appendByte((byte) 0x0A).appendUnsignedInt(1001);   // strict array
    metadata.appendByte((byte) 0x08).appendUnsignedInt(20_000);  // ECMA array, reference 1
    for (int i = 0; i < 20_000; i++) {
      String name = "k" + i;
      metadata.appendUnsignedShort(name.length()).appendString(name).appendByte((byte) 0).appendDouble(i);
    }
    metadata.appendUnsignedShort(0).appendByte((byte) 0x09);
    for (int i = 0; i < 1000; i++) {
      metadata.appendByte((byte) 0x07).appendUnsignedShort(1);
    }
    Future.<Void>future(p -> client.context().runOnContext(v -> client.publish(publishKey)
        .onSuccess(msid -> client.sendData(msid, 0, metadata)).<Void>mapEmpty().onComplete(p)))
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private void stalledPlayer() throws Exception {
    RtmpClient client = RtmpClient.connect(vertx, url.host(), url.port(), url.app())
        .toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    held.add(client);
    client.context().runOnContext(v -> client.play(url.stream()).onComplete(ar -> client.pauseReading()));
  }
}
