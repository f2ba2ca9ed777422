package org.rtmpcluster.common.amf;

/**
 * A date: milliseconds since the Unix epoch in UTC. {@code timezoneMinutes} is the AMF0 S16
 * time-zone field (AMF0 spec 2.13), reserved and normally 0; AMF3 dates (3.10) have none, so
 * they decode with 0.
 */
public record AmfDate(double epochMillis, int timezoneMinutes) {

  public static AmfDate ofEpochMillis(double epochMillis) {
    return new AmfDate(epochMillis, 0);
  }
}
