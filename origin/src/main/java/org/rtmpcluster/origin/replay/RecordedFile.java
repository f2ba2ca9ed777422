package org.rtmpcluster.origin.replay;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.rtmpcluster.common.media.AudioTag;
import org.rtmpcluster.common.media.FlvReader;
import org.rtmpcluster.common.media.VideoTag;

/**
 * A recording opened for replay. Every read runs on Vert.x's worker pool (positional reads, so
 * that the reads of one file need no order among themselves) and completes on the caller's
 * event loop.
 */
final class RecordedFile {
  /** Bytes read of each tag to know what it is: the header and the start of the body. */
  private static final int PEEK_BYTES = FlvReader.TAG_HEADER_BYTES + 16;

  /** Where a replay that starts at a time begins: a keyframe, and the tags a decoder needs before it. */
  record StartPoint(long position, long timestamp, List<Long> headerPositions) {
    static final StartPoint BEGINNING = new StartPoint(0, 0, List.of());

    boolean beginning() {
      return this == BEGINNING;
    }
  }

  private final Vertx vertx;
  private final FileChannel channel;
  private final Path path;

  private RecordedFile(Vertx vertx, FileChannel channel, Path path) {
    this.vertx = vertx;
    this.channel = channel;
    this.path = path;
  }

  /**
   * Opens {@code relative} under {@code root}. It fails with {@link NoSuchFileException} for a file
   * that is not there, is not a regular file, or is reached through a link out of the root.
   */
  static Future<RecordedFile> open(Vertx vertx, Path root, Path relative) {
    return vertx.executeBlocking(() -> {
      Path real = locate(root, relative);
      return new RecordedFile(vertx, FileChannel.open(real, StandardOpenOption.READ), real);
    }, false);
  }

  /**
   * The real path of {@code relative} under {@code root} (blocking: call it off the event loop);
   * {@link NoSuchFileException} for a file that is not there, is not a regular file, or is reached
   * through a link out of the root.
   */
  static Path locate(Path root, Path relative) throws IOException {
    Path realRoot;
    Path real;
    try {
      realRoot = root.toRealPath();
      real = root.resolve(relative).toRealPath();
    } catch (IOException e) {
      // Not a directory, name too long, no access, a loop of links: all "not there" to a player,
      // whose answer must not carry the absolute path the message names.
      throw new NoSuchFileException(relative.toString());
    }
    if (!real.startsWith(realRoot) || !java.nio.file.Files.isRegularFile(real)) {
      throw new NoSuchFileException(relative.toString());
    }
    return real;
  }

  Path path() {
    return path;
  }

  /** Up to {@code length} bytes at {@code position}; an empty buffer at the end of the file. */
  Future<Buffer> read(long position, int length) {
    return vertx.executeBlocking(() -> {
      ByteBuffer bytes = ByteBuffer.allocate(length);
      while (bytes.hasRemaining()) {
        if (channel.read(bytes, position + bytes.position()) < 0) {
          break;
        }
      }
      return Buffer.buffer(java.util.Arrays.copyOf(bytes.array(), bytes.position()));
    }, false);
  }

