package org.rtmpcluster.common.rtmp.session;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.rtmpcluster.common.amf.Amf0Writer;
import org.rtmpcluster.common.amf.AmfException;
import org.rtmpcluster.common.amf.AmfUndefined;
import org.rtmpcluster.common.config.AuthAction;
import org.rtmpcluster.common.config.RtmpSettings;
import org.rtmpcluster.common.config.StreamSettings;
import org.rtmpcluster.common.config.StreamKey;
import org.rtmpcluster.common.rtmp.chunk.RtmpMessage;
import org.rtmpcluster.common.rtmp.message.ChunkStreams;
import org.rtmpcluster.common.rtmp.message.Command;
import org.rtmpcluster.common.rtmp.message.MessageType;
import org.rtmpcluster.common.rtmp.message.ProtocolControl;
import org.rtmpcluster.common.rtmp.message.UserControl;
import org.rtmpcluster.common.stream.StreamLog;
import org.rtmpcluster.common.stream.StreamNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The NetConnection and NetStream commands of one server-side connection (spec 7.2), in the
 * sequences OBS, ffmpeg, VLC and rtmpdump send them. Publishing goes to the node's
 * {@link PublishService} (origin role), playing to its {@link PlayService} (edge role); a node
 * without the role refuses the command with an onStatus error that says why.
 */
public final class ServerSession implements RtmpConnection.Handler {
  private static final Logger log = LoggerFactory.getLogger(ServerSession.class);

  private static final String FMS_VERSION = "FMS/3,5,7,7009";
  private static final int FMS_CAPABILITIES = 31;

  /** One message stream made by createStream: idle, publishing or playing. */
  private static final class NetStream {
    Ingest ingest;
    Playback playback;
    /** Media that came while publish was asked for and not answered yet; null otherwise. */
    List<RtmpMessage> early;
    /** The play being admitted, until its answer; a newer play or a deleteStream replaces it. */
    Object playAsked;
    /** What the admission allowed, to be told when it ends. */
    Admission.Request admitted;
    /**
     * What the player asked of its play while it was being opened (a recording takes a moment),
     * done once it starts: pause, receiveAudio, receiveVideo and seek, the latest of each.
     */
    Boolean pauseAsked;
    Boolean audioAsked;
    Boolean videoAsked;
    Long seekAsked;

    boolean publishPending() {
      return early != null;
    }

    /** A publish or play whose answer is on its way: the connection is not read meanwhile. */
    boolean answerPending() {
      return publishPending() || playAsked != null;
    }

    boolean inUse() {
      return ingest != null || playback != null || publishPending() || playAsked != null;
    }
  }

  private final RtmpConnection connection;
  private final RtmpSettings settings;
  private final PublishService publishService;
  private final PlayService playService;
  private final Admission admission;
  private final Predicate<String> servesApp;
  private final Map<Integer, NetStream> streams = new HashMap<>();
  private boolean connected;
  private String app;
  private String tcUrl;
  private int nextStreamId = 1;
  /** Replies go in the form the client used for connect: AMF0 (20) or AMF3 (17). */
  private int commandType = MessageType.COMMAND_AMF0;

  /** A session that serves the default app and admits every publish and play its services take. */
  public ServerSession(RtmpConnection connection, PublishService publishService, PlayService playService) {
    this(connection, publishService, playService, Admission.OPEN, StreamSettings.DEFAULT::servesApp);
  }

  /**
   * @param admission asked before every publish and play (tokens, webhooks)
   * @param servesApp whether the node serves an app; connects to others are rejected
   */
  public ServerSession(RtmpConnection connection, PublishService publishService, PlayService playService,
      Admission admission, Predicate<String> servesApp) {
    this.connection = connection;
    this.settings = connection.settings();
    this.publishService = publishService;
    this.playService = playService;
    this.admission = admission;
    this.servesApp = servesApp;
  }

  private Admission.Request admissionRequest(AuthAction action, String[] nameAndQuery) {
    return new Admission.Request(action, app, nameAndQuery[0], nameAndQuery[1], connection.remote(),
        tcUrl == null ? "" : tcUrl, connection.isTls() ? "rtmps" : "rtmp");
  }

