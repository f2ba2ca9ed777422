package org.rtmpcluster.client;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.rtmpcluster.common.amf.AmfException;
import org.rtmpcluster.common.amf.AmfLimits;
import org.rtmpcluster.common.rtmp.chunk.ChunkDecoder;
import org.rtmpcluster.common.rtmp.chunk.ChunkEncoder;
import org.rtmpcluster.common.rtmp.chunk.ChunkLimits;
import org.rtmpcluster.common.rtmp.chunk.RtmpMessage;
import org.rtmpcluster.common.rtmp.handshake.ClientHandshake;
import org.rtmpcluster.common.rtmp.handshake.HandshakeState;
import org.rtmpcluster.common.rtmp.message.ChunkStreams;
import org.rtmpcluster.common.rtmp.message.Command;
import org.rtmpcluster.common.rtmp.message.MessageType;
import org.rtmpcluster.common.rtmp.message.ProtocolControl;
import org.rtmpcluster.common.rtmp.message.UserControl;

/**
 * The project's own RTMP client, for tests and the load generator: connects, publishes and plays
 * the way ffmpeg does, on a Vert.x event loop. Commands complete futures; media, data and status
 * events go to handlers. Not thread-safe: use it from its context.
 */
public final class RtmpClient implements ChunkDecoder.Listener {

  /** Options of a connection. */
  public record Options(String host, int port, String app, boolean digestHandshake, int chunkSize,
      boolean amf3Commands) {
    public static Options of(String host, int port, String app) {
      return new Options(host, port, app, true, 4096, false);
    }

    public Options withDigestHandshake(boolean digest) {
      return new Options(host, port, app, digest, chunkSize, amf3Commands);
    }

    /** Commands as type 17 (AMF3 command messages, a 0 format byte then AMF0), as Flash with objectEncoding 3. */
    public Options withAmf3Commands(boolean amf3) {
      return new Options(host, port, app, digestHandshake, chunkSize, amf3);
    }
  }

  private final NetClient netClient;
  private final NetSocket socket;
  private final Context context;
  private final Options options;
  private final ClientHandshake handshake;
  private final ChunkDecoder decoder;
  private final ChunkEncoder encoder = new ChunkEncoder();
  private final Map<Double, Promise<Command>> pending = new HashMap<>();
  private final Map<Integer, Promise<Map<String, Object>>> awaitedStatus = new HashMap<>();
  private final Promise<Void> handshakeDone = Promise.promise();
  private final Promise<Void> closed = Promise.promise();
  private double nextTransactionId = 1;
  private Handler<RtmpMessage> mediaHandler = m -> { };
  private Handler<Map<String, Object>> statusHandler = s -> { };
  private Handler<RtmpMessage> controlHandler = m -> { };
  private String protocolError;
  private Throwable failure;
  private long windowAckSize;
  private long acknowledged;

  private RtmpClient(NetClient netClient, NetSocket socket, Options options) {
    this.netClient = netClient;
    this.socket = socket;
    this.context = Vertx.currentContext();
    this.options = options;
    this.handshake = new ClientHandshake(options.digestHandshake());
    this.decoder = new ChunkDecoder(ChunkLimits.DEFAULT, this);
  }

  /** Connects, handshakes and sends the NetConnection connect command. */
  public static Future<RtmpClient> connect(Vertx vertx, Options options) {
    // The client holds its NetClient: Vert.x closes a NetClient, and its sockets, once it is
    // garbage collected.
    NetClient netClient = vertx.createNetClient(new NetClientOptions().setTcpNoDelay(true));
    return netClient.connect(options.port(), options.host())
        .compose(socket -> {
          RtmpClient client = new RtmpClient(netClient, socket, options);
          return client.start().map(client);
        });
  }

  public static Future<RtmpClient> connect(Vertx vertx, String host, int port, String app) {
    return connect(vertx, Options.of(host, port, app));
  }

