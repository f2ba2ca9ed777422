package org.rtmpcluster.server;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import java.util.function.Supplier;
import org.rtmpcluster.common.auth.SignedTokens;
import org.rtmpcluster.common.auth.TokenAdmission;
import org.rtmpcluster.common.auth.WebhookAdmission;
import org.rtmpcluster.common.config.AuthSettings;
import org.rtmpcluster.common.config.WebhookSettings;
import org.rtmpcluster.common.rtmp.session.Admission;

/**
 * What decides, on each event loop, who may publish and play (config section {@code auth}):
 * signed tokens first, then the webhook. The webhook's HTTP client is the node's one; each loop
 * gets its own admission, and with it its own cache of the webhook's answers.
 */
final class AuthClients {
  /** Enough connections to a hook for a burst of players joining; more wait in the pool. */
  private static final int WEBHOOK_POOL_SIZE = 32;
  /** Requests waiting for a pooled connection, at most; past it a request fails (on-error applies). */
  private static final int WEBHOOK_MAX_WAITING = 10_000;

  private final Vertx vertx;
  private final AuthSettings settings;
  private final Supplier<String> nodeName;
  private final HttpClient webhookClient;
  /** The home loop's hook for notifications (record-done), made when first needed. */
  private WebhookAdmission notifier;

  AuthClients(Vertx vertx, AuthSettings settings, Supplier<String> nodeName) {
    this.vertx = vertx;
    this.settings = settings;
    this.nodeName = nodeName;
    WebhookSettings webhook = settings.webhook();
    this.webhookClient = webhook.enabled()
        ? vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(webhook.timeoutMs()).setKeepAlive(true),
            new PoolOptions().setHttp1MaxSize(WEBHOOK_POOL_SIZE).setMaxWaitQueueSize(WEBHOOK_MAX_WAITING))
        : null;
  }

  /** Call on the loop that will use it. */
  Admission admissionForThisLoop() {
    Admission tokens = new TokenAdmission(new SignedTokens(settings.tokens(), System::currentTimeMillis));
    if (webhookClient == null) {
      return tokens;
    }
    return Admission.both(tokens, new WebhookAdmission(vertx, webhookClient, settings.webhook(), nodeName,
        () -> System.nanoTime() / 1_000_000));
  }

  /** Tells the webhook, if there is one, of a finished recording; on the home loop. */
  void recordDone(String stream, String path, long durationMs, long bytes) {
    if (webhookClient == null) {
      return;
    }
    if (notifier == null) {
      notifier = new WebhookAdmission(vertx, webhookClient, settings.webhook(), nodeName,
          () -> System.nanoTime() / 1_000_000);
    }
    notifier.recordDone(stream, path, durationMs, bytes);
  }

  void close() {
    if (webhookClient != null) {
      webhookClient.close();
    }
  }
}