  @Override
  public void onMessage(RtmpMessage message) {
    switch (message.typeId()) {
      case MessageType.COMMAND_AMF0, MessageType.COMMAND_AMF3 -> onCommandMessage(message);
      case MessageType.AUDIO, MessageType.VIDEO, MessageType.DATA_AMF0, MessageType.DATA_AMF3,
          MessageType.AGGREGATE -> onStreamMessage(message);
      case MessageType.USER_CONTROL -> touchIngests();
      default -> log.debug("{}: ignoring {} message", connection.remote(), MessageType.name(message.typeId()));
    }
  }

  private void onCommandMessage(RtmpMessage message) {
    Command command;
    try {
      command = Command.decode(message, settings.amfLimits());
    } catch (AmfException e) {
      connection.closeForProtocolError("bad command message: " + e.getMessage());
      return;
    }
    if (!connected && !command.name().equals("connect")) {
      connection.closeForProtocolError("command " + command.name() + " before connect");
      return;
    }
    int msid = message.messageStreamId();
    switch (command.name()) {
      case "connect" -> onConnect(command, message.typeId());
      case "createStream" -> onCreateStream(command);
      case "releaseStream", "FCPublish", "FCUnpublish", "FCSubscribe", "FCUnsubscribe" ->
          onFlashMediaServerCall(command);
      case "publish" -> onPublish(command, msid);
      case "play" -> onPlay(command, msid);
      case "getStreamLength" -> replyResult(command, 0.0);
      case "pause" -> onPause(command, msid);
      case "seek" -> onSeek(command, msid);
      case "receiveAudio" -> onReceive(msid, true, booleanArgument(command, 0, true));
      case "receiveVideo" -> onReceive(msid, false, booleanArgument(command, 0, true));
      case "closeStream" -> stopStream(msid);
      case "deleteStream" -> onDeleteStream(command);
      case "_result", "_error", "onBWDone", "onStatus", "_checkbw", "@setDataFrame" -> {
        // Answers to calls of ours, or calls that need none.
      }
      default -> onUnknownCommand(command);
    }
  }

  private void onConnect(Command command, int messageType) {
    if (connected) {
      replyError(command, Status.CALL_FAILED, "already connected");
      return;
    }
    Map<?, ?> properties = command.commandObject() instanceof Map<?, ?> m ? m : Map.of();
    Object appValue = properties.get("app");
    app = StreamNames.normalizeApp(appValue instanceof String s ? s : "");
    tcUrl = properties.get("tcUrl") instanceof String url ? url : "";
    if (!servesApp.test(app)) {
      String reason = "this node serves no app '" + StreamNames.printable(app) + "'";
      log.info("{}: connect refused: {}", connection.remote(), reason);
      replyError(command, Status.CONNECT_REJECTED, reason);
      connection.closeAfterFlush("connect refused: " + reason);
      return;
    }
    commandType = messageType;
    double objectEncoding = properties.get("objectEncoding") instanceof Number n ? n.doubleValue() : 0;
    connected = true;
    log.info("{} connected to app '{}'", connection.remote(), app);

    connection.send(ProtocolControl.windowAckSize(settings.windowAckSize()));
    connection.send(ProtocolControl.setPeerBandwidth(settings.windowAckSize(), ProtocolControl.LIMIT_DYNAMIC));
    connection.setChunkSize(settings.chunkSize());
    Map<String, Object> serverProperties = new LinkedHashMap<>();
    serverProperties.put("fmsVer", FMS_VERSION);
    serverProperties.put("capabilities", (double) FMS_CAPABILITIES);
    Map<String, Object> info = Status.info(Status.LEVEL_STATUS, Status.CONNECT_SUCCESS, "Connection succeeded.");
    info.put("objectEncoding", objectEncoding);
    send(0, Command.of("_result", command.transactionId(), serverProperties, info));
  }

