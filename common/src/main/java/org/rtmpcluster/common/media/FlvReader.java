package org.rtmpcluster.common.media;

import io.vertx.core.buffer.Buffer;

/**
 * An incremental reader of an FLV file (FLV specification 10, annex E): bytes go in as they are
 * read, in pieces of any size, and whole tags come out. A tag comes out once its header and body
 * are in, without waiting for the PreviousTagSize after it, so a file cut short by a crash gives
 * every tag up to its last whole one. Held bytes are what was fed and not yet taken out (and up to
 * as many again already taken, dropped in one copy once they are half): a tag
 * whose header declares more than {@code maxTagBytes} is an error at once, before any of its body
 * is kept.
 *
 * <p>A reader starts at the file header, or (for a seek) at a tag header whose position is known.
 * Bad bytes are an {@link IllegalArgumentException} that says where; the reader is then done.
 */
public final class FlvReader {
  /** FLV header: signature, version, flags, DataOffset (E.2). */
  public static final int FILE_HEADER_BYTES = 9;
  /** FLVTAG header: type, DataSize, Timestamp, TimestampExtended, StreamID (E.4.1). */
  public static final int TAG_HEADER_BYTES = 11;
  /** PreviousTagSize after the header and after each tag (E.3). */
  public static final int PREVIOUS_TAG_SIZE_BYTES = 4;
  /** A DataOffset past this is no FLV file we write or read (today's files say 9). */
  private static final int MAX_DATA_OFFSET = 1024;

  /** One tag: its type (8 audio, 9 video, 18 script data), timestamp in ms, body, and where it starts. */
  public record Tag(int type, long timestamp, Buffer payload, long position) {
    /** Bytes of the file the tag takes, with its PreviousTagSize. */
    public long fileBytes() {
      return TAG_HEADER_BYTES + payload.length() + PREVIOUS_TAG_SIZE_BYTES;
    }
  }

  private enum State {
    /** The 9-byte header, then up to its DataOffset. */
    FILE_HEADER,
    /** The 4 bytes of a PreviousTagSize, which say nothing a reader needs. */
    PREVIOUS_TAG_SIZE,
    /** A tag's header and body. */
    TAG,
    FAILED
  }

  private final int maxTagBytes;
  private State state;
  /** Fed bytes not yet consumed; {@code at} is where consuming goes on. */
  private Buffer held = Buffer.buffer();
  private int at;
  /** The file position of {@code held}'s first byte. */
  private long heldPosition;
  private boolean audio;
  private boolean video;

  private FlvReader(State state, long position, int maxTagBytes) {
    this.state = state;
    this.heldPosition = position;
    this.maxTagBytes = maxTagBytes;
  }

  /** A reader at the start of a file. */
  public static FlvReader fromStart(int maxTagBytes) {
    return new FlvReader(State.FILE_HEADER, 0, maxTagBytes);
  }

  /** A reader whose first bytes are the header of the tag at {@code position}. */
  public static FlvReader atTag(long position, int maxTagBytes) {
    return new FlvReader(State.TAG, position, maxTagBytes);
  }

  /** Takes the next bytes of the file. */
  public void feed(Buffer bytes) {
    if (state == State.FAILED) {
      throw new IllegalStateException("this FLV reader failed");
    }
    // What is consumed is dropped once it is half of what is held: a copy now and then, not one a feed.
    if (at > 0 && (at == held.length() || at >= held.length() / 2)) {
      held = at == held.length() ? Buffer.buffer(bytes.length()) : held.getBuffer(at, held.length());
      heldPosition += at;
      at = 0;
    }
    held.appendBuffer(bytes);
  }

  /** The next whole tag, or null until more bytes are fed. */
  public Tag poll() {
    while (true) {
      switch (state) {
        case FILE_HEADER -> {
          if (!readFileHeader()) {
            return null;
          }
        }
        case PREVIOUS_TAG_SIZE -> {
          if (available() < PREVIOUS_TAG_SIZE_BYTES) {
            return null;
          }
          at += PREVIOUS_TAG_SIZE_BYTES;
          state = State.TAG;
        }
        case TAG -> {
          return readTag();
        }
        default -> throw new IllegalStateException("this FLV reader failed");
      }
    }
  }

  private boolean readFileHeader() {
    if (available() < FILE_HEADER_BYTES) {
      return false;
    }
    if (held.getByte(at) != 'F' || held.getByte(at + 1) != 'L' || held.getByte(at + 2) != 'V') {
      throw fail("not an FLV file: it does not start with \"FLV\"");
    }
    int flags = held.getUnsignedByte(at + 4);
    long dataOffset = held.getUnsignedInt(at + 5);
    if (dataOffset < FILE_HEADER_BYTES || dataOffset > MAX_DATA_OFFSET) {
      throw fail("FLV header: DataOffset " + dataOffset + " is not between 9 and " + MAX_DATA_OFFSET);
    }
    if (available() < dataOffset) {
      return false;
    }
    audio = (flags & 0x04) != 0;
    video = (flags & 0x01) != 0;
    at += (int) dataOffset;
    state = State.PREVIOUS_TAG_SIZE;
    return true;
  }

  private Tag readTag() {
    if (available() < TAG_HEADER_BYTES) {
      return null;
    }
    int first = held.getUnsignedByte(at);
    if ((first & 0x20) != 0) {
      throw fail("FLV tag is encrypted (Filter bit set), which is not played here");
    }
    int type = first & 0x1F;
    if (type != 8 && type != 9 && type != 18) {
      throw fail("FLV tag type " + type + " is none of audio (8), video (9) and script data (18)");
    }
    int size = dataSize(held, at);
    if (size > maxTagBytes) {
      throw fail("FLV tag of " + size + " bytes is larger than the limit of " + maxTagBytes
          + " (rtmp.max-message-length)");
    }
    long timestamp = timestamp(held, at);
    if (available() < TAG_HEADER_BYTES + size) {
      return null;
    }
    long position = heldPosition + at;
    Buffer payload = held.getBuffer(at + TAG_HEADER_BYTES, at + TAG_HEADER_BYTES + size);
    at += TAG_HEADER_BYTES + size;
    state = State.PREVIOUS_TAG_SIZE;
    return new Tag(type, timestamp, payload, position);
  }

  /** DataSize of the tag header at {@code at} (E.4.1). */
  public static int dataSize(Buffer bytes, int at) {
    return bytes.getUnsignedMedium(at + 1);
  }

  /** Timestamp of the tag header at {@code at}: TimestampExtended is its upper 8 bits (E.4.1). */
  public static long timestamp(Buffer bytes, int at) {
    return ((long) bytes.getUnsignedByte(at + 7) << 24) | bytes.getUnsignedMedium(at + 4);
  }

  private int available() {
    return held.length() - at;
  }

  private IllegalArgumentException fail(String what) {
    state = State.FAILED;
    return new IllegalArgumentException(what + " (at byte " + (heldPosition + at) + ")");
  }

  /** Bytes fed and not yet consumed: at most a partial tag and what came after it. */
  public int heldBytes() {
    return held.length() - at;
  }

  /** The header says the file has audio; false before the header is read or for a reader at a tag. */
  public boolean hasAudio() {
    return audio;
  }

  public boolean hasVideo() {
    return video;
  }
}
