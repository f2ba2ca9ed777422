package org.rtmpcluster.common.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashSet;
import java.util.Set;

/**
 * Reads one section of the config with typed getters and defaults, and rejects keys it was never
 * asked about so that a typo ({@code max-conections}) is an error, not a silently ignored line.
 */
final class ConfigReader {
  private final String path;
  private final JsonObject json;
  private final Set<String> read = new HashSet<>();

  ConfigReader(String path, JsonObject json) {
    this.path = path;
    this.json = json == null ? new JsonObject() : json;
  }

  ConfigReader section(String key) {
    Object value = json.getValue(key);
    read.add(key);
    if (value != null && !(value instanceof JsonObject)) {
      throw new ConfigException(name(key) + " must be a section, not " + value);
    }
    return new ConfigReader(name(key), (JsonObject) value);
  }

  int integer(String key, int defaultValue, int min, int max) {
    return (int) whole(key, defaultValue, min, max);
  }

  long whole(String key, long defaultValue, long min, long max) {
    read.add(key);
    Object value = json.getValue(key);
    if (value == null) {
      return defaultValue;
    }
    if (!(value instanceof Number number) || number.doubleValue() != Math.rint(number.doubleValue())) {
      throw new ConfigException(name(key) + " must be a whole number, not " + value);
    }
    long v = number.longValue();
    if (v < min || v > max) {
      throw new ConfigException(name(key) + " must be between " + min + " and " + max + ", not " + v);
    }
    return v;
  }

  boolean bool(String key, boolean defaultValue) {
    read.add(key);
    Object value = json.getValue(key);
    if (value == null) {
      return defaultValue;
    }
    if (!(value instanceof Boolean b)) {
      throw new ConfigException(name(key) + " must be true or false, not " + value);
    }
    return b;
  }

  SocketTransport transport(String key, SocketTransport defaultValue) {
    read.add(key);
    Object value = json.getValue(key);
    if (value == null) {
      return defaultValue;
    }
    SocketTransport transport = SocketTransport.parse(value);
    if (transport == null) {
      throw new ConfigException(name(key) + " must be true (epoll), false (nio), epoll, io_uring or nio, not " + value);
    }
    return transport;
  }

  String string(String key, String defaultValue) {
    read.add(key);
    Object value = json.getValue(key);
    if (value == null) {
      return defaultValue;
    }
    if (!(value instanceof String s) || s.isBlank()) {
      throw new ConfigException(name(key) + " must be a non-empty string, not " + value);
    }
    return s;
  }

  JsonArray array(String key) {
    read.add(key);
    Object value = json.getValue(key);
    if (value == null) {
      return new JsonArray();
    }
    if (!(value instanceof JsonArray array)) {
      throw new ConfigException(name(key) + " must be a list, not " + value);
    }
    return array;
  }

  String name(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  /** Call after every key of the section was read. */
  void rejectUnknownKeys() {
    for (String key : json.fieldNames()) {
      if (!read.contains(key)) {
        throw new ConfigException("unknown config key " + name(key));
      }
    }
  }
}
