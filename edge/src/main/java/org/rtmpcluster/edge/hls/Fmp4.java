package org.rtmpcluster.edge.hls;

import io.vertx.core.buffer.Buffer;
import java.util.List;

/**
 * Fragmented MP4 (ISO/IEC 14496-12) as CMAF and HLS (RFC 8216bis, 3.1.2) use it: an init segment
 * (ftyp, moov with one trak per track and mvex) and media fragments (moof with a traf per track,
 * then one mdat). Video is track 1 at 90 kHz, audio track 2 at its sample rate. The samples are
 * the RTMP payloads without their FLV headers: length-prefixed NAL units (H.264, H.265), OBUs
 * (AV1) and raw AAC frames.
 */
final class Fmp4 {
  static final int VIDEO_TRACK = 1;
  static final int AUDIO_TRACK = 2;
  static final int VIDEO_TIMESCALE = 90_000;
  private static final int SYNC_SAMPLE = 0x02000000;
  private static final int NON_SYNC_SAMPLE = 0x01010000;

  private Fmp4() {
  }

  /** One sample of a fragment: when (in its track's timescale), for how long, its bytes. */
  record Sample(long decodeTime, int duration, int compositionOffset, boolean sync, Buffer data) {
  }

  /** The init segment; either config may be null for a stream without that track. */
  static Buffer init(VideoConfig video, AacConfig audio) {
    Boxes b = new Boxes(Buffer.buffer(1024));
    int ftyp = b.open("ftyp");
    b.fourcc("iso6").u32(0).fourcc("iso6").fourcc("cmfc").fourcc("mp41");
    if (video != null && video.sampleEntry().equals("av01")) {
      b.fourcc("av01");
    }
    b.close(ftyp);
    int moov = b.open("moov");
    int mvhd = b.openFull("mvhd", 0, 0);
    b.u32(0).u32(0).u32(1000).u32(0).u32(0x00010000).u16(0x0100).zeros(10).unityMatrix().zeros(24)
        .u32(AUDIO_TRACK + 1);
    b.close(mvhd);
    if (video != null) {
      track(b, VIDEO_TRACK, VIDEO_TIMESCALE, "vide", video.width(), video.height(), () -> visualSampleEntry(b, video));
    }
    if (audio != null) {
      track(b, AUDIO_TRACK, audio.sampleRate(), "soun", 0, 0, () -> mp4a(b, audio));
    }
    int mvex = b.open("mvex");
    for (int track : video != null && audio != null ? new int[] {VIDEO_TRACK, AUDIO_TRACK}
        : video != null ? new int[] {VIDEO_TRACK} : new int[] {AUDIO_TRACK}) {
      int trex = b.openFull("trex", 0, 0);
      b.u32(track).u32(1).u32(0).u32(0).u32(0);
      b.close(trex);
    }
    b.close(mvex);
    b.close(moov);
    return b.buffer();
  }

  private static void track(Boxes b, int id, int timescale, String handler, int width, int height,
      Runnable sampleEntry) {
    int trak = b.open("trak");
    int tkhd = b.openFull("tkhd", 0, 3); // enabled, in the movie
    b.u32(0).u32(0).u32(id).u32(0).u32(0).zeros(8).u16(0).u16(0)
        .u16(handler.equals("soun") ? 0x0100 : 0).u16(0).unityMatrix().u32((long) width << 16).u32((long) height << 16);
    b.close(tkhd);
    int mdia = b.open("mdia");
    int mdhd = b.openFull("mdhd", 0, 0);
    b.u32(0).u32(0).u32(timescale).u32(0).u16(0x55C4).u16(0); // language "und"
    b.close(mdhd);
    int hdlr = b.openFull("hdlr", 0, 0);
    b.u32(0).fourcc(handler).zeros(12).bytes(Buffer.buffer(handler.equals("vide") ? "Video\0" : "Audio\0"));
    b.close(hdlr);
    int minf = b.open("minf");
    if (handler.equals("vide")) {
      int vmhd = b.openFull("vmhd", 0, 1);
      b.zeros(8);
      b.close(vmhd);
    } else {
      int smhd = b.openFull("smhd", 0, 0);
      b.zeros(4);
      b.close(smhd);
    }
    int dinf = b.open("dinf");
    int dref = b.openFull("dref", 0, 0);
    b.u32(1);
    int url = b.openFull("url ", 0, 1); // the data is in this file
    b.close(url);
    b.close(dref);
    b.close(dinf);
    int stbl = b.open("stbl");
    int stsd = b.openFull("stsd", 0, 0);
    b.u32(1);
    sampleEntry.run();
    b.close(stsd);
    for (String empty : new String[] {"stts", "stsc"}) {
      int box = b.openFull(empty, 0, 0);
      b.u32(0);
      b.close(box);
    }
    int stsz = b.openFull("stsz", 0, 0);
    b.u32(0).u32(0);
    b.close(stsz);
    int stco = b.openFull("stco", 0, 0);
    b.u32(0);
    b.close(stco);
    b.close(stbl);
    b.close(minf);
    b.close(mdia);
    b.close(trak);
  }