  private void onCreateStream(Command command) {
    if (streams.size() >= settings.maxStreamsPerConnection()) {
      replyError(command, Status.CALL_FAILED,
          "this connection has its maximum of " + settings.maxStreamsPerConnection() + " streams");
      return;
    }
    int id = nextStreamId++;
    streams.put(id, new NetStream());
    replyResult(command, (double) id);
  }

  /** releaseStream, FCPublish and friends: FMS-era calls that clients send and expect an answer to. */
  private void onFlashMediaServerCall(Command command) {
    if (command.transactionId() != 0) {
      send(0, Command.of("_result", command.transactionId(), null, AmfUndefined.INSTANCE));
    }
    if (command.name().equals("FCPublish")) {
      String name = command.stringArgument(0);
      send(0, Command.of("onFCPublish", 0, null,
          Status.info(Status.LEVEL_STATUS, Status.PUBLISH_START, "FCPublish to stream " + safeName(name))));
    }
  }

  private void onPublish(Command command, int msid) {
    NetStream stream = streams.get(msid);
    String requested = command.stringArgument(0);
    if (stream == null) {
      sendStatus(msid, Status.LEVEL_ERROR, Status.STREAM_FAILED, "publish on stream " + msid
          + " which createStream did not create");
      connection.closeForProtocolError("publish before createStream (message stream " + msid + ")");
      return;
    }
    if (publishService == null) {
      sendStatus(msid, Status.LEVEL_ERROR, Status.PUBLISH_DENIED,
          "this node is an edge: it does not accept publishers; publish to an origin node");
      connection.closeAfterFlush("publish refused: node has no origin role");
      return;
    }
    if (stream.inUse()) {
      sendStatus(msid, Status.LEVEL_ERROR, Status.PUBLISH_BAD_NAME, "stream " + msid + " is already in use");
      return;
    }
    if (requested == null || requested.isEmpty()) {
      sendStatus(msid, Status.LEVEL_ERROR, Status.PUBLISH_BAD_NAME, "publish needs a stream key");
      connection.closeAfterFlush("publish without a stream key");
      return;
    }
    // Media messages are larger than commands. A refused publisher is closed, and reading stops
    // while the answer is on its way, so the larger limit is not an opening for a peer with no key.
    connection.allowMediaMessages();
    String[] nameAndQuery = splitQuery(requested);
    String type = command.stringArgument(1) == null ? "live" : command.stringArgument(1);
    PublishService.PublishRequest request = new PublishService.PublishRequest(
        app, nameAndQuery[0], nameAndQuery[1], type, connection.remote(),
        new PublishService.PublisherConnection() {
          @Override
          public void evict(String reason) {
            sendStatus(msid, Status.LEVEL_ERROR, Status.PUBLISH_BAD_NAME, reason);
            connection.closeAfterFlush(reason);
          }

          @Override
          public void pauseReading() {
            connection.pauseReading();
          }

          @Override
          public void resumeReading() {
            connection.resumeReading();
          }
        });
    // The answer may take a hop to the stream's event loop. Reading stops meanwhile, and the
    // media already read waits for it, so nothing is lost and nothing queues without bound.
    stream.early = new ArrayList<>();
    connection.pauseReading();
    Admission.Request asked = admissionRequest(AuthAction.PUBLISH, nameAndQuery);
    admission.admit(asked).compose(decision -> {
      if (connection.isClosed() || streams.get(msid) != stream) {
        // Gone while the admission was asked: no publish for a client that is not there.
        return Future.succeededFuture(PublishService.PublishResult.refused(Status.PUBLISH_BAD_NAME, "gone"));
      }
      if (!decision.allowed()) {
        log.info("{}: publish refused: {}", connection.remote(), decision.reason());
        return Future.succeededFuture(PublishService.PublishResult.refused(Status.PUBLISH_BAD_NAME, decision.reason()));
      }
      return publishService.publish(decision.name() == null ? request : request.admittedAs(decision.name()))
          .onSuccess(result -> {
            if (result.ingest() != null) {
              stream.admitted = asked;
            }
          });
    }).onComplete(done -> {
      PublishService.PublishResult result = done.succeeded() ? done.result()
          : PublishService.PublishResult.refused(Status.PUBLISH_DENIED, "publish failed: " + done.cause().getMessage());
      onPublishAnswered(msid, stream, result);
    });
  }