  private Future<Void> start() {
    socket.handler(this::onData);
    socket.closeHandler(v -> onClosed());
    socket.exceptionHandler(e -> {
      failure = e;
      socket.close();
    });
    socket.write(handshake.start());
    return handshakeDone.future().compose(v -> {
      send(ProtocolControl.setChunkSize(options.chunkSize()));
      encoder.setChunkSize(options.chunkSize());
      Map<String, Object> properties = new LinkedHashMap<>();
      properties.put("app", options.app());
      properties.put("type", "nonprivate");
      properties.put("flashVer", "FMLE/3.0 (compatible; rtmp-cluster)");
      properties.put("tcUrl", "rtmp://" + options.host() + ":" + options.port() + "/" + options.app());
      return call("connect", properties).compose(result -> {
        Object info = result.argument(0);
        String code = info instanceof Map<?, ?> m ? String.valueOf(m.get("code")) : "";
        return "NetConnection.Connect.Success".equals(code) ? Future.<Void>succeededFuture()
            : Future.failedFuture("connect failed: " + info);
      });
    });
  }

  private void onData(Buffer data) {
    if (handshake.state() != HandshakeState.DONE) {
      HandshakeState state = handshake.feed(data, socket::write);
      if (state == HandshakeState.FAILED) {
        handshakeDone.tryFail("handshake failed: " + handshake.failureReason());
        socket.close();
        return;
      }
      if (state != HandshakeState.DONE) {
        return;
      }
      handshakeDone.tryComplete();
      data = handshake.takeRemainder();
    }
    decoder.feed(data);
    if (windowAckSize > 0 && decoder.bytesReceived() - acknowledged >= windowAckSize) {
      acknowledged = decoder.bytesReceived();
      send(ProtocolControl.acknowledgement(acknowledged));
    }
  }

  @Override
  public void onMessage(RtmpMessage message) {
    switch (message.typeId()) {
      case MessageType.COMMAND_AMF0, MessageType.COMMAND_AMF3 -> onCommand(message);
      case MessageType.WINDOW_ACK_SIZE -> {
        windowAckSize = message.payload().getUnsignedInt(0);
        controlHandler.handle(message);
      }
      case MessageType.USER_CONTROL -> {
        UserControl.Event event = UserControl.parse(message.payload());
        if (event != null && event.type() == UserControl.PING_REQUEST) {
          send(UserControl.pingResponse(event.value()));
        }
        controlHandler.handle(message);
      }
      case MessageType.AUDIO, MessageType.VIDEO, MessageType.DATA_AMF0, MessageType.DATA_AMF3 ->
          mediaHandler.handle(message);
      default -> controlHandler.handle(message);
    }
  }

  private void onCommand(RtmpMessage message) {
    Command command;
    try {
      command = Command.decode(message, AmfLimits.DEFAULT);
    } catch (AmfException e) {
      onProtocolError("bad command from server: " + e.getMessage());
      return;
    }
    switch (command.name()) {
      case "_result", "_error" -> {
        Promise<Command> promise = pending.remove(command.transactionId());
        if (promise != null) {
          if (command.name().equals("_result")) {
            promise.tryComplete(command);
          } else {
            promise.tryFail(new RtmpCallException(command));
          }
        }
      }
      case "onStatus" -> {
        if (command.argument(0) instanceof Map<?, ?> info) {
          @SuppressWarnings("unchecked")
          Map<String, Object> status = (Map<String, Object>) info;
          Promise<Map<String, Object>> waiting = awaitedStatus.remove(message.messageStreamId());
          if (waiting != null) {
            if ("error".equals(status.get("level"))) {
              waiting.tryFail(new RtmpStatusException(status));
            } else {
              waiting.tryComplete(status);
            }
          }
          statusHandler.handle(status);
        }
      }
      default -> {
      }
    }
  }

  @Override
  public void onProtocolError(String reason) {
    protocolError = reason;
    socket.close();
  }

  private void onClosed() {
    String why = failure != null ? ": " + failure : protocolError != null ? ": " + protocolError : "";
    handshakeDone.tryFail("connection closed during handshake (" + handshake.state() + ")" + why);
    for (Promise<Command> promise : new ArrayList<>(pending.values())) {
      promise.tryFail("connection closed" + why);
    }
    pending.clear();
    for (Promise<Map<String, Object>> promise : new ArrayList<>(awaitedStatus.values())) {
      promise.tryFail("connection closed");
    }
    awaitedStatus.clear();
    netClient.close();
    closed.tryComplete();
  }

  /** Sends a command with a new transaction id; completes with the _result, fails on _error. */
  public Future<Command> call(String name, Object commandObject, Object... arguments) {
    double transactionId = nextTransactionId++;
    Promise<Command> promise = Promise.promise();
    pending.put(transactionId, promise);
    sendCommand(Command.of(name, transactionId, commandObject, arguments), 0);
    return promise.future();
  }

