package org.rtmpcluster.common.config;

import java.util.Locale;

/**
 * The socket I/O a node's event loops run on ({@code rtmp.native-transport}): Linux epoll (the
 * default), Linux io_uring, or the JDK's NIO, which works everywhere. A native transport that does
 * not load on the machine falls back to NIO, and the node's ready line says which one runs.
 */
public enum SocketTransport {
  NIO("nio"),
  EPOLL("epoll"),
  IO_URING("io_uring");

  private final String configName;

  SocketTransport(String configName) {
    this.configName = configName;
  }

  public String configName() {
    return configName;
  }

  /**
   * Reads {@code native-transport}: {@code true} (epoll), {@code false} (NIO), or a transport's
   * name; null when the value is none of these.
   */
  static SocketTransport parse(Object value) {
    if (value instanceof Boolean enabled) {
      return enabled ? EPOLL : NIO;
    }
    if (value instanceof String name) {
      for (SocketTransport transport : values()) {
        if (transport.configName.equals(name.toLowerCase(Locale.ROOT))) {
          return transport;
        }
      }
    }
    return null;
  }
}
