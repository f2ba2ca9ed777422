package org.rtmpcluster.origin;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.rtmpcluster.common.config.ConfigException;
import org.rtmpcluster.common.config.StreamKey;

/** Secret publish keys to the public names players use. */
public final class StreamKeys {
  private final Map<String, String> nameByKey = new HashMap<>();

  public StreamKeys(List<StreamKey> keys) {
    Map<String, String> keyByName = new HashMap<>();
    for (StreamKey key : keys) {
      if (nameByKey.putIfAbsent(key.key(), key.name()) != null) {
        throw new ConfigException("stream key for '" + key.name() + "' is configured twice");
      }
      if (keyByName.putIfAbsent(key.name(), key.key()) != null) {
        throw new ConfigException("stream name '" + key.name() + "' has two keys");
      }
      if (nameByKey.containsKey(key.name()) || keyByName.containsKey(key.key())) {
        throw new ConfigException("a stream key may not equal a public stream name ('"
            + key.name() + "'): players would learn the key");
      }
    }
  }

  /** The public name for a key, or null when the key is unknown. */
  public String nameFor(String key) {
    return nameByKey.get(key);
  }
}
