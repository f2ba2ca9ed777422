package org.rtmpcluster.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The jar's entry point as a user meets it: exit codes and messages, in a separate JVM. */
class MainTest {

  private static Process run(String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(Main.class.getName());
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectErrorStream(true).start();
  }

  private static String finish(Process process) throws Exception {
    assertTrue(process.waitFor(30, TimeUnit.SECONDS), "exits");
    return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
  }

  @Test
  void unknownFlagExitsWithCodeTwoAndSaysWhy() throws Exception {
    Process process = run("--nope");
    String output = finish(process);
    assertEquals(2, process.exitValue());
    assertTrue(output.contains("unknown option --nope"), output);
  }

  @Test
  void missingConfigFileExitsWithCodeTwo() throws Exception {
    Process process = run("--config", "/nonexistent/node.yaml");
    String output = finish(process);
    assertEquals(2, process.exitValue());
    assertTrue(output.contains("cannot read config file /nonexistent/node.yaml"), output);
  }

  @Test
  void helpPrintsTheOptionsAndExitsWithZero() throws Exception {
    Process process = run("--help");
    String output = finish(process);
    assertEquals(0, process.exitValue());
    assertTrue(output.contains("--key SECRET:NAME"), output);
  }

  @Test
  void nodeStartsAndLogsWhereItListensAndTheDemoKey() throws Exception {
    Process process = run("--rtmp-port", "0", "--bind", "127.0.0.1");
    try {
      StringBuilder seen = new StringBuilder();
      var reader = new java.io.BufferedReader(new java.io.InputStreamReader(process.getInputStream(),
          StandardCharsets.UTF_8));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      String line;
      while (System.nanoTime() < deadline && (line = reader.readLine()) != null) {
        seen.append(line).append('\n');
        if (line.contains("play:")) {
          break;
        }
      }
      String output = seen.toString();
      assertTrue(output.contains("rtmp-cluster node ready: roles edge,origin, RTMP on 127.0.0.1:"), output);
      assertTrue(output.contains("demo key 'demo-key' for stream 'demo'"), output);
    } finally {
      process.destroy();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