  /** Sends a command that gets no answer (transaction 0) on a message stream. */
  public void notify(int messageStreamId, String name, Object... arguments) {
    sendCommand(Command.of(name, 0, null, arguments), messageStreamId);
  }

  public Future<Integer> createStream() {
    return call("createStream", null).map(result -> ((Number) result.argument(0)).intValue());
  }

  /** releaseStream, FCPublish, createStream, publish as ffmpeg does; completes on Publish.Start. */
  public Future<Integer> publish(String streamKey) {
    call("releaseStream", null, streamKey);
    call("FCPublish", null, streamKey);
    return createStream().compose(id -> {
      Future<Map<String, Object>> started = awaitStatus(id);
      sendCommand(Command.of("publish", nextTransactionId++, null, streamKey, "live"), id);
      return started.map(status -> id);
    });
  }

  /** createStream, play (start -2: live, or recorded), SetBufferLength; completes on the first status. */
  public Future<Integer> play(String streamName) {
    return createStream().compose(id -> {
      Future<Map<String, Object>> started = awaitStatus(id);
      sendCommand(Command.of("play", nextTransactionId++, null, streamName, -2000.0), id);
      send(UserControl.setBufferLength(id, 3000));
      return started.map(status -> id);
    });
  }

  private Future<Map<String, Object>> awaitStatus(int messageStreamId) {
    Promise<Map<String, Object>> promise = Promise.promise();
    awaitedStatus.put(messageStreamId, promise);
    return promise.future();
  }

  public void sendAudio(int messageStreamId, long timestamp, Buffer payload) {
    send(new RtmpMessage(ChunkStreams.AUDIO, MessageType.AUDIO, timestamp, messageStreamId, payload));
  }

  public void sendVideo(int messageStreamId, long timestamp, Buffer payload) {
    send(new RtmpMessage(ChunkStreams.VIDEO, MessageType.VIDEO, timestamp, messageStreamId, payload));
  }

  /** A data message such as {@code @setDataFrame, onMetaData, {...}}. */
  public void sendData(int messageStreamId, long timestamp, Buffer amf0Body) {
    send(new RtmpMessage(ChunkStreams.DATA, MessageType.DATA_AMF0, timestamp, messageStreamId, amf0Body));
  }

  private void sendCommand(Command command, int messageStreamId) {
    RtmpMessage message = command.toMessage(messageStreamId);
    if (options.amf3Commands()) {
      Buffer body = Buffer.buffer(message.length() + 1).appendByte((byte) 0).appendBuffer(message.payload());
      message = new RtmpMessage(message.chunkStreamId(), MessageType.COMMAND_AMF3, 0, messageStreamId, body);
    }
    send(message);
  }

  /** Sends any message as is (tests use it for malformed or unusual input). */
  public void send(RtmpMessage message) {
    socket.write(encoder.encode(message));
  }

  /** Writes raw bytes past the chunk encoder. */
  public void sendRaw(Buffer bytes) {
    socket.write(bytes);
  }

  /** Audio, video and data messages the server sends. */
  public RtmpClient mediaHandler(Handler<RtmpMessage> handler) {
    this.mediaHandler = handler;
    return this;
  }

  /** Every onStatus info object, in order. */
  public RtmpClient statusHandler(Handler<Map<String, Object>> handler) {
    this.statusHandler = handler;
    return this;
  }

  /** Protocol control and user control messages. */
  public RtmpClient controlHandler(Handler<RtmpMessage> handler) {
    this.controlHandler = handler;
    return this;
  }

  /** Pauses reading from the socket: a player that stops reading, for slow-player tests. */
  public void pauseReading() {
    socket.pause();
  }

  public void resumeReading() {
    socket.resume();
  }

  public Future<Void> close() {
    return socket.close().compose(v -> closed.future());
  }

  /** Completes when the connection is closed by either side. */
  public Future<Void> closeFuture() {
    return closed.future();
  }

  /** The event loop context this client runs on; call its methods there. */
  public Context context() {
    return context;
  }

  public String protocolError() {
    return protocolError;
  }

  /** Values of a data message, for tests. */
  public static List<Object> dataValues(RtmpMessage message) throws AmfException {
    return Command.decodeValues(message, AmfLimits.DEFAULT);
  }
}
