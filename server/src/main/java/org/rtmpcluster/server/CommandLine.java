package org.rtmpcluster.server;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.rtmpcluster.common.config.ConfigException;
import org.rtmpcluster.common.config.NodeConfig;
import org.rtmpcluster.common.config.Role;
import org.rtmpcluster.common.config.StreamKey;

/** The jar's flags; they override the config file. */
record CommandLine(Path configFile, Set<Role> roles, Integer rtmpPort, String bind, List<StreamKey> keys,
    boolean help) {

  static final String USAGE = """
      Usage: java -jar rtmp-cluster.jar [options]

      Runs an RTMP node. With no options: a standalone node (origin and edge) on port 1935 that
      accepts the demo key. Publish to rtmp://HOST/live/KEY, play rtmp://HOST/live/NAME.

      Options:
        --config FILE        node config (YAML); see conf/node.yaml for every key and default
        --roles LIST         origin, edge or origin,edge (default: origin,edge)
        --rtmp-port N        RTMP port (default 1935; 0 picks a free port)
        --bind HOST          address to listen on (default 0.0.0.0)
        --key SECRET:NAME    accept publish key SECRET for the public stream NAME (repeatable)
        --help               this text
      """;

  static CommandLine parse(String[] args) {
    Path config = null;
    Set<Role> roles = null;
    Integer port = null;
    String bind = null;
    List<StreamKey> keys = new ArrayList<>();
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
        case "--config" -> config = Path.of(value(args, i, flag, inline));
        case "--roles" -> roles = Role.parseList(value(args, i, flag, inline));
        case "--rtmp-port" -> port = port(value(args, i, flag, inline));
        case "--bind" -> bind = value(args, i, flag, inline);
        case "--key" -> keys.add(StreamKey.parse(value(args, i, flag, inline)));
        default -> throw new ConfigException("unknown option " + args[i] + " (see --help)");
      }
      if (inline == null && !flag.equals("--help") && !flag.equals("-h")) {
        i++;
      }
    }
    return new CommandLine(config, roles, port, bind, List.copyOf(keys), help);
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

  private static int port(String text) {
    try {
      int port = Integer.parseInt(text);
      if (port < 0 || port > 65535) {
        throw new NumberFormatException();
      }
      return port;
    } catch (NumberFormatException e) {
      throw new ConfigException("--rtmp-port takes a port number 0-65535, not '" + text + "'");
    }
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
      config = config.withRtmp(config.rtmp().withHost(bind));
    }
    if (!keys.isEmpty()) {
      List<StreamKey> all = new ArrayList<>(config.streams().keys());
      all.addAll(keys);
      config = config.withStreams(config.streams().withKeys(all));
    }
    return config;
  }
}
