package org.rtmpcluster.edge.http;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.ServerWebSocket;

/** Where a viewer's FLV bytes go: a chunked HTTP response, or binary WebSocket messages. */
interface FlvSink {
  /** Completes once the bytes are written to the socket. */
  Future<Void> write(Buffer bytes);

  /** The stream is over: the player sees the end of the file (or a normal close). */
  void end();

  /** The viewer is cut. */
  void abort();

  static FlvSink of(HttpServerResponse response) {
    return new FlvSink() {
      @Override
      public Future<Void> write(Buffer bytes) {
        return response.write(bytes);
      }

      @Override
      public void end() {
        response.end();
      }

      @Override
      public void abort() {
        response.reset();
      }
    };
  }

  /** mpegts.js reads a WebSocket's binary messages as one FLV byte stream, however it is cut. */
  static FlvSink of(ServerWebSocket socket) {
    return new FlvSink() {
      @Override
      public Future<Void> write(Buffer bytes) {
        return socket.writeBinaryMessage(bytes);
      }

      @Override
      public void end() {
        socket.close((short) 1000, "stream ended");
      }

      @Override
      public void abort() {
        socket.close((short) 1008, "too slow");
      }
    };
  }
}
