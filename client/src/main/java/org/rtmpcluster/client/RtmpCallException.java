package org.rtmpcluster.client;

import org.rtmpcluster.common.rtmp.message.Command;

/** The server answered a call with _error. */
public final class RtmpCallException extends RuntimeException {
  private final transient Command error;

  public RtmpCallException(Command error) {
    super("_error: " + error.argument(0));
    this.error = error;
  }

  public Command error() {
    return error;
  }
}
