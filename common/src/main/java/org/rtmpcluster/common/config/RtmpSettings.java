package org.rtmpcluster.common.config;

import org.rtmpcluster.common.amf.AmfLimits;
import org.rtmpcluster.common.rtmp.chunk.ChunkLimits;

/**
 * The RTMP listener and the limits that protect it from its peers (config section {@code rtmp}).
 *
 * @param host                    address to listen on
 * @param port                    TCP port, 1935 by RTMP convention
 * @param chunkSize               chunk size this node sends with
 * @param windowAckSize           acknowledgement window announced to peers
 * @param handshakeTimeoutMs      a handshake not done by then is closed
 * @param idleTimeoutMs           a connection that sends nothing for this long is closed
 * @param pingIntervalMs          a quiet connection gets a ping this often, so live clients answer
 * @param maxConnections          connections this node holds at once
 * @param maxConnectionsPerIp     connections one remote address may hold at once
 * @param maxStreamsPerConnection createStream calls one connection may have open
 * @param chunkLimits             chunk size, message length and chunk stream caps
 * @param amfLimits               AMF nesting, string length and element caps
 * @param transport               the socket I/O: epoll (default), io_uring or NIO; a native one
 *                                that does not load falls back to NIO
 * @param writeCoalesceMs         the longest players' media waits for its flush, so that one system
 *                                call carries several messages; the wait grows toward it with the
 *                                load of the event loop (0: at the end of the event-loop task, always)
 * @param writeCoalesceFullAtConnections connections on one event loop at which the wait reaches
 *                                {@code writeCoalesceMs} (see {@code WriteWindow})
 * @param eventLoops              event loops the node's connections are spread over (0: one per
 *                                core); each loop chunks a stream's frames once for its players
 * @param closeFlushTimeoutMs     a connection closed gracefully (its last status to be written
 *                                first) whose peer stopped reading is closed hard after this long
 * @param enabled                 whether the node listens for plain RTMP; false for a node that
 *                                takes RTMPS only (section {@code rtmps})
 */
