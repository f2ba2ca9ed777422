package org.rtmpcluster.server;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.rtmpcluster.common.config.ClusterSettings;
import org.rtmpcluster.common.config.ClusterTlsSettings;
import org.rtmpcluster.common.config.ConfigException;
import org.rtmpcluster.common.config.NodeConfig;
import org.rtmpcluster.common.config.Role;
import org.rtmpcluster.common.config.StreamKey;

/** The jar's flags; they override the config file. */
record CommandLine(List<Path> configFiles, Set<Role> roles, Integer rtmpPort, Integer rtmpsPort, String tlsCert,
    String tlsKey, String bind, List<StreamKey> keys, boolean cluster, String clusterHost, Integer clusterPort,
    List<String> members, String clusterName, String nodeName, Integer httpPort, String apiToken,
    String playTokenSecret, String authWebhook, String clusterTlsCert, String clusterTlsKey, String clusterTlsCa,
    Integer playHttpPort, boolean playHttpTls, boolean help) {

  static final String USAGE = """
      Usage: java -jar rtmp-cluster.jar [options]

      Runs an RTMP node. With no options: a standalone node (origin and edge) on port 1935 that
      accepts the demo key. Publish to rtmp://HOST/live/KEY, play rtmp://HOST/live/NAME.

      Options:
        --config FILE        node config (YAML); see conf/node.yaml for every key and default.
                             Repeatable: a later file's keys override an earlier one's (a
                             Kubernetes ConfigMap, then a Secret with keys and tokens)
        --roles LIST         origin, edge or origin,edge (default: origin,edge)
        --rtmp-port N        RTMP port (default 1935; 0 picks a free port)
        --bind HOST          address to listen on (default 0.0.0.0), for RTMP and RTMPS
        --rtmps-port N       also take RTMPS (RTMP in TLS) on this port (default 443 once a
                             certificate is given)
        --tls-cert FILE      the RTMPS certificate chain, PEM; reloaded when the file changes
        --tls-key FILE       its private key, PEM
        --key SECRET:NAME    accept publish key SECRET for the public stream NAME (repeatable);
                             SECRET:APP/NAME binds the key to one app
        --play-token-secret SECRET
                             every play needs a signed, expiring token made with SECRET (key id
                             "default"); scripts/sign-url.sh makes one
        --auth-webhook URL   ask URL (an HTTP POST) before every publish and play; any 2xx
                             allows (see auth.webhook in conf/node.yaml)
        --http-port N        serve /health, /api/node and /api/streams on this port (0: any)
        --play-http-port N   serve HTTP-FLV, WebSocket-FLV and HLS players on this port:
                             http://HOST:N/<app>/<name>.flv (ws:// for WebSocket-FLV),
                             http://HOST:N/<app>/<name>/index.m3u8 for HLS
        --play-http-tls      serve them over HTTPS and WSS (HTTP/2 by ALPN) with the
                             certificate of --tls-cert and --tls-key
        --api-token TOKEN    require "Authorization: Bearer TOKEN" on /api/* (/health stays open);
                             flags show in ps: prefer http.api-token in a config file only you read
        --node-name NAME     this node's name in logs and the API (default: cluster-host:rtmp-port)

      Cluster (see the README for a three-node example):
        --cluster            join a cluster instead of running standalone
        --cluster-host HOST  address for Hazelcast and the event bus (default 127.0.0.1)
        --cluster-port N     Hazelcast member port (default 5701)
        --members LIST       host:port of members to join, comma-separated (none: start a cluster)
        --cluster-name NAME  nodes join only a cluster of the same name (default rtmp-cluster)
        --cluster-tls-cert FILE, --cluster-tls-key FILE, --cluster-tls-ca FILE
                             mutual TLS on the event bus between nodes: this node's certificate
                             and key, and the CA every node's certificate is signed by (PEM)
        --help               this text
      """;

  static CommandLine parse(String[] args) {
    List<Path> config = new ArrayList<>();
    Set<Role> roles = null;
    Integer port = null;
    Integer rtmpsPort = null;
    String tlsCert = null;
    String tlsKey = null;
    String bind = null;
    List<StreamKey> keys = new ArrayList<>();
    boolean cluster = false;
    String clusterHost = null;
    Integer clusterPort = null;
    List<String> members = null;
    String clusterName = null;
    String nodeName = null;
    Integer httpPort = null;
    Integer playHttpPort = null;
    boolean playHttpTls = false;
    String apiToken = null;
    String playTokenSecret = null;
    String authWebhook = null;
    String clusterTlsCert = null;
    String clusterTlsKey = null;
    String clusterTlsCa = null;
    boolean help = false;
    for (int i = 0; i < args.length; i++) {
      String flag = args[i];
      String inline = null;
      int eq = flag.indexOf('=');
      if (flag.startsWith("--") && eq > 0) {
        inline = flag.substring(eq + 1);
        flag = flag.substring(0, eq);
      }
      switch (flag) {
        case "--help", "-h" -> help = true;
        case "--config" -> config.add(Path.of(value(args, i, flag, inline)));
        case "--roles" -> roles = Role.parseList(value(args, i, flag, inline));
        case "--rtmp-port" -> port = port(flag, value(args, i, flag, inline), 0);
        case "--rtmps-port" -> rtmpsPort = port(flag, value(args, i, flag, inline), 0);
        case "--tls-cert" -> tlsCert = value(args, i, flag, inline);
        case "--tls-key" -> tlsKey = value(args, i, flag, inline);
        case "--bind" -> bind = value(args, i, flag, inline);
        case "--key" -> keys.add(StreamKey.parse(value(args, i, flag, inline)));
        case "--cluster" -> cluster = true;
        case "--cluster-host" -> clusterHost = value(args, i, flag, inline);
        case "--cluster-port" -> clusterPort = port(flag, value(args, i, flag, inline), 1);
        case "--members" -> members = memberList(value(args, i, flag, inline));
        case "--cluster-name" -> clusterName = value(args, i, flag, inline);
        case "--node-name" -> nodeName = value(args, i, flag, inline);
        case "--http-port" -> httpPort = port(flag, value(args, i, flag, inline), 0);
        case "--play-http-port" -> playHttpPort = port(flag, value(args, i, flag, inline), 0);
        case "--play-http-tls" -> playHttpTls = true;
        case "--api-token" -> apiToken = value(args, i, flag, inline);
        case "--play-token-secret" -> playTokenSecret = value(args, i, flag, inline);
        case "--auth-webhook" -> authWebhook = value(args, i, flag, inline);
        case "--cluster-tls-cert" -> clusterTlsCert = value(args, i, flag, inline);
        case "--cluster-tls-key" -> clusterTlsKey = value(args, i, flag, inline);
        case "--cluster-tls-ca" -> clusterTlsCa = value(args, i, flag, inline);
        default -> throw new ConfigException("unknown option " + args[i] + " (see --help)");
      }
      if (inline == null && !SWITCHES.contains(flag)) {
        i++;
      }
    }
    if ((tlsCert == null) != (tlsKey == null)) {
      throw new ConfigException("--tls-cert and --tls-key go together: a certificate needs its key");
    }
    return new CommandLine(List.copyOf(config), roles, port, rtmpsPort, tlsCert, tlsKey, bind, List.copyOf(keys), cluster, clusterHost, clusterPort,
        members, clusterName, nodeName, httpPort, apiToken, playTokenSecret,
        authWebhook, clusterTlsCert, clusterTlsKey, clusterTlsCa, playHttpPort, playHttpTls, help);
  }

  /** Flags that take no value. */
  private static final Set<String> SWITCHES = Set.of("--help", "-h", "--cluster", "--play-http-tls");

  private static List<String> memberList(String text) {
    List<String> members = new ArrayList<>();
    for (String member : text.split(",")) {
      if (!member.isBlank()) {
        members.add(member.trim());
      }
    }
    return members;
  }

  private static String value(String[] args, int i, String flag, String inline) {
    if (inline != null) {
      if (inline.isEmpty()) {
        throw new ConfigException(flag + " needs a value");
      }
      return inline;
    }
    if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
      throw new ConfigException(flag + " needs a value");
    }
    return args[i + 1];
  }

  private static int port(String flag, String text, int min) {
    try {
      int port = Integer.parseInt(text);
      if (port < min || port > 65535) {
        throw new NumberFormatException();
      }
      return port;
    } catch (NumberFormatException e) {
      throw new ConfigException(flag + " takes a port number " + min + "-65535, not '" + text + "'");
    }
  }

  /** The node's config: its files (or the defaults) read and merged, with these flags applied. */
  NodeConfig config() {
    NodeConfig base = configFiles.isEmpty() ? NodeConfig.DEFAULT : ConfigLoader.load(configFiles);
    return apply(base);
  }

  /** The config file (or the defaults) with these flags applied. */
  NodeConfig apply(NodeConfig base) {
    NodeConfig config = base;
    if (roles != null) {
      config = config.withRoles(roles);
    }
    if (rtmpPort != null) {
      config = config.withRtmp(config.rtmp().withPort(rtmpPort));
    }
    if (bind != null) {
      config = config.withRtmp(config.rtmp().withHost(bind)).withRtmps(config.rtmps().withHost(bind));
    }
    if (tlsCert != null) {
      config = config.withRtmps(config.rtmps().withCertificate(tlsCert, tlsKey));
    }
    if (rtmpsPort != null) {
      config = config.withRtmps(config.rtmps().withPort(rtmpsPort));
    }
    if (nodeName != null) {
      config = config.withNodeName(nodeName);
    }
    if (httpPort != null) {
      config = config.withHttp(config.http().withPort(httpPort));
    }
    if (playHttpTls) {
      config = config.withPlayHttp(config.playHttp().withTls(true));
    }
    if (playHttpPort != null) {
      config = config.withPlayHttp(config.playHttp().withPort(playHttpPort));
    }
    if (apiToken != null) {
      config = config.withHttp(config.http().withApiToken(apiToken));
    }
    if (authWebhook != null) {
      config = config.withAuth(config.auth().withWebhook(config.auth().webhook().withUrl(authWebhook)));
    }
    if (playTokenSecret != null) {
      config = config.withAuth(config.auth().withTokens(config.auth().tokens().withPlaySecret(playTokenSecret)));
    }
    ClusterSettings clusterSettings = config.cluster();
    if (cluster) {
      clusterSettings = clusterSettings.withEnabled(true);
    }
    if (clusterHost != null) {
      clusterSettings = clusterSettings.withHost(clusterHost);
    }
    if (clusterPort != null) {
      clusterSettings = clusterSettings.withPort(clusterPort);
    }
    if (members != null) {
      clusterSettings = clusterSettings.withMembers(members);
    }
    if (clusterName != null) {
      clusterSettings = clusterSettings.withName(clusterName);
    }
    if (clusterTlsCert != null || clusterTlsKey != null || clusterTlsCa != null) {
      clusterSettings = clusterSettings.withTls(new ClusterTlsSettings(clusterTlsCert, clusterTlsKey, clusterTlsCa));
    }
    config = config.withCluster(clusterSettings);
    if (!keys.isEmpty()) {
      List<StreamKey> all = new ArrayList<>(config.streams().keys());
      all.addAll(keys);
      config = config.withStreams(config.streams().withKeys(all));
    }
    return config;
  }
}
