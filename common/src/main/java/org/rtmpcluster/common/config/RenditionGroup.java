package org.rtmpcluster.common.config;

import java.util.List;

/**
 * Renditions of one event (config {@code streams.renditions}): streams an encoder publishes at
 * several sizes and bitrates, offered together as one HLS multivariant playlist at
 * {@code /<app>/<name>/master.m3u8}. All in one app; a viewer admitted to the group's name may
 * play any of them.
 *
 * @param name    {@code app/name} of the event, what the master playlist is served as
 * @param streams {@code app/name} of each rendition, in the order the playlist lists them
 */
public record RenditionGroup(String name, List<String> streams) {
  private static final String STREAM = "[A-Za-z0-9._-]{1,128}/[^/?\\s]{1,256}";

  public RenditionGroup {
    streams = List.copyOf(streams);
    if (name == null || !name.matches(STREAM)) {
      throw new ConfigException("streams.renditions: name '" + name + "' is not <app>/<name>");
    }
    if (streams.isEmpty()) {
      throw new ConfigException("streams.renditions: " + name + " lists no streams");
    }
    String app = name.substring(0, name.indexOf('/'));
    for (String stream : streams) {
      if (stream == null || !stream.matches(STREAM) || !stream.startsWith(app + "/")) {
        throw new ConfigException("streams.renditions: " + name + ": '" + stream + "' is not <app>/<name> in app " + app);
      }
    }
  }
}
