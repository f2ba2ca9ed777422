package org.rtmpcluster.server;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The one video track of a fragmented MP4 that ffmpeg wrote ({@code -movflags
 * frag_keyframe+empty_moov+default_base_moof}): its sample entry, its decoder configuration
 * record, and its samples in decode order. Test input: what an Enhanced RTMP encoder would send
 * of an HEVC or AV1 stream, which Debian's ffmpeg cannot publish itself.
 */
record Fmp4Samples(String sampleEntry, Buffer record, long timescale, List<Sample> samples) {
  /** One sample: decode time in the track's timescale, composition offset, sync, its bytes. */
  record Sample(long decodeTime, long compositionOffset, boolean sync, Buffer data) {
  }

  static Fmp4Samples read(Buffer file) {
    String[] entry = {null};
    Buffer[] record = {null};
    long[] timescale = {0};
    long[] defaultDuration = {0};
    List<Sample> samples = new ArrayList<>();
    walk(file, 0, file.length(), (type, start, end) -> {
      switch (type) {
        case "moov", "trak", "mdia", "minf", "stbl", "mvex" -> {
          return true;
        }
        case "mdhd" -> timescale[0] = file.getUnsignedByte(start) == 1 ? file.getUnsignedInt(start + 4 + 16)
            : file.getUnsignedInt(start + 4 + 8);
        case "trex" -> defaultDuration[0] = file.getUnsignedInt(start + 4 + 8);
        case "stsd" -> {
          int at = start + 8;
          entry[0] = file.getString(at + 4, at + 8, "ISO-8859-1");
          int entryEnd = at + file.getInt(at);
          // VisualSampleEntry: 8 header, 78 of its fields, then its boxes.
          walk(file, at + 8 + 78, entryEnd, (inner, s, e) -> {
            if (inner.equals("hvcC") || inner.equals("avcC") || inner.equals("av1C")) {
              record[0] = file.getBuffer(s, e);
            }
            return false;
          });
        }
        case "moof" -> readFragment(file, start - 8, end, defaultDuration[0], samples);
        default -> {
        }
      }
      return false;
    });
    if (entry[0] == null || record[0] == null) {
      throw new IllegalArgumentException("no video track with a decoder configuration");
    }
    return new Fmp4Samples(entry[0], record[0], timescale[0], samples);
  }

  private interface Visitor {
    /** Returns whether to descend into the box. */
    boolean box(String type, int contentStart, int end);
  }

  private static void walk(Buffer file, int from, int to, Visitor visitor) {
    int at = from;
    while (at + 8 <= to) {
      int size = file.getInt(at);
      String type = file.getString(at + 4, at + 8, "ISO-8859-1");
      int end = size == 0 ? to : at + size;
      if (size < 8 || end > to) {
        return;
      }
      if (visitor.box(type, at + 8, end)) {
        walk(file, at + 8, end, visitor);
      }
      at = end;
    }
  }

  /** One moof: its traf's tfhd, tfdt and trun (ISO/IEC 14496-12, 8.8.7-8.8.12), data from the moof's start. */
  private static void readFragment(Buffer file, int moofStart, int moofEnd, long trexDuration, List<Sample> out) {
    long[] base = {0};
    long[] defaultDuration = {trexDuration};
    long[] defaultSize = {0};
    long[] defaultFlags = {0};
    walk(file, moofStart + 8, moofEnd, (type, start, end) -> {
      if (type.equals("traf")) {
        return true;
      }
      int flags = file.getInt(start) & 0xFFFFFF;
      if (type.equals("tfhd")) {
        int at = start + 8;
        at += (flags & 0x01) != 0 ? 8 : 0;
        at += (flags & 0x02) != 0 ? 4 : 0;
        if ((flags & 0x08) != 0) {
          defaultDuration[0] = file.getUnsignedInt(at);
          at += 4;
        }
        if ((flags & 0x10) != 0) {
          defaultSize[0] = file.getUnsignedInt(at);
          at += 4;
        }
        if ((flags & 0x20) != 0) {
          defaultFlags[0] = file.getUnsignedInt(at);
        }
      } else if (type.equals("tfdt")) {
        base[0] = file.getUnsignedByte(start) == 1 ? file.getLong(start + 4) : file.getUnsignedInt(start + 4);
      } else if (type.equals("trun")) {
        boolean signed = file.getUnsignedByte(start) == 1;
        int count = file.getInt(start + 4);
        int at = start + 8;
        int dataAt = moofStart;
        if ((flags & 0x01) != 0) {
          dataAt += file.getInt(at);
          at += 4;
        }
        long firstFlags = -1;
        if ((flags & 0x04) != 0) {
          firstFlags = file.getUnsignedInt(at);
          at += 4;
        }
        long time = base[0];
        for (int i = 0; i < count; i++) {
          long duration = defaultDuration[0];
          long size = defaultSize[0];
          long sampleFlags = i == 0 && firstFlags >= 0 ? firstFlags : defaultFlags[0];
          long cts = 0;
          if ((flags & 0x100) != 0) {
            duration = file.getUnsignedInt(at);
            at += 4;
          }
          if ((flags & 0x200) != 0) {
            size = file.getUnsignedInt(at);
            at += 4;
          }
          if ((flags & 0x400) != 0) {
            sampleFlags = file.getUnsignedInt(at);
            at += 4;
          }
          if ((flags & 0x800) != 0) {
            cts = signed ? file.getInt(at) : file.getUnsignedInt(at);
            at += 4;
          }
          boolean sync = (sampleFlags & 0x00010000) == 0; // sample_is_non_sync_sample clear
          out.add(new Sample(time, cts, sync, file.getBuffer(dataAt, dataAt + (int) size)));
          dataAt += (int) size;
          time += duration;
        }
      }
      return false;
    });
  }
}
