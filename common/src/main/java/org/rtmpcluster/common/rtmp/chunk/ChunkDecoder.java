package org.rtmpcluster.common.rtmp.chunk;

import io.vertx.core.buffer.Buffer;
import java.util.HashMap;
import java.util.Map;
import org.rtmpcluster.common.memory.ByteBudget;
import org.rtmpcluster.common.rtmp.message.MessageType;

/**
 * Incremental decoder of the RTMP chunk stream (spec 5.3): bytes in any split go in through
 * {@link #feed(Buffer)}, whole messages come out through the {@link Listener}.
 *
 * <p>Set Chunk Size and Abort (spec 5.4.1, 5.4.2) are chunk-layer business and are applied here,
 * before the next chunk is read; they are not passed on. Every length the peer declares is checked
 * against {@link ChunkLimits}, and none is ever allocated: a message's buffer grows as its bytes
 * arrive, doubling up to its length, and every byte of capacity held by messages not yet complete
 * is reserved first from this connection's limit and from the node's budget. A peer that declares
 * long messages and sends a byte of each holds what it sent, not what it declared. The first
 * protocol error stops the decoder and is reported once; it never throws.
 */
public final class ChunkDecoder {

  /** Receives decoded messages and the first protocol error. */
  public interface Listener {
    void onMessage(RtmpMessage message);

    void onProtocolError(String reason);
  }

  public static final int DEFAULT_CHUNK_SIZE = 128;
  private static final int MAX_TIMESTAMP_FIELD = 0xFFFFFF;
  /** The first buffer of a message that arrives in pieces; small, since most messages are. */
  private static final int FIRST_CAPACITY = 256;

  private enum Stage { HEADER, PAYLOAD, STOPPED }

  /** What the previous headers on one chunk stream said, for the compressed forms (spec 5.3.1.2). */
  private static final class ChunkStream {
    final int id;
    long timestamp;
    /** The delta a type-3 chunk that starts a new message adds; for a type 0 header its timestamp. */
    long delta;
    int length;
    int typeId;
    int messageStreamId;
    /** Whether the last timestamp field was 0xFFFFFF, so that type-3 chunks carry 4 more bytes. */
    boolean extended;
    long extendedValue;
    /** The message being assembled, or null between messages. */
    Buffer payload;
    /** Bytes {@link #payload} can hold without growing: what this message has reserved. */
    int capacity;

    ChunkStream(int id) {
      this.id = id;
    }
  }

  private final ChunkLimits limits;
  private final ByteBudget nodeBudget;
  private final Listener listener;
  private final Map<Integer, ChunkStream> streams = new HashMap<>();
  private int chunkSize = DEFAULT_CHUNK_SIZE;
  private long bytesReceived;
  /** Capacity reserved by the messages in progress on every chunk stream. */
  private long incompleteBytes;
  private long maxIncompleteBytes;

  private Stage stage = Stage.HEADER;
  private Buffer input = Buffer.buffer();
  private int position;
  private ChunkStream current;
  private int chunkBytesLeft;

  public ChunkDecoder(ChunkLimits limits, Listener listener) {
    this(limits, ByteBudget.unlimited("incomplete messages"), listener);
    allowMediaMessages();
  }

  /**
   * A decoder that holds at most {@link ChunkLimits#maxIncompleteBytesBeforePublish} in messages in
   * progress until {@link #allowMediaMessages}, and whatever it holds also from {@code nodeBudget}.
   */
  public ChunkDecoder(ChunkLimits limits, ByteBudget nodeBudget, Listener listener) {
    this.limits = limits;
    this.nodeBudget = nodeBudget;
    this.listener = listener;
    this.maxIncompleteBytes = limits.maxIncompleteBytesBeforePublish();
  }

  /** The peer publishes: from now on it may hold up to {@link ChunkLimits#maxIncompleteBytes}. */
  public void allowMediaMessages() {
    maxIncompleteBytes = limits.maxIncompleteBytes();
  }

  /** Capacity held now by messages begun and not finished. */
  public long incompleteBytes() {
    return incompleteBytes;
  }

  /** Chunk size the peer currently sends with. */
  public int chunkSize() {
    return chunkSize;
  }

  /** Every byte fed so far, for Acknowledgement (spec 5.4.3). */
  public long bytesReceived() {
    return bytesReceived;
  }

