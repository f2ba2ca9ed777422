package org.rtmpcluster.common.config;

/**
 * Who may publish and who may play, beyond the static publish keys (config section {@code auth}).
 * Tokens are checked first, then the webhook; each may be used alone or both together.
 *
 * @param tokens  signed, expiring tokens in the stream name's query string
 * @param webhook an operator's HTTP endpoint asked about each publish and play
 */
public record AuthSettings(TokenSettings tokens, WebhookSettings webhook) {
  public static final AuthSettings DEFAULT = new AuthSettings(TokenSettings.DEFAULT, WebhookSettings.DEFAULT);

  static AuthSettings read(ConfigReader r) {
    AuthSettings settings = new AuthSettings(TokenSettings.read(r.section("tokens")),
        WebhookSettings.read(r.section("webhook")));
    r.rejectUnknownKeys();
    return settings;
  }

  public AuthSettings withTokens(TokenSettings newTokens) {
    return new AuthSettings(newTokens, webhook);
  }

  public AuthSettings withWebhook(WebhookSettings newWebhook) {
    return new AuthSettings(tokens, newWebhook);
  }
}
