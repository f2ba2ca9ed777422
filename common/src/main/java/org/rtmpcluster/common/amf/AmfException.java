package org.rtmpcluster.common.amf;

/**
 * Malformed or over-limit AMF input. The message names what was being read and the absolute
 * byte offset in the buffer, e.g. {@code "truncated AMF0 string at offset 12"}. It is checked so
 * that session code has to decide what bad input does to the connection.
 */
public final class AmfException extends Exception {

  public AmfException(String message) {
    super(message);
  }
}
