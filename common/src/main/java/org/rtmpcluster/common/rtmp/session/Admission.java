package org.rtmpcluster.common.rtmp.session;

import io.vertx.core.Future;
import org.rtmpcluster.common.config.AuthAction;

/**
 * Decides whether a client may publish or play, before the node's publish or play service is
 * asked: signed tokens, an operator's webhook. Asked on the connection's event loop; the answer
 * may come later and is used on that loop. Static publish keys are the publish service's own
 * check and come after this one.
 */
public interface Admission {

  /**
   * What the client asked for, in the words SRS's hooks use.
   *
   * @param name     the stream name (for a publish, the key) without its query string
   * @param query    what came after '?' in the name, or ""
   * @param protocol "rtmp" or "rtmps"
   */
  record Request(AuthAction action, String app, String name, String query, String remote, String tcUrl,
      String protocol) {
  }

  /**
   * Allowed or refused, with a reason for the client that names no secret. An allowed decision
   * with a {@code name} vouches for the client and says what it gets: for a publish, the public
   * name it goes live under (the publish keys are then not consulted); for a play, the stream it
   * plays instead of the one asked for.
   */
  record Decision(boolean allowed, String reason, String name) {
    public static final Decision ALLOW = new Decision(true, null, null);

    public static Decision refuse(String reason) {
      return new Decision(false, reason, null);
    }

    public static Decision allowAs(String name) {
      return new Decision(true, null, name);
    }
  }

  /** Everyone may: a node without tokens or hooks. */
  Admission OPEN = request -> Future.succeededFuture(Decision.ALLOW);

  Future<Decision> admit(Request request);

  /** An admitted publish or play has ended (told, not asked: unpublish and stop notifications). */
  default void ended(Request request) {
  }

  /** Asks {@code first}, and {@code then} only if it allowed: tokens before a webhook. */
  static Admission both(Admission first, Admission then) {
    return new Admission() {
      @Override
      public Future<Decision> admit(Request request) {
        return first.admit(request).compose(decision -> decision.allowed() ? then.admit(request)
            : Future.succeededFuture(decision));
      }

      @Override
      public void ended(Request request) {
        first.ended(request);
        then.ended(request);
      }
    };
  }
}
