package org.rtmpcluster.bench;

import io.vertx.core.buffer.Buffer;
import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads an FLV file one tag at a time (FLV spec v10.1, annex E), so a long recording is never held
 * in memory. Only the tag types RTMP carries (8 audio, 9 video, 18 script data) are returned; the
 * header's flags and the back-pointers are skipped, not checked.
 */
public final class FlvReader implements Closeable {

  /** One FLV tag: its type (8, 9 or 18), its 32-bit timestamp in ms and its body. */
  public record Tag(int type, long timestamp, Buffer body) {
  }

  public static final int AUDIO = 8;
  public static final int VIDEO = 9;
  public static final int SCRIPT_DATA = 18;

  /** A tag body is 24 bits long by format; this caps what one bad length field makes us allocate. */
  static final int MAX_TAG_SIZE = (1 << 24) - 1;
  private static final int TAG_HEADER = 11;

  private final InputStream in;
  private final byte[] header = new byte[TAG_HEADER];

  public FlvReader(InputStream in) throws IOException {
    this.in = in;
    byte[] fileHeader = new byte[9];
    readFully(fileHeader);
    if (fileHeader[0] != 'F' || fileHeader[1] != 'L' || fileHeader[2] != 'V') {
      throw new IOException("not an FLV file (no 'FLV' signature)");
    }
    long dataOffset = ((fileHeader[5] & 0xFFL) << 24) | ((fileHeader[6] & 0xFF) << 16)
        | ((fileHeader[7] & 0xFF) << 8) | (fileHeader[8] & 0xFF);
    skip(dataOffset - 9 + 4); // rest of the header, then PreviousTagSize0
  }

  public static FlvReader open(Path file) throws IOException {
    return new FlvReader(new BufferedInputStream(Files.newInputStream(file), 1 << 16));
  }

  /** The next audio, video or script tag, or null at the end of the file. */
  public Tag next() throws IOException {
    while (true) {
      int first = in.read();
      if (first < 0) {
        return null;
      }
      header[0] = (byte) first;
      readFully(header, 1, TAG_HEADER - 1);
      int type = header[0] & 0x1F; // the upper bits are the (unused here) filter flag and reserved
      int size = ((header[1] & 0xFF) << 16) | ((header[2] & 0xFF) << 8) | (header[3] & 0xFF);
      long timestamp = ((header[7] & 0xFFL) << 24) | ((header[4] & 0xFF) << 16)
          | ((header[5] & 0xFF) << 8) | (header[6] & 0xFF);
      byte[] body = new byte[size];
      readFully(body);
      skip(4); // PreviousTagSize
      if (type == AUDIO || type == VIDEO || type == SCRIPT_DATA) {
        return new Tag(type, timestamp, Buffer.buffer(body));
      }
    }
  }

  private void readFully(byte[] bytes) throws IOException {
    readFully(bytes, 0, bytes.length);
  }

  private void readFully(byte[] bytes, int offset, int length) throws IOException {
    int done = 0;
    while (done < length) {
      int n = in.read(bytes, offset + done, length - done);
      if (n < 0) {
        throw new EOFException("FLV file ends inside a tag");
      }
      done += n;
    }
  }

  private void skip(long count) throws IOException {
    for (long left = count; left > 0; ) {
      long n = in.skip(left);
      if (n <= 0) {
        if (in.read() < 0) {
          return; // a file may end without its last back-pointer
        }
        n = 1;
      }
      left -= n;
    }
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
