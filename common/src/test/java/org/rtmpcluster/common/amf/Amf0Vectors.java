package org.rtmpcluster.common.amf;

import static org.rtmpcluster.common.amf.Hex.hex;
import static org.rtmpcluster.common.amf.Hex.utf8;

import io.vertx.core.buffer.Buffer;

/** AMF0 byte vectors shared by the reader, writer and error tests. */
final class Amf0Vectors {

  private Amf0Vectors() {}

  /**
   * The body of the {@code connect} command ffmpeg 5.1 sent when publishing (captured on
   * loopback; the 0xC3 chunk continuation header after payload byte 128 is removed).
   */
  static Buffer ffmpegConnect() {
    return hex(
        "02",                          // string marker
        "0007", utf8("connect"),       // command name
        "00", "3ff0000000000000",      // number marker, transaction id 1.0
        ffmpegConnectCommandObject());
  }

  /** The command object of {@link #ffmpegConnect()} on its own. */
  static String ffmpegConnectCommandObject() {
    return String.join("",
        "03",                                                  // object marker
        "0003", utf8("app"),                                   // name "app"
        "02", "0004", utf8("live"),                            //   string "live"
        "0004", utf8("type"),                                  // name "type"
        "02", "000a", utf8("nonprivate"),                      //   string "nonprivate"
        "0008", utf8("flashVer"),                              // name "flashVer"
        "02", "0024", utf8("FMLE/3.0 (compatible; Lavf59.27.100)"),
        "0005", utf8("tcUrl"),                                 // name "tcUrl"
        "02", "001b", utf8("rtmp://127.0.0.1:19398/live"),
        "0000", "09");                                         // empty name, object-end marker
  }

  /** The body of ffmpeg 5.1's {@code @setDataFrame onMetaData} data message (type 18). */
  static Buffer ffmpegSetDataFrame() {
    return hex(
        "02", "000d", utf8("@setDataFrame"),
        "02", "000a", utf8("onMetaData"),
        ffmpegMetaDataEcmaArray());
  }

  /** The onMetaData ECMA array of {@link #ffmpegSetDataFrame()} on its own. */
  static String ffmpegMetaDataEcmaArray() {
    return String.join("",
        "08", "0000000d",                                         // ECMA array, count hint 13
        "0008", utf8("duration"), "00", "0000000000000000",       // 0.0
        "0005", utf8("width"), "00", "4074000000000000",          // 320.0
        "0006", utf8("height"), "00", "4066800000000000",         // 180.0
        "000d", utf8("videodatarate"), "00", "40724f8000000000",  // 292.96875
        "0009", utf8("framerate"), "00", "403e000000000000",      // 30.0
        "000c", utf8("videocodecid"), "00", "401c000000000000",   // 7.0 (AVC)
        "000d", utf8("audiodatarate"), "00", "404f400000000000",  // 62.5
        "000f", utf8("audiosamplerate"), "00", "40e5888000000000", // 44100.0
        "000f", utf8("audiosamplesize"), "00", "4030000000000000", // 16.0
        "0006", utf8("stereo"), "01", "00",                       // boolean false
        "000c", utf8("audiocodecid"), "00", "4024000000000000",   // 10.0 (AAC)
        "0007", utf8("encoder"), "02", "000d", utf8("Lavf59.27.100"),
        "0008", utf8("filesize"), "00", "0000000000000000",       // 0.0
        "0000", "09");                                            // end of the array
  }

  /** One strict array that holds every AMF0 type this codec reads, for truncation tests. */
  static Buffer everyType() {
    return hex(
        "0a", "0000000e",                           // strict array of 14 (reference 0)
        "00", "4004000000000000",                   // number 2.5
        "01", "01",                                 // boolean true
        "02", "0002", utf8("hi"),                   // string "hi"
        "03", "0001", utf8("a"), "05", "0000", "09", // object {a: null} (reference 1)
        "05",                                       // null
        "06",                                       // undefined
        "07", "0001",                               // reference 1: the object above
        "08", "00000001",                           // ECMA array (reference 2)
        "0001", utf8("k"), "02", "0001", utf8("v"), //   k: "v"
        "0000", "09",
        "0b", "4278bcfe56800000", "0000",           // date 1700000000000.0, time zone 0
        "0c", "00000003", utf8("abc"),              // long string "abc"
        "0f", "00000004", utf8("<a/>"),             // XML document
        "10", "0005", utf8("Point"),                // typed object Point (reference 3)
        "0001", utf8("x"), "00", "3ff0000000000000", //   x: 1.0
        "0000", "09",
        "11", "04", "05",                           // switch to AMF3: integer 5
        "0a", "00000000");                          // empty strict array (reference 4)
  }
}
