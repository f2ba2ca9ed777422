package org.rtmpcluster.common.amf;

import static org.rtmpcluster.common.amf.Hex.hex;
import static org.rtmpcluster.common.amf.Hex.utf8;

import io.vertx.core.buffer.Buffer;
import java.util.List;

/** AMF3 byte vectors shared by the reader, writer and error tests. */
final class Amf3Vectors {

  private Amf3Vectors() {}

  /** Two Point objects: the second reuses the first one's traits by reference. */
  static Buffer twoPointsSharingTraits() {
    return hex(
        "09", "05", "01",           // array (object 0), 2 dense items, no associative part
        "0a", "23",                 // object (object 1), inline traits: 2 sealed, not dynamic
        "0b", utf8("Point"),        //   class name "Point" (string 0)
        "03", utf8("x"),            //   sealed name "x" (string 1)
        "03", utf8("y"),            //   sealed name "y" (string 2)
        "04", "01",                 //   x = 1
        "04", "02",                 //   y = 2
        "0a", "01",                 // object (object 2), traits reference 0
        "04", "03",                 //   x = 3
        "04", "04");                //   y = 4
  }

  /** An ArrayCollection (externalizable) wrapping a dense array of two strings. */
  static Buffer arrayCollection() {
    return hex(
        "0a", "07",                                     // object, externalizable traits
        "43", utf8("flex.messaging.io.ArrayCollection"), // class name, 33 bytes
        "09", "05", "01",                               // its source: array of 2
        "06", "03", utf8("a"),                          //   "a"
        "06", "03", utf8("b"));                         //   "b"
  }

  /** One dense array that holds every AMF3 type this codec reads, for truncation tests. */
  static Buffer everyType() {
    return hex(
        "09", "21", "01",                        // array of 16 (object 0)
        "00",                                    // undefined
        "01",                                    // null
        "02",                                    // false
        "03",                                    // true
        "04", "ffffffff",                        // integer -1
        "05", "4004000000000000",                // double 2.5
        "06", "05", utf8("hi"),                  // string "hi" (string 0)
        "07", "09", utf8("<a/>"),                // XMLDocument (object 1)
        "08", "01", "4278bcfe56800000",          // date 1700000000000.0 (object 2)
        "09", "03", "03", utf8("k"), "06", "00", "01", "04", "07", // array {k: "hi"} + [7]
        "0a", "0b", "01", "00", "04", "01", "01", // {hi: 1}, the name by string reference 0
        "0b", "09", utf8("<b/>"),                // XML
        "0c", "05", "0102",                      // ByteArray of 2
        "0d", "03", "00", "00000005",            // vector.<int> [5]
        "10", "03", "01", "01", "06", "00",      // fixed vector.<*> ["hi"]
        "11", "03", "00", "06", "00", "09", "00"); // dictionary {"hi": the array itself}
  }

  static List<Buffer> singleValueVectors() {
    return List.of(everyType(), twoPointsSharingTraits(), arrayCollection(),
        hex("04", "bfffffff"));
  }
}
