package org.rtmpcluster.common.testing;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Blocking helpers for tests that drive event-loop code from the test thread. */
public final class Await {
  public static final Duration DEFAULT = Duration.ofSeconds(10);

  private Await() {
  }

  public static <T> T result(Future<T> future) {
    return result(future, DEFAULT);
  }

  public static <T> T result(Future<T> future, Duration timeout) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      throw new AssertionError("future failed: " + cause, cause);
    } catch (TimeoutException e) {
      throw new AssertionError("no result within " + timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted");
    }
  }

  /** The failure of a future that must fail. */
  public static Throwable failure(Future<?> future) {
    try {
      future.toCompletionStage().toCompletableFuture().get(DEFAULT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (Exception e) {
      throw new AssertionError("expected a failure, got " + e, e);
    }
    throw new AssertionError("expected a failure, but the future succeeded");
  }

  /** Runs {@code action} on the context and returns the failure of the future it returns, which must fail. */
  public static Throwable failureOn(Context context, Supplier<? extends Future<?>> action) {
    Promise<Object> promise = Promise.promise();
    context.runOnContext(v -> {
      try {
        action.get().onComplete(done -> {
          if (done.succeeded()) {
            promise.complete(done.result());
          } else {
            promise.fail(done.cause());
          }
        });
      } catch (RuntimeException e) {
        promise.fail(e);
      }
    });
    return failure(promise.future());
  }

  /** Runs {@code action} on the context and waits for the future it returns. */
  public static <T> T on(Context context, Supplier<Future<T>> action) {
    Promise<T> promise = Promise.promise();
    context.runOnContext(v -> {
      try {
        action.get().onComplete(promise);
      } catch (RuntimeException e) {
        promise.fail(e);
      }
    });
    return result(promise.future());
  }

  /** Runs {@code action} on the context and waits until it ran. */
  public static void run(Context context, Runnable action) {
    on(context, () -> {
      action.run();
      return Future.succeededFuture();
    });
  }

  public static void until(BooleanSupplier condition, String what) {
    until(condition, DEFAULT, what);
  }

  public static void until(BooleanSupplier condition, Duration timeout, String what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout + " waiting for " + what);
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted");
      }
    }
  }
}
