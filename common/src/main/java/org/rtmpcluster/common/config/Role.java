package org.rtmpcluster.common.config;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** What a node accepts: origins take publishers, edges take players. */
public enum Role {
  ORIGIN, EDGE;

  public static Role parse(String text) {
    try {
      return valueOf(text.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new ConfigException("unknown role '" + text + "': roles are origin and edge");
    }
  }

  /** Parses "origin,edge". */
  public static Set<Role> parseList(String text) {
    Set<Role> roles = EnumSet.noneOf(Role.class);
    for (String part : text.split(",")) {
      if (!part.isBlank()) {
        roles.add(parse(part));
      }
    }
    if (roles.isEmpty()) {
      throw new ConfigException("a node needs at least one role: origin, edge or origin,edge");
    }
    return roles;
  }

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