  /** Reading stops while a publish or play is being answered; once none is, it goes on. */
  private void resumeReadingUnlessAnswerPending() {
    if (!connection.isClosed() && streams.values().stream().noneMatch(NetStream::answerPending)) {
      connection.resumeReading();
    }
  }

  private void onPublishAnswered(int msid, NetStream stream, PublishService.PublishResult result) {
    List<RtmpMessage> early = stream.early;
    stream.early = null;
    boolean closed = connection.isClosed();
    resumeReadingUnlessAnswerPending();
    if (closed || streams.get(msid) != stream) {
      // The connection closed, or the publisher deleted the stream, while the answer was on its way.
      if (result.ingest() != null) {
        result.ingest().close();
        endAdmitted(stream);
      }
      return;
    }
    if (result.ingest() == null) {
      sendStatus(msid, Status.LEVEL_ERROR, result.code(), result.description());
      connection.closeAfterFlush("publish refused: " + result.description());
      return;
    }
    stream.ingest = result.ingest();
    connection.sessionStarted(Sessions.Role.PUBLISH);
    connection.send(UserControl.streamBegin(msid));
    sendStatus(msid, Status.LEVEL_STATUS, Status.PUBLISH_START,
        "Publishing " + result.ingest().streamName() + ".");
    for (RtmpMessage message : early) {
      stream.ingest.onMessage(message);
    }
  }

  private void onPlay(Command command, int msid) {
    NetStream stream = streams.get(msid);
    String requested = command.stringArgument(0);
    if (stream == null) {
      sendStatus(msid, Status.LEVEL_ERROR, Status.PLAY_FAILED, "play on stream " + msid
          + " which createStream did not create");
      connection.closeForProtocolError("play before createStream (message stream " + msid + ")");
      return;
    }
    if (playService == null) {
      sendStatus(msid, Status.LEVEL_ERROR, Status.PLAY_FAILED,
          "this node is an origin only: it does not serve players; play from an edge node");
      connection.closeAfterFlush("play refused: node has no edge role");
      return;
    }
    if (requested == null || requested.isEmpty()) {
      sendStatus(msid, Status.LEVEL_ERROR, Status.PLAY_STREAM_NOT_FOUND, "play needs a stream name");
      return;
    }
    Playback previous = takePlayback(stream);
    if (previous != null) {
      // A second play on the same stream replaces the first, as FMS does with reset=true.
      previous.close();
    }
    if (stream.ingest != null || stream.publishPending()) {
      sendStatus(msid, Status.LEVEL_ERROR, Status.PLAY_FAILED, "stream " + msid + " is publishing");
      return;
    }
    String[] nameAndQuery = splitQuery(requested);
    double start = command.numberArgument(1) == null ? -2 : command.numberArgument(1);
    Object playToken = new Object();
    stream.playAsked = playToken;
    stream.pauseAsked = null;
    stream.audioAsked = null;
    stream.videoAsked = null;
    stream.seekAsked = null;
    Admission.Request asked = admissionRequest(AuthAction.PLAY, nameAndQuery);
    // One question at a time per connection: a client may not fire plays at a webhook faster than
    // it answers.
    connection.pauseReading();
    admission.admit(asked).onComplete(done -> {
      if (stale(msid, stream, playToken)) {
        answered(stream, playToken);
        return; // closed, deleted, stopped or asked again while the answer was on its way
      }
      Admission.Decision decision = done.succeeded() ? done.result()
          : Admission.Decision.refuse("cannot check the play: " + done.cause().getMessage());
      if (!decision.allowed()) {
        answered(stream, playToken);
        log.info("{}: play of {} refused: {}", connection.remote(), StreamNames.printable(nameAndQuery[0]),
            decision.reason());
        sendStatus(msid, Status.LEVEL_ERROR, Status.PLAY_FAILED, decision.reason());
        return;
      }
      String[] playing = decision.name() == null ? nameAndQuery : new String[] {decision.name(), nameAndQuery[1]};
      // The play service may take a while too (a recording to open): the play is still being asked.
      playService.play(new PlayService.PlayRequest(app, playing[0], playing[1], start, connection.remote()),
          new Output(msid)).onComplete(played -> {
            boolean wanted = !stale(msid, stream, playToken);
            answered(stream, playToken);
            PlayService.PlayResult result = played.succeeded() ? played.result()
                : PlayService.PlayResult.refused(Status.PLAY_FAILED, "play failed: " + played.cause().getMessage());
            if (!wanted) {
              if (result.playback() != null) {
                result.playback().close();
              }
              admission.ended(asked); // allowed, and never played: a webhook's on_play gets its on_stop
              return;
            }
            if (startPlay(msid, stream, playing[0], result)) {
              stream.admitted = asked;
            } else {
              admission.ended(asked);
            }
          });
    });
  }

