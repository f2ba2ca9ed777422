package org.rtmpcluster.common.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.EnumSet;
import java.util.Set;

/**
 * Everything a node is configured with; see conf/node.yaml for every key and its default.
 *
 * @param drainTimeoutMs a node that is told to stop gives its players and publishers this long
 *                       to take their last messages (StreamEOF, a status) before it leaves
 * @param record         which streams an origin records to FLV files, and where
 */
public record NodeConfig(String nodeName, Set<Role> roles, RtmpSettings rtmp, RtmpsSettings rtmps,
    StreamSettings streams, AuthSettings auth, ClusterSettings cluster, HttpSettings http,
    PlayHttpSettings playHttp, MemorySettings memory, int drainTimeoutMs, RecordSettings record) {

  /** Enough for a last status to reach a reading peer; a stop should not wait on the others. */
  public static final int DEFAULT_DRAIN_TIMEOUT_MS = 2_000;

  public static final NodeConfig DEFAULT = new NodeConfig(null, EnumSet.allOf(Role.class),
      RtmpSettings.DEFAULT, RtmpsSettings.DEFAULT, StreamSettings.DEFAULT, AuthSettings.DEFAULT,
      ClusterSettings.DEFAULT, HttpSettings.DEFAULT, PlayHttpSettings.DEFAULT, MemorySettings.DEFAULT,
      DEFAULT_DRAIN_TIMEOUT_MS, RecordSettings.DEFAULT);

  public NodeConfig {
    if (roles.isEmpty()) {
      throw new ConfigException("a node needs at least one role: origin, edge or origin,edge");
    }
    roles = Set.copyOf(roles);
    if (streams.segmentMs() / Math.max(1, playHttp.hls().partMs()) >= 255) {
      // A segment's parts are numbered in one byte of their fragments' sequence numbers.
      throw new ConfigException("streams.segment-ms (" + streams.segmentMs() + ") over play-http.hls.part-ms ("
          + playHttp.hls().partMs() + ") makes 255 or more parts a segment; use longer parts or shorter segments");
    }
  }

  /** A node that would accept no connection is a mistake, not a configuration. */
  public NodeConfig requireAListener() {
    if (!rtmp.enabled() && !rtmps.enabled()) {
      throw new ConfigException("rtmp.enabled is false and rtmps is not enabled: the node would "
          + "accept no connections (enable one, or set rtmps.cert and rtmps.key)");
    }
    if (playHttp.enabled() && playHttp.tls() && (rtmps.certPath() == null || rtmps.keyPath() == null)) {
      throw new ConfigException("play-http.tls uses the certificate of rtmps.cert and rtmps.key (or --tls-cert and "
          + "--tls-key): set them (rtmps.enabled: false keeps RTMPS off)");
    }
    return this;
  }

  /** Whether the node needs the certificate files: for RTMPS, or for HTTPS playback. */
  public boolean usesCertificate() {
    return rtmps.enabled() || playHttp.enabled() && playHttp.tls();
  }

  /** Reads a config tree (parsed from YAML or JSON); missing keys take their defaults. */
  public static NodeConfig fromJson(JsonObject json) {
    ConfigReader root = new ConfigReader("", json);
    ConfigReader node = root.section("node");
    String name = node.string("name", null);
    Set<Role> roles = readRoles(node);
    int drainTimeoutMs = node.integer("drain-timeout-ms", DEFAULT_DRAIN_TIMEOUT_MS, 0, 600_000);
    node.rejectUnknownKeys();
    NodeConfig config = new NodeConfig(name, roles, RtmpSettings.read(root.section("rtmp")),
        RtmpsSettings.read(root.section("rtmps")), StreamSettings.read(root.section("streams")),
        AuthSettings.read(root.section("auth")), ClusterSettings.read(root.section("cluster")),
        HttpSettings.read(root.section("http")), PlayHttpSettings.read(root.section("play-http")),
        MemorySettings.read(root.section("memory")), drainTimeoutMs, RecordSettings.read(root.section("record")));
    root.rejectUnknownKeys();
    return config.requireAListener();
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

  /** The node's name in logs and the API: configured, or host:port of its RTMP listener. */
  public String displayName(int rtmpPort) {
    return nodeName != null ? nodeName : cluster.host() + ":" + rtmpPort;
  }

  public NodeConfig withNodeName(String newName) {
    return new NodeConfig(newName, roles, rtmp, rtmps, streams, auth, cluster, http, playHttp, memory, drainTimeoutMs, record);
  }

  public NodeConfig withRoles(Set<Role> newRoles) {
    return new NodeConfig(nodeName, newRoles, rtmp, rtmps, streams, auth, cluster, http, playHttp, memory, drainTimeoutMs, record);
  }

  public NodeConfig withRtmp(RtmpSettings newRtmp) {
    return new NodeConfig(nodeName, roles, newRtmp, rtmps, streams, auth, cluster, http, playHttp, memory, drainTimeoutMs, record);
  }

  public NodeConfig withRtmps(RtmpsSettings newRtmps) {
    return new NodeConfig(nodeName, roles, rtmp, newRtmps, streams, auth, cluster, http, playHttp, memory, drainTimeoutMs, record);
  }

  public NodeConfig withStreams(StreamSettings newStreams) {
    return new NodeConfig(nodeName, roles, rtmp, rtmps, newStreams, auth, cluster, http, playHttp, memory, drainTimeoutMs, record);
  }

  public NodeConfig withAuth(AuthSettings newAuth) {
    return new NodeConfig(nodeName, roles, rtmp, rtmps, streams, newAuth, cluster, http, playHttp, memory, drainTimeoutMs, record);
  }

  public NodeConfig withCluster(ClusterSettings newCluster) {
    return new NodeConfig(nodeName, roles, rtmp, rtmps, streams, auth, newCluster, http, playHttp, memory, drainTimeoutMs, record);
  }

  public NodeConfig withHttp(HttpSettings newHttp) {
    return new NodeConfig(nodeName, roles, rtmp, rtmps, streams, auth, cluster, newHttp, playHttp, memory, drainTimeoutMs, record);
  }

  public NodeConfig withPlayHttp(PlayHttpSettings newPlayHttp) {
    return new NodeConfig(nodeName, roles, rtmp, rtmps, streams, auth, cluster, http, newPlayHttp, memory,
        drainTimeoutMs, record);
  }

  public NodeConfig withMemory(MemorySettings newMemory) {
    return new NodeConfig(nodeName, roles, rtmp, rtmps, streams, auth, cluster, http, playHttp, newMemory,
        drainTimeoutMs, record);
  }

  public NodeConfig withRecord(RecordSettings newRecord) {
    return new NodeConfig(nodeName, roles, rtmp, rtmps, streams, auth, cluster, http, playHttp, memory, drainTimeoutMs,
        newRecord);
  }
}
