package org.rtmpcluster.common.rtmp.session;

import java.util.LinkedHashMap;
import java.util.Map;
import org.rtmpcluster.common.rtmp.message.Command;

/** onStatus info objects and the codes clients match on (spec 7.2.2, and what FMS sends). */
public final class Status {
  public static final String LEVEL_STATUS = "status";
  public static final String LEVEL_ERROR = "error";
  public static final String LEVEL_WARNING = "warning";

  public static final String CONNECT_SUCCESS = "NetConnection.Connect.Success";
  public static final String CONNECT_REJECTED = "NetConnection.Connect.Rejected";
  public static final String CALL_FAILED = "NetConnection.Call.Failed";
  public static final String PUBLISH_START = "NetStream.Publish.Start";
  public static final String PUBLISH_BAD_NAME = "NetStream.Publish.BadName";
  public static final String PUBLISH_DENIED = "NetStream.Publish.Denied";
  public static final String UNPUBLISH_SUCCESS = "NetStream.Unpublish.Success";
  public static final String PLAY_RESET = "NetStream.Play.Reset";
  public static final String PLAY_START = "NetStream.Play.Start";
  public static final String PLAY_STOP = "NetStream.Play.Stop";
  public static final String PLAY_FAILED = "NetStream.Play.Failed";
  public static final String PLAY_STREAM_NOT_FOUND = "NetStream.Play.StreamNotFound";
  public static final String PLAY_PUBLISH_NOTIFY = "NetStream.Play.PublishNotify";
  public static final String PLAY_UNPUBLISH_NOTIFY = "NetStream.Play.UnpublishNotify";
  public static final String PLAY_COMPLETE = "NetStream.Play.Complete";
  public static final String SEEK_NOTIFY = "NetStream.Seek.Notify";
  public static final String SEEK_FAILED = "NetStream.Seek.Failed";
  public static final String PAUSE_NOTIFY = "NetStream.Pause.Notify";
  public static final String UNPAUSE_NOTIFY = "NetStream.Unpause.Notify";
  public static final String STREAM_FAILED = "NetStream.Failed";

  private Status() {
  }

  public static Map<String, Object> info(String level, String code, String description) {
    Map<String, Object> info = new LinkedHashMap<>();
    info.put("level", level);
    info.put("code", code);
    info.put("description", description);
    return info;
  }

  /** An onStatus command (transaction 0, null command object) as NetStream events are sent. */
  public static Command onStatus(String level, String code, String description) {
    return Command.of("onStatus", 0, null, info(level, code, description));
  }
}
