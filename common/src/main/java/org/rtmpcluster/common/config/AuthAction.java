package org.rtmpcluster.common.config;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** What a client asks a node to do, in the words SRS's and nginx-rtmp's hooks use. */
public enum AuthAction {
  PUBLISH, PLAY;

  /** As in config files, webhooks and tokens: "publish", "play". */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  static Set<AuthAction> readSet(ConfigReader r, String key) {
    Set<AuthAction> actions = EnumSet.noneOf(AuthAction.class);
    for (Object value : r.array(key)) {
      String text = String.valueOf(value).trim().toLowerCase(Locale.ROOT);
      switch (text) {
        case "publish" -> actions.add(PUBLISH);
        case "play" -> actions.add(PLAY);
        default -> throw new ConfigException(r.name(key) + " takes publish and play, not '" + value + "'");
      }
    }
    return actions;
  }
}
