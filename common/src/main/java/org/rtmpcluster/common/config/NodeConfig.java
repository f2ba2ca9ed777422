package org.rtmpcluster.common.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.EnumSet;
import java.util.Set;

/** Everything a node is configured with; see conf/node.yaml for every key and its default. */
public record NodeConfig(Set<Role> roles, RtmpSettings rtmp, StreamSettings streams) {

  public static final NodeConfig DEFAULT =
      new NodeConfig(EnumSet.allOf(Role.class), RtmpSettings.DEFAULT, StreamSettings.DEFAULT);

  public NodeConfig {
    if (roles.isEmpty()) {
      throw new ConfigException("a node needs at least one role: origin, edge or origin,edge");
    }
    roles = Set.copyOf(roles);
  }

  /** Reads a config tree (parsed from YAML or JSON); missing keys take their defaults. */
  public static NodeConfig fromJson(JsonObject json) {
    ConfigReader root = new ConfigReader("", json);
    ConfigReader node = root.section("node");
    Set<Role> roles = readRoles(node);
    node.rejectUnknownKeys();
    NodeConfig config = new NodeConfig(roles, RtmpSettings.read(root.section("rtmp")),
        StreamSettings.read(root.section("streams")));
    root.rejectUnknownKeys();
    return config;
  }

  private static Set<Role> readRoles(ConfigReader node) {
    Object value = node.array("roles");
    JsonArray list = (JsonArray) value;
    if (list.isEmpty()) {
      return EnumSet.allOf(Role.class);
    }
    Set<Role> roles = EnumSet.noneOf(Role.class);
    for (Object role : list) {
      roles.add(Role.parse(String.valueOf(role)));
    }
    return roles;
  }

  public boolean hasRole(Role role) {
    return roles.contains(role);
  }

  public NodeConfig withRoles(Set<Role> newRoles) {
    return new NodeConfig(newRoles, rtmp, streams);
  }

  public NodeConfig withRtmp(RtmpSettings newRtmp) {
    return new NodeConfig(roles, newRtmp, streams);
  }

  public NodeConfig withStreams(StreamSettings newStreams) {
    return new NodeConfig(roles, rtmp, newStreams);
  }
}