public record RtmpSettings(String host, int port, int chunkSize, int windowAckSize,
    int handshakeTimeoutMs, int idleTimeoutMs, int pingIntervalMs, int maxConnections,
    int maxConnectionsPerIp, int maxStreamsPerConnection, ChunkLimits chunkLimits, AmfLimits amfLimits,
    SocketTransport transport, int writeCoalesceMs, int writeCoalesceFullAtConnections, int eventLoops,
    int closeFlushTimeoutMs, boolean enabled) {

  public static final String DEFAULT_HOST = "0.0.0.0";
  public static final int DEFAULT_PORT = 1935;
  /** ffmpeg and nginx-rtmp use 4096: few headers per frame, small enough to interleave audio. */
  public static final int DEFAULT_CHUNK_SIZE = 4096;
  /** nginx-rtmp's and FMS's value; large enough that acknowledgements cost nothing. */
  public static final int DEFAULT_WINDOW_ACK_SIZE = 5_000_000;
  /** A real client finishes the handshake in one round trip; 10 s covers slow links. */
  public static final int DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;
  /** Clients answer pings, so a live peer is never quiet this long. */
  public static final int DEFAULT_IDLE_TIMEOUT_MS = 30_000;
  public static final int DEFAULT_PING_INTERVAL_MS = 5_000;
  public static final int DEFAULT_MAX_CONNECTIONS = 10_000;
  /** Stops one address from taking every slot; a load-test client needs a higher value. */
  public static final int DEFAULT_MAX_CONNECTIONS_PER_IP = 1_000;
  /** Clients open one or two streams; a few more allow a reconnect without deleteStream. */
  public static final int DEFAULT_MAX_STREAMS_PER_CONNECTION = 8;

  /**
   * Measured on a 1000-player node (docs/performance.md): 0 ms cost 850 us of CPU per
   * player-second, 10 ms 600 us, 20 ms 507 us. A loaded loop waits up to 20 ms, an idle one not at
   * all (see {@code WriteWindow}), so the default stays a low-delay one.
   */
  public static final int DEFAULT_WRITE_COALESCE_MS = 20;
  /** SRS merges up to 350 ms; a second is the most any live viewer would accept. */
  public static final int MAX_WRITE_COALESCE_MS = 1000;
  /** A thousand players on a loop is where each send saved matters; 50 wait 1 ms at most. */
  public static final int DEFAULT_WRITE_COALESCE_FULL_AT_CONNECTIONS = 1000;

  /** Far more than any machine has cores: each loop costs a thread and a copy of each stream. */
  public static final int MAX_EVENT_LOOPS = 256;

  /**
   * A graceful close writes what is queued first (an error status, a player's StreamEOF); a peer
   * that stopped reading would hold the socket, and its queue, forever. 5 s is ample for a peer
   * that reads.
   */
  public static final int DEFAULT_CLOSE_FLUSH_TIMEOUT_MS = 5_000;

  public static final RtmpSettings DEFAULT = new RtmpSettings(DEFAULT_HOST, DEFAULT_PORT,
      DEFAULT_CHUNK_SIZE, DEFAULT_WINDOW_ACK_SIZE, DEFAULT_HANDSHAKE_TIMEOUT_MS,
      DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_PING_INTERVAL_MS, DEFAULT_MAX_CONNECTIONS,
      DEFAULT_MAX_CONNECTIONS_PER_IP, DEFAULT_MAX_STREAMS_PER_CONNECTION, ChunkLimits.DEFAULT,
      AmfLimits.DEFAULT, SocketTransport.EPOLL, DEFAULT_WRITE_COALESCE_MS, DEFAULT_WRITE_COALESCE_FULL_AT_CONNECTIONS, 0,
      DEFAULT_CLOSE_FLUSH_TIMEOUT_MS, true);

  static RtmpSettings read(ConfigReader r) {
    RtmpSettings d = DEFAULT;
    ChunkLimits limits;
    try {
      limits = new ChunkLimits(
          r.integer("max-chunk-size", d.chunkLimits.maxChunkSize(), 128, 1 << 24),
          r.integer("max-message-length", d.chunkLimits.maxMessageLength(), 1024, 1 << 24),
          r.integer("max-chunk-streams", d.chunkLimits.maxChunkStreams(), 3, 65598),
          r.integer("max-incomplete-bytes", d.chunkLimits.maxIncompleteBytes(), 1024, 1 << 30),
          r.integer("max-incomplete-bytes-before-publish", d.chunkLimits.maxIncompleteBytesBeforePublish(),
              1024, 1 << 30));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(r.name("") + e.getMessage());
    }
    RtmpSettings settings = d.toBuilder()
        .enabled(r.bool("enabled", d.enabled))
        .host(r.string("host", d.host))
        .port(r.integer("port", d.port, 0, 65535))
        .chunkSize(r.integer("chunk-size", d.chunkSize, 128, 1 << 24))
        .windowAckSize(r.integer("window-ack-size", d.windowAckSize, 4096, Integer.MAX_VALUE))
        .handshakeTimeoutMs(r.integer("handshake-timeout-ms", d.handshakeTimeoutMs, 100, 3_600_000))
        .idleTimeoutMs(r.integer("idle-timeout-ms", d.idleTimeoutMs, 100, 86_400_000))
        .pingIntervalMs(r.integer("ping-interval-ms", d.pingIntervalMs, 100, 3_600_000))
        .maxConnections(r.integer("max-connections", d.maxConnections, 1, 10_000_000))
        .maxConnectionsPerIp(r.integer("max-connections-per-ip", d.maxConnectionsPerIp, 1, 10_000_000))
        .maxStreamsPerConnection(r.integer("max-streams-per-connection", d.maxStreamsPerConnection, 1, 1024))
        .chunkLimits(limits)
        .amfLimits(new AmfLimits(
            r.integer("amf-max-depth", d.amfLimits.maxDepth(), 1, 1000),
            r.integer("amf-max-string-length", d.amfLimits.maxStringLength(), 64, 1 << 24),
            r.integer("amf-max-elements", d.amfLimits.maxElements(), 16, 1 << 24),
            r.integer("amf-max-expansion", d.amfLimits.maxExpansion(), 1, 1024)))
        .transport(r.transport("native-transport", d.transport))
        .writeCoalesceMs(r.integer("write-coalesce-ms", d.writeCoalesceMs, 0, MAX_WRITE_COALESCE_MS))
        .writeCoalesceFullAtConnections(r.integer("write-coalesce-full-at-connections",
            d.writeCoalesceFullAtConnections, 1, 10_000_000))
        .eventLoops(r.integer("event-loops", d.eventLoops, 0, MAX_EVENT_LOOPS))
        .closeFlushTimeoutMs(r.integer("close-flush-timeout-ms", d.closeFlushTimeoutMs, 100, 600_000))
        .build();
    r.rejectUnknownKeys();
    return settings;
  }

  public RtmpSettings withHost(String newHost) {
    return toBuilder().host(newHost).build();
  }

  public RtmpSettings withPort(int newPort) {
    return toBuilder().port(newPort).build();
  }

  public RtmpSettings withEventLoops(int newEventLoops) {
    return toBuilder().eventLoops(newEventLoops).build();
  }

  public Builder toBuilder() {
    return new Builder(this);
  }

  /** Settings that differ from others in the fields named: {@code DEFAULT.toBuilder().port(0).build()}. */
  public static final class Builder {
    private String host;
    private int port;
    private int chunkSize;
    private int windowAckSize;
    private int handshakeTimeoutMs;
    private int idleTimeoutMs;
    private int pingIntervalMs;
    private int maxConnections;
    private int maxConnectionsPerIp;
    private int maxStreamsPerConnection;
    private ChunkLimits chunkLimits;
    private AmfLimits amfLimits;
    private SocketTransport transport;
    private int writeCoalesceMs;
    private int writeCoalesceFullAtConnections;
    private int eventLoops;
    private int closeFlushTimeoutMs;
    private boolean enabled;

    private Builder(RtmpSettings s) {
      host = s.host;
      port = s.port;
      chunkSize = s.chunkSize;
      windowAckSize = s.windowAckSize;
      handshakeTimeoutMs = s.handshakeTimeoutMs;
      idleTimeoutMs = s.idleTimeoutMs;
      pingIntervalMs = s.pingIntervalMs;
      maxConnections = s.maxConnections;
      maxConnectionsPerIp = s.maxConnectionsPerIp;
      maxStreamsPerConnection = s.maxStreamsPerConnection;
      chunkLimits = s.chunkLimits;
      amfLimits = s.amfLimits;
      transport = s.transport;
      writeCoalesceMs = s.writeCoalesceMs;
      writeCoalesceFullAtConnections = s.writeCoalesceFullAtConnections;
      eventLoops = s.eventLoops;
      closeFlushTimeoutMs = s.closeFlushTimeoutMs;
      enabled = s.enabled;
    }

    public Builder enabled(boolean value) {
      enabled = value;
      return this;
    }

    public Builder host(String value) {
      host = value;
      return this;
    }

    public Builder port(int value) {
      port = value;
      return this;
    }

    public Builder chunkSize(int value) {
      chunkSize = value;
      return this;
    }

    public Builder windowAckSize(int value) {
      windowAckSize = value;
      return this;
    }

    public Builder handshakeTimeoutMs(int value) {
      handshakeTimeoutMs = value;
      return this;
    }

    public Builder idleTimeoutMs(int value) {
      idleTimeoutMs = value;
      return this;
    }

    public Builder pingIntervalMs(int value) {
      pingIntervalMs = value;
      return this;
    }

    public Builder maxConnections(int value) {
      maxConnections = value;
      return this;
    }

    public Builder maxConnectionsPerIp(int value) {
      maxConnectionsPerIp = value;
      return this;
    }

    public Builder maxStreamsPerConnection(int value) {
      maxStreamsPerConnection = value;
      return this;
    }

    public Builder chunkLimits(ChunkLimits value) {
      chunkLimits = value;
      return this;
    }

    public Builder amfLimits(AmfLimits value) {
      amfLimits = value;
      return this;
    }

    public Builder transport(SocketTransport value) {
      transport = value;
      return this;
    }

    public Builder writeCoalesceMs(int value) {
      writeCoalesceMs = value;
      return this;
    }

    public Builder writeCoalesceFullAtConnections(int value) {
      writeCoalesceFullAtConnections = value;
      return this;
    }

    public Builder eventLoops(int value) {
      eventLoops = value;
      return this;
    }

    public Builder closeFlushTimeoutMs(int value) {
      closeFlushTimeoutMs = value;
      return this;
    }

    public RtmpSettings build() {
      return new RtmpSettings(host, port, chunkSize, windowAckSize, handshakeTimeoutMs, idleTimeoutMs,
          pingIntervalMs, maxConnections, maxConnectionsPerIp, maxStreamsPerConnection, chunkLimits,
          amfLimits, transport, writeCoalesceMs, writeCoalesceFullAtConnections, eventLoops,
          closeFlushTimeoutMs, enabled);
    }
  }

  /** How many event loops to run: {@code event-loops}, or one per core when it is 0. */
  public int effectiveEventLoops() {
    return eventLoops > 0 ? eventLoops : Runtime.getRuntime().availableProcessors();
  }
}