  /**
   * A VisualSampleEntry (ISO/IEC 14496-12, 12.1.3) of the track's codec with its configuration
   * box: avc1/avcC and hvc1/hvcC (ISO/IEC 14496-15, 5.4.2.1 and 8.4.1), av01/av1C (AV1 ISOBMFF
   * binding, 2.2).
   */
  private static void visualSampleEntry(Boxes b, VideoConfig video) {
    int entry = b.open(video.sampleEntry());
    b.zeros(6).u16(1).zeros(16).u16(video.width()).u16(video.height()).u32(0x00480000).u32(0x00480000).u32(0)
        .u16(1).zeros(32).u16(0x0018).u16(0xFFFF);
    int config = b.open(video.configBox());
    b.bytes(video.record());
    b.close(config);
    b.close(entry);
  }

  /** MP4AudioSampleEntry with an esds (ISO/IEC 14496-14, 5.6; descriptors of 14496-1, 7.2.6). */
  private static void mp4a(Boxes b, AacConfig audio) {
    int mp4a = b.open("mp4a");
    b.zeros(6).u16(1).zeros(8).u16(audio.channels()).u16(16).u16(0).u16(0).u32((long) audio.sampleRate() << 16);
    int esds = b.openFull("esds", 0, 0);
    int asc = audio.specificConfig().length();
    int decoderSpecific = 2 + asc;
    int decoderConfig = 2 + 13 + decoderSpecific;
    int slConfig = 2 + 1;
    b.u8(0x03).u8(3 + decoderConfig + slConfig).u16(AUDIO_TRACK).u8(0); // ES_Descriptor
    b.u8(0x04).u8(13 + decoderSpecific).u8(0x40).u8(0x15).u24(0).u32(0).u32(0); // AAC, audio stream
    b.u8(0x05).u8(asc).bytes(audio.specificConfig());
    b.u8(0x06).u8(1).u8(0x02); // SLConfigDescriptor, predefined for MP4
    b.close(esds);
    b.close(mp4a);
  }

  /**
   * A media fragment: its sequence number (from 1, one per fragment), and the samples of each
   * track in decode order (either list may be empty).
   */
  static Buffer fragment(long sequence, List<Sample> video, List<Sample> audio) {
    Boxes b = new Boxes(Buffer.buffer(4096 + dataBytes(video) + dataBytes(audio)));
    int moof = b.open("moof");
    int mfhd = b.openFull("mfhd", 0, 0);
    b.u32(sequence);
    b.close(mfhd);
    int videoOffsetAt = video.isEmpty() ? -1 : traf(b, VIDEO_TRACK, video, true);
    int audioOffsetAt = audio.isEmpty() ? -1 : traf(b, AUDIO_TRACK, audio, false);
    b.close(moof);
    int mdat = b.open("mdat");
    int videoStart = b.buffer().length();
    for (Sample sample : video) {
      b.bytes(sample.data());
    }
    int audioStart = b.buffer().length();
    for (Sample sample : audio) {
      b.bytes(sample.data());
    }
    b.close(mdat);
    // trun data offsets are from the start of the moof (tfhd default-base-is-moof).
    if (videoOffsetAt >= 0) {
      b.buffer().setInt(videoOffsetAt, videoStart);
    }
    if (audioOffsetAt >= 0) {
      b.buffer().setInt(audioOffsetAt, audioStart);
    }
    return b.buffer();
  }

  /** A traf; returns where its trun's data offset is, to fill in once the mdat's place is known. */
  private static int traf(Boxes b, int track, List<Sample> samples, boolean video) {
    int traf = b.open("traf");
    int tfhd = b.openFull("tfhd", 0, 0x020000); // default-base-is-moof
    b.u32(track);
    b.close(tfhd);
    int tfdt = b.openFull("tfdt", 1, 0);
    b.u64(samples.get(0).decodeTime());
    b.close(tfdt);
    // data offset, and per sample: duration, size, flags, composition offset (signed: version 1)
    int flags = 0x000001 | 0x000100 | 0x000200 | (video ? 0x000400 | 0x000800 : 0);
    int trun = b.openFull("trun", 1, flags);
    b.u32(samples.size());
    int offsetAt = b.buffer().length();
    b.u32(0);
    for (Sample sample : samples) {
      b.u32(sample.duration()).u32(sample.data().length());
      if (video) {
        b.u32(sample.sync() ? SYNC_SAMPLE : NON_SYNC_SAMPLE).u32(sample.compositionOffset());
      }
    }
    b.close(trun);
    b.close(traf);
    return offsetAt;
  }

  private static int dataBytes(List<Sample> samples) {
    int bytes = 0;
    for (Sample sample : samples) {
      bytes += sample.data().length();
    }
    return bytes;
  }
}
