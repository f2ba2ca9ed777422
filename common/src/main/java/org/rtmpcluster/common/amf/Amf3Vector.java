package org.rtmpcluster.common.amf;

import java.util.List;
import java.util.Objects;

/**
 * An AMF3 vector (markers 0x0D..0x10, spec 3.15). Items are Integer for {@link Type#INT}, Long
 * (0..2^32-1) for {@link Type#UINT}, Double for {@link Type#DOUBLE} and any decoded value for
 * {@link Type#OBJECT}. {@code typeName} is the object vector's element class name ("" or "*" for
 * any type) and null for the numeric vectors.
 */
public record Amf3Vector(Type type, boolean fixed, String typeName, List<Object> items) {

  /** The vector flavours, with their AMF3 markers. */
  public enum Type {
    INT(0x0D), UINT(0x0E), DOUBLE(0x0F), OBJECT(0x10);

    private final int marker;

    Type(int marker) {
      this.marker = marker;
    }

    public int marker() {
      return marker;
    }
  }

  public Amf3Vector {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(items, "items");
    if ((type == Type.OBJECT) != (typeName != null)) {
      throw new IllegalArgumentException("an object vector needs a type name, other vectors none");
    }
  }
}