  public boolean isStopped() {
    return stage == Stage.STOPPED;
  }

  /** Stops decoding: later input is ignored. Use when the connection is being closed. */
  public void stop() {
    stage = Stage.STOPPED;
    for (ChunkStream stream : streams.values()) {
      dropPayload(stream);
    }
    streams.clear();
    input = Buffer.buffer();
    position = 0;
  }

  public void feed(Buffer data) {
    if (stage == Stage.STOPPED) {
      return;
    }
    bytesReceived += data.length();
    if (position >= input.length()) {
      input = data;
    } else {
      // At most one partial chunk header (18 bytes) is ever left over, so this copy is small.
      Buffer joined = Buffer.buffer(input.length() - position + data.length());
      joined.appendBuffer(input, position, input.length() - position).appendBuffer(data);
      input = joined;
    }
    position = 0;
    while (stage != Stage.STOPPED) {
      boolean progressed = stage == Stage.HEADER ? readHeader() : readPayload();
      if (!progressed) {
        break;
      }
    }
    if (stage != Stage.STOPPED && position >= input.length()) {
      input = Buffer.buffer();
      position = 0;
    }
  }

  /** Reads one whole chunk header (basic, message, extended timestamp) or waits for more bytes. */
  private boolean readHeader() {
    int available = input.length() - position;
    if (available < 1) {
      return false;
    }
    int first = input.getUnsignedByte(position);
    int fmt = first >>> 6;
    int basicLength = switch (first & 0x3F) {
      case 0 -> 2;
      case 1 -> 3;
      default -> 1;
    };
    if (available < basicLength) {
      return false;
    }
    int csid = switch (basicLength) {
      case 2 -> 64 + input.getUnsignedByte(position + 1);
      case 3 -> 64 + input.getUnsignedByte(position + 1) + 256 * input.getUnsignedByte(position + 2);
      default -> first & 0x3F;
    };
    int messageHeaderLength = switch (fmt) {
      case 0 -> 11;
      case 1 -> 7;
      case 2 -> 3;
      default -> 0;
    };
    if (available < basicLength + messageHeaderLength) {
      return false;
    }
    ChunkStream stream = streams.get(csid);
    if (stream == null) {
      if (fmt != 0) {
        return fail("chunk of type " + fmt + " on chunk stream " + csid + " with no prior header");
      }
      if (streams.size() >= limits.maxChunkStreams()) {
        return fail("more than " + limits.maxChunkStreams() + " chunk streams");
      }
      stream = new ChunkStream(csid);
      streams.put(csid, stream);
    }
    int at = position + basicLength;
    boolean startsMessage = stream.payload == null;
    if (fmt != 3 && !startsMessage) {
      return fail("type " + fmt + " chunk on chunk stream " + csid
          + " while a message of " + stream.length + " bytes is incomplete");
    }

    long timestampField = fmt == 3 ? stream.extendedValue : input.getUnsignedMedium(at);
    boolean extended = fmt == 3 ? stream.extended : timestampField == MAX_TIMESTAMP_FIELD;
    int headerLength = basicLength + messageHeaderLength;
    if (extended) {
      if (available < headerLength + 4) {
        return false;
      }
      long extendedValue = input.getUnsignedInt(at + messageHeaderLength);
      if (fmt == 3 && !startsMessage && extendedValue != stream.extendedValue) {
        // Continuation chunks repeat the extended timestamp as Flash and ffmpeg do; a peer that
        // omits it is tolerated by not consuming bytes that are really payload.
        extended = false;
      } else {
        timestampField = extendedValue;
        headerLength += 4;
      }
    }

    if (startsMessage) {
      switch (fmt) {
        case 0 -> {
          stream.timestamp = timestampField;
          stream.delta = timestampField;
          stream.length = input.getUnsignedMedium(at + 3);
          stream.typeId = input.getUnsignedByte(at + 6);
          stream.messageStreamId = input.getIntLE(at + 7);
        }
        case 1 -> {
          stream.delta = timestampField;
          stream.timestamp += timestampField;
          stream.length = input.getUnsignedMedium(at + 3);
          stream.typeId = input.getUnsignedByte(at + 6);
        }
        case 2 -> {
          stream.delta = timestampField;
          stream.timestamp += timestampField;
        }
        default -> stream.timestamp += stream.delta;
      }
      if (fmt != 3) {
        stream.extended = extended;
        stream.extendedValue = timestampField;
      }
      if (stream.length > limits.maxMessageLength()) {
        return fail("message of " + stream.length + " bytes on chunk stream " + csid
            + " exceeds the limit of " + limits.maxMessageLength());
      }
      // Empty until its bytes arrive: see makeRoom.
      stream.payload = Buffer.buffer(0);
    }
    position += headerLength;
    current = stream;
    chunkBytesLeft = Math.min(chunkSize, stream.length - stream.payload.length());
    stage = Stage.PAYLOAD;
    if (chunkBytesLeft == 0) {
      completeMessage();
    }
    return true;
  }