  /** The whole tags at {@code positions} (each at most {@code maxTagBytes} of body). */
  Future<List<FlvReader.Tag>> tagsAt(List<Long> positions, int maxTagBytes) {
    if (positions.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return vertx.executeBlocking(() -> {
      List<FlvReader.Tag> tags = new ArrayList<>();
      for (long position : positions) {
        ByteBuffer header = ByteBuffer.allocate(FlvReader.TAG_HEADER_BYTES);
        readFully(header, position);
        FlvReader reader = FlvReader.atTag(position, maxTagBytes);
        Buffer headerBytes = Buffer.buffer(header.array());
        reader.feed(headerBytes);
        // Checks the type, and that the size is within the limit, before the body is read.
        FlvReader.Tag empty = reader.poll();
        if (empty != null) {
          tags.add(empty);
          continue;
        }
        ByteBuffer body = ByteBuffer.allocate(FlvReader.dataSize(headerBytes, 0));
        readFully(body, position + FlvReader.TAG_HEADER_BYTES);
        reader.feed(Buffer.buffer(body.array()));
        tags.add(reader.poll());
      }
      return tags;
    }, false);
  }

  private void readFully(ByteBuffer into, long position) throws IOException {
    while (into.hasRemaining()) {
      if (channel.read(into, position + into.position()) < 0) {
        throw new IOException("the file ends inside the tag at byte " + position);
      }
    }
  }

  /**
   * Where to start for a replay from {@code timestampMs}: the last video keyframe at or before it
   * (the last audio frame in a file without video), found by reading each tag's header from the
   * start, one small read a tag (nginx-rtmp, with no keyframe index in the file, starts from the
   * beginning instead). With it, the latest metadata and sequence headers before it, which a player
   * that joins there needs first. {@link StartPoint#BEGINNING} when no tag comes at or before it.
   * The scan gives up when {@code cancelled} says so (it is asked from the worker thread).
   */
  Future<StartPoint> startFor(long timestampMs, int maxTagBytes, java.util.function.BooleanSupplier cancelled) {
    return vertx.executeBlocking(() -> {
      ByteBuffer peek = ByteBuffer.allocate(PEEK_BYTES);
      ByteBuffer fileHeader = ByteBuffer.allocate(FlvReader.FILE_HEADER_BYTES);
      if (channel.read(fileHeader, 0) < FlvReader.FILE_HEADER_BYTES) {
        return StartPoint.BEGINNING;
      }
      long position = (fileHeader.getInt(5) & 0xFFFFFFFFL) + FlvReader.PREVIOUS_TAG_SIZE_BYTES;
      long size = channel.size();
      long metadata = -1;
      long videoHeader = -1;
      long audioHeader = -1;
      StartPoint video = null;
      StartPoint audio = null;
      for (long tags = 0; position + FlvReader.TAG_HEADER_BYTES <= size; tags++) {
        if ((tags & 1023) == 0 && cancelled.getAsBoolean()) {
          return StartPoint.BEGINNING; // a newer seek, or the player left: nobody wants this answer
        }
        peek.clear();
        if (channel.read(peek, position) < FlvReader.TAG_HEADER_BYTES) {
          break; // the file shrank under us
        }
        Buffer peeked = Buffer.buffer(java.util.Arrays.copyOf(peek.array(), peek.position()));
        int type = peeked.getUnsignedByte(0) & 0x1F;
        int dataSize = FlvReader.dataSize(peeked, 0);
        long timestamp = FlvReader.timestamp(peeked, 0);
        if (dataSize > maxTagBytes || position + FlvReader.TAG_HEADER_BYTES + dataSize > size) {
          break; // a bad or cut-off tag: replay stops there anyway
        }
        if (timestamp > timestampMs) {
          break;
        }
        Buffer body = peeked.slice(FlvReader.TAG_HEADER_BYTES,
            FlvReader.TAG_HEADER_BYTES + Math.min(dataSize, peeked.length() - FlvReader.TAG_HEADER_BYTES));
        if (type == 18 && isOnMetaData(body)) {
          metadata = position;
        } else if (type == 9 && VideoTag.isSequenceHeader(body)) {
          videoHeader = position;
        } else if (type == 8 && AudioTag.isSequenceHeader(body)) {
          audioHeader = position;
        } else if (type == 9 && VideoTag.isKeyframe(body)) {
          video = new StartPoint(position, timestamp, headers(metadata, videoHeader, audioHeader));
        } else if (type == 8 && video == null) {
          audio = new StartPoint(position, timestamp, headers(metadata, videoHeader, audioHeader));
        }
        position += FlvReader.TAG_HEADER_BYTES + dataSize + FlvReader.PREVIOUS_TAG_SIZE_BYTES;
      }
      return video != null ? video : audio != null ? audio : StartPoint.BEGINNING;
    }, false);
  }

  /** An AMF0 string "onMetaData" first: not a cue point or text data, which a joining player does not need. */
  private static boolean isOnMetaData(Buffer body) {
    return body.length() >= 13 && body.getByte(0) == 2 && body.getUnsignedShort(1) == 10
        && body.getString(3, 13, "ISO-8859-1").equals("onMetaData");
  }

  private static List<Long> headers(long... positions) {
    List<Long> found = new ArrayList<>();
    for (long position : positions) {
      if (position >= 0) {
        found.add(position);
      }
    }
    found.sort(null);
    return List.copyOf(found);
  }

  void close() {
    vertx.executeBlocking(() -> {
      channel.close();
      return null;
    }, false);
  }
}
