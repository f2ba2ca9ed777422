package org.rtmpcluster.server;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.rtmpcluster.common.config.ConfigException;
import org.rtmpcluster.common.config.NodeConfig;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads a node's config files: YAML (a JSON file is valid YAML too). Several files are merged in
 * order, a later file's keys over an earlier one's, section by section (a list is replaced
 * whole), so secrets can live in a file of their own.
 */
public final class ConfigLoader {

  private ConfigLoader() {
  }

  public static NodeConfig load(Path file) {
    return load(List.of(file));
  }

  public static NodeConfig load(List<Path> files) {
    JsonObject merged = new JsonObject();
    for (Path file : files) {
      try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        merge(merged, read(reader, file.toString()));
      } catch (IOException e) {
        throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
      }
    }
    String source = files.size() == 1 ? files.get(0).toString()
        : String.join(" + ", files.stream().map(Path::toString).toList());
    return fromJson(merged, source);
  }

  /** {@code over}'s keys into {@code into}: sections merge key by key, anything else replaces. */
  static void merge(JsonObject into, JsonObject over) {
    for (String key : over.fieldNames()) {
      Object value = over.getValue(key);
      if (value instanceof JsonObject section && into.getValue(key) instanceof JsonObject existing) {
        merge(existing, section);
      } else {
        into.put(key, value);
      }
    }
  }

  static NodeConfig parse(Reader reader, String source) {
    return fromJson(read(reader, source), source);
  }

  private static NodeConfig fromJson(JsonObject root, String source) {
    try {
      return NodeConfig.fromJson(root);
    } catch (ConfigException e) {
      throw new ConfigException(source + ": " + e.getMessage());
    }
  }

  private static JsonObject read(Reader reader, String source) {
    Object tree;
    try {
      // SafeConstructor: a config file builds maps, lists and scalars, never arbitrary classes.
      tree = new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
    } catch (YAMLException e) {
      throw new ConfigException("config file " + source + " is not valid YAML: " + e.getMessage());
    }
    if (tree == null) {
      return new JsonObject();
    }
    if (!(tree instanceof Map<?, ?> map)) {
      throw new ConfigException("config file " + source + " must hold sections (node, rtmp, streams)");
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> root = (Map<String, Object>) map;
    // A copy: nested maps become JsonObjects, which merge() recognises as sections.
    return new JsonObject(root).copy();
  }
}
