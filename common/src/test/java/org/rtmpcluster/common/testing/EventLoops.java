package org.rtmpcluster.common.testing;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;

/** Event-loop contexts for tests of code that hops between loops. */
public final class EventLoops {
  private EventLoops() {
  }

  /** A new event-loop context of its own (a deployed empty verticle's), as a node's loops are. */
  public static Context newContext(Vertx vertx) {
    Context[] captured = new Context[1];
    Await.result(vertx.deployVerticle(new VerticleBase() {
      @Override
      public Future<?> start() {
        captured[0] = context;
        return Future.succeededFuture();
      }
    }));
    return captured[0];
  }
}