  private boolean readPayload() {
    int available = input.length() - position;
    if (available == 0) {
      return false;
    }
    int take = Math.min(available, chunkBytesLeft);
    if (!makeRoom(current, take)) {
      return false;
    }
    current.payload.appendBuffer(input, position, take);
    position += take;
    chunkBytesLeft -= take;
    if (chunkBytesLeft == 0) {
      stage = Stage.HEADER;
      if (current.payload.length() == current.length) {
        completeMessage();
      }
    }
    return true;
  }

  /**
   * Makes room for {@code take} more bytes of the stream's message: the buffer doubles (never past
   * the message's length, so a message that arrives whole in one chunk is allocated exactly once),
   * and the growth is reserved from this connection's limit and the node's budget first.
   */
  private boolean makeRoom(ChunkStream stream, int take) {
    int needed = stream.payload.length() + take;
    if (needed <= stream.capacity) {
      return true;
    }
    int grown = (int) Math.min(stream.length,
        Math.max(needed, Math.max(FIRST_CAPACITY, 2L * stream.capacity)));
    int growth = grown - stream.capacity;
    if (incompleteBytes + growth > maxIncompleteBytes) {
      return fail("messages in progress would hold " + (incompleteBytes + growth)
          + " bytes, more than this connection's limit of " + maxIncompleteBytes);
    }
    if (!nodeBudget.tryReserve(growth)) {
      return fail("the node's budget for messages in progress is spent (" + nodeBudget + ")");
    }
    incompleteBytes += growth;
    Buffer larger = Buffer.buffer(grown);
    larger.appendBuffer(stream.payload);
    stream.payload = larger;
    stream.capacity = grown;
    return true;
  }

  /** Forgets the stream's message in progress and gives back what it held. */
  private void dropPayload(ChunkStream stream) {
    if (stream.capacity > 0) {
      incompleteBytes -= stream.capacity;
      nodeBudget.release(stream.capacity);
      stream.capacity = 0;
    }
    stream.payload = null;
  }

  private void completeMessage() {
    ChunkStream stream = current;
    Buffer payload = stream.payload;
    // A finished message is no longer this connection's to hold: its consumer owns it now.
    dropPayload(stream);
    stage = Stage.HEADER;
    switch (stream.typeId) {
      case MessageType.SET_CHUNK_SIZE -> applyChunkSize(payload);
      case MessageType.ABORT -> applyAbort(payload);
      default -> listener.onMessage(new RtmpMessage(
          stream.id, stream.typeId, stream.timestamp, stream.messageStreamId, payload));
    }
  }

  private void applyChunkSize(Buffer payload) {
    if (payload.length() < 4) {
      fail("Set Chunk Size message of " + payload.length() + " bytes");
      return;
    }
    long size = payload.getUnsignedInt(0);
    if (size < 1 || size > limits.maxChunkSize()) {
      fail("chunk size " + size + " outside 1.." + limits.maxChunkSize());
      return;
    }
    chunkSize = (int) size;
  }

  private void applyAbort(Buffer payload) {
    if (payload.length() < 4) {
      fail("Abort message of " + payload.length() + " bytes");
      return;
    }
    ChunkStream aborted = streams.get(payload.getInt(0));
    if (aborted != null) {
      dropPayload(aborted);
    }
  }

  private boolean fail(String reason) {
    if (stage != Stage.STOPPED) {
      stop();
      listener.onProtocolError(reason);
    }
    return false;
  }
}
