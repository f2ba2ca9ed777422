package org.rtmpcluster.common.rtmp.session;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.internal.net.StreamChannelInternal;
import io.vertx.core.net.NetSocket;

/**
 * The one way bytes leave a connection. Every write, whether a command chunked for this peer or
 * media chunked once for many, goes to the same Netty channel in the order it was made, so nothing
 * can overtake anything: Vert.x's own write path holds writes in a queue of its own while the
 * channel is not writable, and a connection that used both reordered them on a slow peer, with
 * chunk headers read against the wrong previous header and timestamps going backwards.
 *
 * <p>The writer owns the queued bytes (Netty's outbound buffer, which is the only queue), the
 * flushes (prompt, at the end of the event-loop task, or within the coalescing window for media)
 * and the closes. It is the only user of Vert.x's internal API for the connection: the socket's
 * Netty context, and the Netty buffer behind a Vert.x buffer. Event loop only.
 */
final class ConnectionWriter {

  /** Decides when flushes happen; the event loop's registry, which flushes many connections at once. */
  interface Flushes {
    /** Flush the writer at the end of the current event-loop task. */
    void flushPromptly(ConnectionWriter writer);

    /** Flush the writer within the coalescing window. */
    void flushSoon(ConnectionWriter writer);
  }

  private final ChannelHandlerContext channel;
  private final NetSocket socket;
  private final Flushes flushes;
  private long bytesWritten;
  /** Bytes written since the last flush: in Netty's buffer, but not yet backlog. */
  private long unflushedBytes;
  private boolean promptFlushPending;
  private boolean flushPending;
  private boolean closing;

  ConnectionWriter(NetSocket socket, Flushes flushes) {
    if (!(socket instanceof StreamChannelInternal internal)) {
      throw new IllegalStateException("Vert.x socket " + socket.getClass().getName()
          + " has no Netty context; RTMP connections need one to write in order");
    }
    this.channel = internal.channelHandlerContext();
    this.socket = socket;
    this.flushes = flushes;
  }

  /** Writes bytes made for this connection (handshake, commands, control); flushed this task. */
  void write(Buffer bytes) {
    append(bytes);
    if (!promptFlushPending) {
      promptFlushPending = true;
      flushes.flushPromptly(this);
    }
  }

  /**
   * Writes media, often bytes shared with many connections (written as they are, never copied);
   * flushed within the coalescing window, together with whatever else was written meanwhile.
   */
  void writeMedia(Buffer bytes) {
    append(bytes);
    if (!flushPending) {
      flushPending = true;
      flushes.flushSoon(this);
    }
  }

  private void append(Buffer bytes) {
    if (closing) {
      return;
    }
    int length = bytes.length();
    bytesWritten += length;
    unflushedBytes += length;
    // A reference of the write's own to the bytes, which Netty lets go of once they are written
    // (or the channel closes): shared frames' pooled chunks stay alive for a slow socket even when
    // their frame is gone, and the same bytes may be written to any number of channels.
    channel.write(((BufferInternal) bytes).unwrap().retainedDuplicate(), channel.voidPromise());
  }

  /** Called by {@link Flushes} when the time comes. */
  void flush() {
    promptFlushPending = false;
    flushPending = false;
    if (unflushedBytes > 0) {
      unflushedBytes = 0;
      channel.flush();
    }
  }

  long bytesWritten() {
    return bytesWritten;
  }

  /**
   * Bytes written and not yet taken by the socket: the backlog of a slow peer. What was written
   * and is still waiting for its flush is not backlog.
   */
  long queuedBytes() {
    ChannelOutboundBuffer pending = channel.channel().unsafe().outboundBuffer();
    return pending == null ? 0 : Math.max(0, pending.totalPendingWriteBytes() - unflushedBytes);
  }

  /**
   * Closes once everything written so far has gone out, so that a last status reaches the peer.
   * A peer that stopped reading never lets that happen: {@link #closeNow} ends it.
   */
  void closeAfterWritten() {
    if (closing) {
      return;
    }
    closing = true;
    unflushedBytes = 0;
    channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFutureListener) done -> socket.close());
  }

  /**
   * Writes out everything written so far and writes nothing more, leaving the close to the peer,
   * which the connection's close-flush timeout bounds ({@link #closeNow}).
   */
  void finishAndAwaitPeerClose() {
    if (closing) {
      return;
    }
    closing = true;
    unflushedBytes = 0;
    channel.flush();
  }

  /**
   * Closes at once, dropping whatever is queued. Vert.x's own close waits for queued bytes to be
   * written, which a peer that stopped reading never allows; the channel is closed past it.
   */
  void closeNow() {
    closing = true;
    unflushedBytes = 0;
    channel.close();
  }
}
