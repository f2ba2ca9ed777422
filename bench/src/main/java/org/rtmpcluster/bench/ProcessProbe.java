package org.rtmpcluster.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a server process costs, read from Linux's /proc for the given processes and their
 * descendants only (an nginx master and its worker, or one JVM): CPU time from
 * /proc/PID/stat (utime + stime), resident memory from /proc/PID/status (VmRSS), and for a JVM
 * the live heap after a full GC, from {@code jcmd PID GC.heap_info}.
 */
final class ProcessProbe {

  private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");
  private static final Pattern RSS = Pattern.compile("VmRSS:\\s+(\\d+) kB");
  /** Linux's USER_HZ, the unit of utime and stime; 100 on every mainstream kernel. */
  private static final long CLOCK_TICKS = clockTicks();

  private final List<Long> rootPids;

  ProcessProbe(List<Long> rootPids) {
    this.rootPids = rootPids;
  }

  boolean isEmpty() {
    return rootPids.isEmpty();
  }

  List<Long> pids() {
    List<Long> all = new ArrayList<>();
    for (long pid : rootPids) {
      all.add(pid);
      ProcessHandle.of(pid).ifPresent(p -> p.descendants().forEach(d -> all.add(d.pid())));
    }
    return all;
  }

  /** CPU seconds (user + system) the processes have used so far. */
  double cpuSeconds() {
    long ticks = 0;
    for (long pid : pids()) {
      try {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        // The command name may hold spaces; the fields after its closing parenthesis are fixed.
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime: fields 14, 15
      } catch (IOException | RuntimeException e) {
        // The process ended: it uses no more CPU.
      }
    }
    return ticks / (double) CLOCK_TICKS;
  }

  /** Resident set size, KB. */
  long rssKb() {
    long kb = 0;
    for (long pid : pids()) {
      try {
        Matcher m = RSS.matcher(Files.readString(Path.of("/proc", Long.toString(pid), "status")));
        if (m.find()) {
          kb += Long.parseLong(m.group(1));
        }
      } catch (IOException e) {
        // Gone.
      }
    }
    return kb;
  }

  /** Heap in use after a full GC of a JVM, KB, or -1 when jcmd cannot tell. */
  static long liveHeapKb(long pid) {
    try {
      run("jcmd", Long.toString(pid), "GC.run");
      Matcher m = HEAP_USED.matcher(run("jcmd", Long.toString(pid), "GC.heap_info"));
      return m.find() ? Long.parseLong(m.group(1)) : -1;
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private static String run(String... command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    byte[] out = process.getInputStream().readAllBytes();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
    return new String(out, StandardCharsets.UTF_8);
  }

  private static long clockTicks() {
    try {
      return Long.parseLong(run("getconf", "CLK_TCK").trim());
    } catch (IOException | RuntimeException e) {
      return 100;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 100;
    }
  }
}
