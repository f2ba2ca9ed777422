package org.rtmpcluster.server;

import io.vertx.core.transport.Transport;
import org.rtmpcluster.common.config.SocketTransport;
import org.slf4j.Logger;

/** The Vert.x transport for {@code rtmp.native-transport}, or NIO when the native one does not load here. */
final class Transports {
  private Transports() {
  }

  static Transport choose(SocketTransport wanted, Logger log) {
    Transport transport = switch (wanted) {
      case NIO -> Transport.NIO;
      case EPOLL -> Transport.EPOLL;
      case IO_URING -> Transport.IO_URING;
    };
    if (transport != Transport.NIO && !transport.available()) {
      Throwable cause = transport.unavailabilityCause();
      log.warn("the {} transport does not load here ({}); running on NIO", wanted.configName(),
          cause == null ? "no reason given" : cause.toString());
      return Transport.NIO;
    }
    return transport;
  }

  /** How the ready line names it. */
  static String describe(Transport transport) {
    return transport == Transport.NIO ? "NIO" : transport.name().toLowerCase(java.util.Locale.ROOT);
  }
}