  /** Whether a play's answer came too late: the connection closed, or the stream was deleted, stopped or played again. */
  private boolean stale(int msid, NetStream stream, Object playToken) {
    return connection.isClosed() || streams.get(msid) != stream || stream.playAsked != playToken;
  }

  /** The play asked with {@code playToken} has its answer: reading goes on unless another waits. */
  private void answered(NetStream stream, Object playToken) {
    if (stream.playAsked == playToken) {
      stream.playAsked = null;
    }
    resumeReadingUnlessAnswerPending();
  }

  /** Starts what the play service answered; true when the play started. */
  private boolean startPlay(int msid, NetStream stream, String name, PlayService.PlayResult result) {
    if (result.playback() == null) {
      sendStatus(msid, Status.LEVEL_ERROR, result.code(), result.description());
      return false;
    }
    stream.playback = result.playback();
    connection.sessionStarted(Sessions.Role.PLAY);
    connection.send(UserControl.streamBegin(msid));
    sendStatus(msid, Status.LEVEL_STATUS, Status.PLAY_RESET, "Playing and resetting " + name + ".");
    sendStatus(msid, Status.LEVEL_STATUS, Status.PLAY_START, "Started playing " + name + ".");
    // Lets Flash-based players read the media's bytes (nginx-rtmp and FMS send it too).
    connection.send(new RtmpMessage(ChunkStreams.SESSION_DATA, MessageType.DATA_AMF0, 0, msid,
        Amf0Writer.encode("|RtmpSampleAccess", true, true)));
    log.info("{} plays {}", connection.remote(), StreamNames.printable(name));
    stream.playback.start();
    doAskedWhileOpening(msid, stream);
    return true;
  }

  /** The commands that came while the play was being opened, now that it plays. */
  private void doAskedWhileOpening(int msid, NetStream stream) {
    if (stream.audioAsked != null) {
      stream.playback.receiveAudio(stream.audioAsked);
    }
    if (stream.videoAsked != null) {
      stream.playback.receiveVideo(stream.videoAsked);
    }
    if (stream.seekAsked != null) {
      seek(msid, stream, stream.seekAsked);
    }
    if (Boolean.TRUE.equals(stream.pauseAsked)) {
      pause(msid, stream, true); // a pause and its unpause both sent while opening are nothing
    }
    stream.pauseAsked = null;
    stream.audioAsked = null;
    stream.videoAsked = null;
    stream.seekAsked = null;
  }

  /** A stream whose play is being opened: commands for it wait until it plays. */
  private static boolean opening(NetStream stream) {
    return stream.playback == null && stream.playAsked != null;
  }

  private void onReceive(int msid, boolean audio, boolean enabled) {
    NetStream stream = streams.get(msid);
    if (stream == null) {
      return;
    }
    if (opening(stream)) {
      if (audio) {
        stream.audioAsked = enabled;
      } else {
        stream.videoAsked = enabled;
      }
    } else if (stream.playback != null) {
      if (audio) {
        stream.playback.receiveAudio(enabled);
      } else {
        stream.playback.receiveVideo(enabled);
      }
    }
  }

