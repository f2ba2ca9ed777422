package org.rtmpcluster.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;

/**
 * Bytes that arrived for a local server but that it has not read yet: the receive queues of the
 * established TCP connections on the server's ports, from Linux's /proc/net/tcp and tcp6. A
 * server that keeps up with its publishers reads what comes at once, so a queue that stays full
 * says it fell behind, and that its CPU per publisher-second counts less work than was sent.
 */
final class UnreadBytes {

  private static final List<Path> TABLES = List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6"));
  /** The st column's value for an established connection (include/net/tcp_states.h). */
  private static final String ESTABLISHED = "01";

  private UnreadBytes() {
  }

  /** Unread bytes over the connections whose local port is one of {@code ports}; 0 without /proc. */
  static long onPorts(Collection<Integer> ports) {
    long unread = 0;
    for (Path table : TABLES) {
      List<String> lines;
      try {
        lines = Files.readAllLines(table);
      } catch (IOException e) {
        continue;
      }
      // sl local_address rem_address st tx_queue:rx_queue ..., addresses and queues in hex.
      for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
        String[] fields = line.trim().split("\\s+");
        if (fields.length < 5 || !fields[3].equals(ESTABLISHED)) {
          continue;
        }
        int port = Integer.parseInt(fields[1].substring(fields[1].lastIndexOf(':') + 1), 16);
        if (ports.contains(port)) {
          unread += Long.parseLong(fields[4].substring(fields[4].indexOf(':') + 1), 16);
        }
      }
    }
    return unread;
  }
}
