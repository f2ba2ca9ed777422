package org.rtmpcluster.common.testing;

import java.lang.management.ClassLoadingMXBean;
import java.lang.management.ManagementFactory;

/**
 * What one fuzz input may cost: the heap a decoder may allocate for it is a small multiple of the
 * bytes it was given, plus a fixed allowance for the objects any call makes. A decoder that sizes
 * an allocation from a length the input declares fails this at once.
 */
public final class FuzzBounds {
  /** The fixed allowance: the buffers and objects one call makes, whatever its input. */
  public static final long FIXED_BYTES = 1 << 20;
  /** Per input byte: decoded values are objects, several times the bytes that carried them. */
  public static final long PER_INPUT_BYTE = 64;
  /** Per read: a buffer of its own, and the copy of a chunk header split across two reads. */
  public static final long PER_PIECE = 256;

  /** Runs that may load a class before one is measured as it is. */
  private static final int MAX_MEASURED_RUNS = 4;

  private FuzzBounds() {
  }

  /**
   * Runs {@code decode} on {@code inputLength} bytes until a run loads no class, and fails if that
   * run allocated past the bound: loading and initialising a class (crypto for a digest handshake,
   * the AMF3 reader, and under the fuzzer the instrumentation of it, some 6 MB) is the JVM's cost
   * once, not the input's. The first run usually loads what the input leads to, but the JIT can
   * put a class's loading off to a later run, so a run that loaded one is measured again.
   */
  public static void withinAllocationBound(int inputLength, Runnable decode) {
    withinAllocationBound(inputLength, 1, decode);
  }

  /**
   * The same for input that arrives in {@code pieces} reads: each read costs a buffer of its own
   * and a copy of a header split across it, {@value #PER_PIECE} bytes at most.
   */
  public static void withinAllocationBound(int inputLength, int pieces, Runnable decode) {
    decode.run();
    ClassLoadingMXBean classes = ManagementFactory.getClassLoadingMXBean();
    long allocated;
    int runs = 0;
    long loadedBefore;
    do {
      loadedBefore = classes.getTotalLoadedClassCount();
      long before = HostileInput.allocatedBytes();
      decode.run();
      allocated = HostileInput.allocatedBytes() - before;
    } while (classes.getTotalLoadedClassCount() != loadedBefore && ++runs < MAX_MEASURED_RUNS);
    long bound = FIXED_BYTES + PER_INPUT_BYTE * inputLength + PER_PIECE * pieces;
    if (allocated > bound) {
      throw new AssertionError(inputLength + " input bytes in " + pieces + " pieces made the decoder allocate "
          + allocated + " bytes, more than " + bound);
    }
  }
}
