package org.rtmpcluster.origin;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.rtmpcluster.common.config.ConfigException;
import org.rtmpcluster.common.config.StreamKey;

/** Secret publish keys to the public names players use, in the apps they may publish in. */
public final class StreamKeys {
  private final Map<String, StreamKey> byKey = new HashMap<>();

  public StreamKeys(List<StreamKey> keys) {
    Map<String, String> keyByTarget = new HashMap<>();
    Map<String, String> names = new HashMap<>();
    for (StreamKey key : keys) {
      if (byKey.putIfAbsent(key.key(), key) != null) {
        throw new ConfigException("stream key for '" + key.name() + "' is configured twice");
      }
      String target = (key.app() == null ? "*" : key.app()) + "/" + key.name();
      if (keyByTarget.putIfAbsent(target, key.key()) != null) {
        throw new ConfigException("stream name '" + target + "' has two keys");
      }
      names.put(key.name(), key.key());
    }
    for (StreamKey key : keys) {
      if (names.containsKey(key.key())) {
        throw new ConfigException("a stream key may not equal a public stream name ('"
            + key.key() + "'): players would learn the key");
      }
    }
  }

  /**
   * The public name for a key used in {@code app}, or null when the key is unknown or bound to
   * another app (the encoder is told the same in both cases).
   */
  public String nameFor(String key, String app) {
    StreamKey known = byKey.get(key);
    return known != null && known.publishesIn(app) ? known.name() : null;
  }
}