  private void onPause(Command command, int msid) {
    boolean pause = booleanArgument(command, 0, true);
    NetStream stream = streams.get(msid);
    if (stream != null && opening(stream)) {
      stream.pauseAsked = pause;
    } else if (stream != null && stream.playback != null) {
      pause(msid, stream, pause);
    }
  }

  private void pause(int msid, NetStream stream, boolean pause) {
    stream.playback.pause(pause);
    sendStatus(msid, Status.LEVEL_STATUS, pause ? Status.PAUSE_NOTIFY : Status.UNPAUSE_NOTIFY,
        pause ? "Paused." : "Resumed.");
  }

  /** NetStream.seek(ms): a recording goes there; a live stream has no time to go to. */
  private void onSeek(Command command, int msid) {
    NetStream stream = streams.get(msid);
    if (stream == null || stream.playback == null && stream.playAsked == null) {
      return;
    }
    Double to = command.numberArgument(0);
    if (to == null || to < 0 || to.isNaN()) {
      send(msid, Status.onStatus(Status.LEVEL_ERROR, Status.SEEK_FAILED, "seek needs a time in milliseconds"));
    } else if (opening(stream)) {
      stream.seekAsked = to.longValue();
    } else {
      seek(msid, stream, to.longValue());
    }
  }

  private void seek(int msid, NetStream stream, long to) {
    if (!stream.playback.seek(to)) {
      send(msid, Status.onStatus(Status.LEVEL_ERROR, Status.SEEK_FAILED, "a live stream cannot seek"));
    }
  }

  private void onDeleteStream(Command command) {
    Double id = command.numberArgument(0);
    if (id != null) {
      stopStream(id.intValue());
      streams.remove(id.intValue());
    }
  }

  private void stopStream(int msid) {
    NetStream stream = streams.get(msid);
    if (stream == null) {
      return;
    }
    stream.playAsked = null; // a play still being admitted does not start
    stopIngest(msid, stream, true, null);
    Playback playback = takePlayback(stream);
    if (playback != null) {
      playback.close();
    }
  }

  /**
   * Ends the publish on a message stream, if any; with {@code tell}, the client hears
   * Unpublish.Success, and {@code why} if given.
   */
  private void stopIngest(int msid, NetStream stream, boolean tell, String why) {
    Ingest ingest = stream.ingest;
    if (ingest == null) {
      return;
    }
    stream.ingest = null;
    connection.sessionEnded(Sessions.Role.PUBLISH);
    ingest.close();
    endAdmitted(stream);
    if (tell) {
      sendStatus(msid, Status.LEVEL_STATUS, Status.UNPUBLISH_SUCCESS,
          ingest.streamName() + " is now unpublished" + (why == null ? "." : ": " + why));
    }
  }

  private Playback takePlayback(NetStream stream) {
    Playback playback = stream.playback;
    stream.playback = null;
    if (playback != null) {
      connection.sessionEnded(Sessions.Role.PLAY);
      endAdmitted(stream);
    }
    return playback;
  }

  /** The admission hears that what it allowed is over (a webhook's unpublish or stop). */
  private void endAdmitted(NetStream stream) {
    Admission.Request admitted = stream.admitted;
    stream.admitted = null;
    if (admitted != null) {
      admission.ended(admitted);
    }
  }

  private void onUnknownCommand(Command command) {
    log.info("{}: unknown command '{}'", connection.remote(), command.name());
    if (command.transactionId() != 0) {
      replyError(command, Status.CALL_FAILED, "unknown command " + command.name());
    }
  }

  private void onStreamMessage(RtmpMessage message) {
    NetStream stream = streams.get(message.messageStreamId());
    if (stream != null && stream.publishPending()) {
      stream.early.add(message);
      return;
    }
    if (stream == null || stream.ingest == null) {
      log.debug("{}: {} on stream {} that is not publishing", connection.remote(),
          MessageType.name(message.typeId()), message.messageStreamId());
      return;
    }
    stream.ingest.onMessage(message);
  }

