package org.rtmpcluster.common.config;

import java.net.URI;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * An operator's HTTP endpoint that decides who may publish and play (config section
 * {@code auth.webhook}), as SRS's {@code http_hooks} and nginx-rtmp's {@code on_publish} /
 * {@code on_play} do: a POST per publish or play; any 2xx allows (unless SRS-style JSON says a
 * {@code code} other than 0). A publish reply's {@code name} is the public name the stream goes
 * live under, and {@code streams.keys} is then not consulted; without one the keys map the key.
 *
 * @param url             where to POST; null: no webhook
 * @param actions         which actions are asked about (unpublish and stop are told, not asked)
 * @param format          the body: SRS-style JSON, or nginx-rtmp's form fields (whose 3xx
 *                        {@code Location} renames the stream)
 * @param timeoutMs       an answer later than this is an error
 * @param allowOnError    what an error or a timeout means: false (deny, the default) or true
 * @param cacheAllowMs    an allowed request is not asked again for this long (0: always asked)
 * @param cacheDenyMs     a denied one neither
 * @param cacheMaxEntries answers kept per event loop, at most
 * @param secret          when set, each body is signed: {@code X-Signature: sha256=<hex HMAC>}
 */
public record WebhookSettings(String url, Set<AuthAction> actions, Format format, int timeoutMs,
    boolean allowOnError, int cacheAllowMs, int cacheDenyMs, int cacheMaxEntries, String secret) {

  /** How the request body is written. */
  public enum Format { JSON, NGINX_FORM }

  public static final int DEFAULT_TIMEOUT_MS = 3_000;
  public static final int DEFAULT_CACHE_MAX_ENTRIES = 10_000;
  public static final WebhookSettings DEFAULT = new WebhookSettings(null, EnumSet.allOf(AuthAction.class),
      Format.JSON, DEFAULT_TIMEOUT_MS, false, 0, 0, DEFAULT_CACHE_MAX_ENTRIES, null);

  public WebhookSettings {
    actions = actions.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(actions));
    if (url != null) {
      URI parsed;
      try {
        parsed = URI.create(url);
      } catch (IllegalArgumentException e) {
        throw new ConfigException("auth.webhook.url is not a URL: " + e.getMessage());
      }
      if (!"http".equals(parsed.getScheme()) && !"https".equals(parsed.getScheme()) || parsed.getHost() == null) {
        throw new ConfigException("auth.webhook.url must be an http:// or https:// URL, not " + url);
      }
    }
  }

  static WebhookSettings read(ConfigReader r) {
    WebhookSettings d = DEFAULT;
    Set<AuthAction> actions = AuthAction.readSet(r, "actions");
    String onError = r.string("on-error", "deny").toLowerCase(Locale.ROOT);
    if (!onError.equals("deny") && !onError.equals("allow")) {
      throw new ConfigException(r.name("on-error") + " is deny or allow, not " + onError);
    }
    String format = r.string("format", "json").toLowerCase(Locale.ROOT);
    Format parsedFormat = switch (format) {
      case "json" -> Format.JSON;
      case "nginx-form" -> Format.NGINX_FORM;
      default -> throw new ConfigException(r.name("format") + " is json or nginx-form, not " + format);
    };
    WebhookSettings settings = new WebhookSettings(r.string("url", null),
        actions.isEmpty() ? d.actions : actions, parsedFormat,
        r.integer("timeout-ms", d.timeoutMs, 10, 600_000), onError.equals("allow"),
        r.integer("cache-allow-ms", d.cacheAllowMs, 0, 86_400_000),
        r.integer("cache-deny-ms", d.cacheDenyMs, 0, 86_400_000),
        r.integer("cache-max-entries", d.cacheMaxEntries, 0, 10_000_000), r.string("secret", null));
    r.rejectUnknownKeys();
    return settings;
  }

  public boolean enabled() {
    return url != null;
  }

  public boolean asks(AuthAction action) {
    return enabled() && actions.contains(action);
  }

  /** {@code --auth-webhook URL}: asked about every publish and play. */
  public WebhookSettings withUrl(String newUrl) {
    return new WebhookSettings(newUrl, actions, format, timeoutMs, allowOnError, cacheAllowMs, cacheDenyMs,
        cacheMaxEntries, secret);
  }

  public WebhookSettings withTimeoutMs(int newTimeoutMs) {
    return new WebhookSettings(url, actions, format, newTimeoutMs, allowOnError, cacheAllowMs, cacheDenyMs,
        cacheMaxEntries, secret);
  }

  public WebhookSettings withCache(int newCacheAllowMs, int newCacheDenyMs) {
    return new WebhookSettings(url, actions, format, timeoutMs, allowOnError, newCacheAllowMs, newCacheDenyMs,
        cacheMaxEntries, secret);
  }

  public WebhookSettings withSecret(String newSecret) {
    return new WebhookSettings(url, actions, format, timeoutMs, allowOnError, cacheAllowMs, cacheDenyMs,
        cacheMaxEntries, newSecret);
  }

  public WebhookSettings withFormat(Format newFormat) {
    return new WebhookSettings(url, actions, newFormat, timeoutMs, allowOnError, cacheAllowMs, cacheDenyMs,
        cacheMaxEntries, secret);
  }

  public WebhookSettings withAllowOnError(boolean newAllowOnError) {
    return new WebhookSettings(url, actions, format, timeoutMs, newAllowOnError, cacheAllowMs, cacheDenyMs,
        cacheMaxEntries, secret);
  }

  /** Never prints the secret. */
  @Override
  public String toString() {
    return "WebhookSettings[url=" + url + ", actions=" + actions + ", format=" + format + ", timeoutMs="
        + timeoutMs + ", allowOnError=" + allowOnError + ", cacheAllowMs=" + cacheAllowMs + ", cacheDenyMs="
        + cacheDenyMs + ", cacheMaxEntries=" + cacheMaxEntries + ", secret=" + (secret == null ? "none" : "(set)")
        + "]";
  }
}
