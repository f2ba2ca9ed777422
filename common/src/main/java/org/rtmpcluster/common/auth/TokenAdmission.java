package org.rtmpcluster.common.auth;

import io.vertx.core.Future;
import org.rtmpcluster.common.rtmp.session.Admission;

/** Admits a publish or play whose stream name carries a valid signed token, where one is required. */
public final class TokenAdmission implements Admission {
  private final SignedTokens tokens;

  public TokenAdmission(SignedTokens tokens) {
    this.tokens = tokens;
  }

  @Override
  public Future<Decision> admit(Request request) {
    if (!tokens.required(request.action())) {
      return Future.succeededFuture(Decision.ALLOW);
    }
    String refusal = tokens.refusal(request.action(), request.app(), request.name(), request.query());
    return Future.succeededFuture(refusal == null ? Decision.ALLOW : Decision.refuse(refusal));
  }
}