  private void touchIngests() {
    for (NetStream stream : streams.values()) {
      if (stream.ingest != null) {
        stream.ingest.touch();
      }
    }
  }

  @Override
  public void drain(String reason) {
    for (Integer msid : List.copyOf(streams.keySet())) {
      NetStream stream = streams.get(msid);
      if (stream == null) {
        // Ending a play closed the connection, and with it the remaining streams.
        break;
      }
      stream.playAsked = null;
      stopIngest(msid, stream, true, reason);
      Playback playback = takePlayback(stream);
      if (playback != null) {
        playback.end(reason);
      }
    }
  }

  @Override
  public void onClosed() {
    for (Map.Entry<Integer, NetStream> entry : streams.entrySet()) {
      stopIngest(entry.getKey(), entry.getValue(), false, null);
      Playback playback = takePlayback(entry.getValue());
      if (playback != null) {
        playback.close();
      }
    }
    streams.clear();
  }

  private static boolean booleanArgument(Command command, int index, boolean otherwise) {
    Object value = command.argument(index);
    if (value instanceof Boolean b) {
      return b;
    }
    return value instanceof Number n ? n.doubleValue() != 0 : otherwise;
  }

  /** "name?token=x" -> {"name", "token=x"}; the query may carry tokens and is never part of the name. */
  static String[] splitQuery(String requested) {
    int q = requested.indexOf('?');
    return q < 0 ? new String[] {requested, ""}
        : new String[] {requested.substring(0, q), requested.substring(q + 1)};
  }

  private static String safeName(String name) {
    return name == null ? "" : StreamKey.mask(splitQuery(name)[0]);
  }

  private void replyResult(Command request, Object value) {
    send(0, Command.of("_result", request.transactionId(), null, value));
  }

  private void replyError(Command request, String code, String description) {
    if (!Status.CALL_FAILED.equals(code)) {
      connection.countRefusal(code); // a connect turned down; calls this node does not know are no refusal
    }
    send(0, Command.of("_error", request.transactionId(), null,
        Status.info(Status.LEVEL_ERROR, code, description)));
  }

  private void sendStatus(int msid, String level, String code, String description) {
    if (Status.LEVEL_ERROR.equals(level)) {
      connection.countRefusal(code);
    }
    send(msid, Status.onStatus(level, code, description));
  }

  private void send(int msid, Command command) {
    RtmpMessage message = command.toMessage(msid);
    if (commandType == MessageType.COMMAND_AMF3) {
      Buffer body = Buffer.buffer(message.length() + 1)
          .appendByte((byte) 0).appendBuffer(message.payload());
      message = new RtmpMessage(message.chunkStreamId(), MessageType.COMMAND_AMF3, 0, msid, body);
    }
    connection.send(message);
  }

  /** The player's side of the connection, handed to the playback. */
  private final class Output implements PlayerOutput {
    private final int msid;

    Output(int msid) {
      this.msid = msid;
    }

    @Override
    public int messageStreamId() {
      return msid;
    }

    @Override
    public void send(RtmpMessage message) {
      connection.send(message);
    }

    @Override
    public void sendLogBytes(Buffer bytes) {
      connection.sendLogBytes(bytes);
    }

    @Override
    public StreamLog.Drains logDrains() {
      return connection.logDrains();
    }

    @Override
    public int chunkSize() {
      return connection.chunkSize();
    }

    @Override
    public void sendStatus(String level, String code, String description) {
      ServerSession.this.sendStatus(msid, level, code, description);
    }

    @Override
    public long queuedBytes() {
      return connection.queuedBytes();
    }

    @Override
    public void disconnect(String reason) {
      connection.closeWhenPeerDoes(reason);
    }

    @Override
    public void abort(String reason) {
      connection.close(reason);
    }

    @Override
    public String remote() {
      return connection.remote();
    }
  }
}
