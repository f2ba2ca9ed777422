package org.rtmpcluster.common.testing;

import java.nio.file.Path;
import java.util.List;

/**
 * What ffprobe and ffmpeg's decoder say about a recorded media file: what a viewer would see.
 *
 * @param file the file analysed
 * @param videoCodec ffprobe's codec name of the first video stream ("h264"), null if none
 * @param audioCodec ffprobe's codec name of the first audio stream ("aac"), null if none
 * @param width video width, 0 if no video
 * @param height video height, 0 if no video
 * @param videoPackets video packets demuxed (FLV video tags with a frame)
 * @param audioPackets audio packets demuxed
 * @param videoFrames video frames decoded (ffprobe -show_frames)
 * @param videoKeyframes decoded video frames flagged as key frames
 * @param firstVideoFrameIsKeyframe whether the first decoded video frame is a key frame: a viewer
 *     that joins mid-stream must start on one or it shows garbage until the next
 * @param firstVideoTimestampMillis timestamp of the first decoded video frame,
 *     {@link #NO_TIMESTAMP} when there is none
 * @param videoTimestampsMonotonic whether video packet DTS never decrease in file order
 * @param audioTimestampsMonotonic whether audio packet DTS never decrease in file order
 * @param largestVideoStepMillis the largest DTS step between consecutive video packets: about one
 *     frame interval for continuous video, more where the picture froze or frames are missing
 * @param videoSpanMillis from the first video packet's DTS to the last's: about the recording's
 *     length for continuous video, much less where frames share timestamps
 * @param decodeErrors what {@code ffmpeg -v error -i file -f null -} printed, one entry a line;
 *     empty for a clean decode
 * @param probeError ffprobe's stderr when it failed on the file, else null
 */
public record MediaReport(
    Path file,
    String videoCodec,
    String audioCodec,
    int width,
    int height,
    int videoPackets,
    int audioPackets,
    int videoFrames,
    int videoKeyframes,
    boolean firstVideoFrameIsKeyframe,
    long firstVideoTimestampMillis,
    boolean videoTimestampsMonotonic,
    boolean audioTimestampsMonotonic,
    long largestVideoStepMillis,
    long videoSpanMillis,
    List<String> decodeErrors,
    String probeError) {

  /** No timestamp: Long.MIN_VALUE, since a shifted stream may start at a negative time. */
  public static final long NO_TIMESTAMP = Long.MIN_VALUE;

  public MediaReport {
    decodeErrors = List.copyOf(decodeErrors);
  }

  /** True when ffprobe read the file and the decoder reported no error. */
  public boolean decodesCleanly() {
    return probeError == null && decodeErrors.isEmpty();
  }
}
