package org.rtmpcluster.client;

import java.util.Map;

/** The server answered publish or play with an onStatus error. */
public final class RtmpStatusException extends RuntimeException {
  private final transient Map<String, Object> status;

  public RtmpStatusException(Map<String, Object> status) {
    super(status.get("code") + ": " + status.get("description"));
    this.status = status;
  }

  public String code() {
    return String.valueOf(status.get("code"));
  }

  public Map<String, Object> status() {
    return status;
  }
}
