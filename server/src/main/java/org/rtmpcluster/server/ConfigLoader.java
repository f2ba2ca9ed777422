package org.rtmpcluster.server;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.rtmpcluster.common.config.ConfigException;
import org.rtmpcluster.common.config.NodeConfig;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/** Reads a node config file: YAML (a JSON file is valid YAML too). */
public final class ConfigLoader {

  private ConfigLoader() {
  }

  public static NodeConfig load(Path file) {
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return parse(reader, file.toString());
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
    }
  }

  static NodeConfig parse(Reader reader, String source) {
    Object tree;
    try {
      // SafeConstructor: a config file builds maps, lists and scalars, never arbitrary classes.
      tree = new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
    } catch (YAMLException e) {
      throw new ConfigException("config file " + source + " is not valid YAML: " + e.getMessage());
    }
    if (tree == null) {
      return NodeConfig.fromJson(new JsonObject());
    }
    if (!(tree instanceof Map<?, ?> map)) {
      throw new ConfigException("config file " + source + " must hold sections (node, rtmp, streams)");
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> root = (Map<String, Object>) map;
    try {
      return NodeConfig.fromJson(new JsonObject(root));
    } catch (ConfigException e) {
      throw new ConfigException(source + ": " + e.getMessage());
    }
  }
}
