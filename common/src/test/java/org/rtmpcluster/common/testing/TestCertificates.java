package org.rtmpcluster.common.testing;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Self-signed certificates for TLS tests, made by openssl as an operator would make one. */
public final class TestCertificates {
  private static final Duration OPENSSL_LIMIT = Duration.ofSeconds(60);

  private TestCertificates() {
  }

  /** A certificate file and its key file. */
  public record Pair(Path cert, Path key) {
  }

  /** The key types a node must take: RSA, and EC on P-256. */
  public enum KeyType { RSA, EC }

  /** A certificate authority of its own: its certificate signs the nodes' ({@link #signedBy}). */
  public static Pair authority(Path dir, String name) {
    return selfSigned(dir, name, KeyType.EC, name + " CA");
  }

  /**
   * A certificate for {@code commonName} (valid for localhost and 127.0.0.1) signed by {@code ca},
   * with its key, written to {@code dir/<name>.crt} and {@code dir/<name>.key}.
   */
  public static Pair signedBy(Pair ca, Path dir, String name, String commonName) {
    RealClients.requireTools("openssl");
    Pair pair = new Pair(dir.resolve(name + ".crt"), dir.resolve(name + ".key"));
    Path request = dir.resolve(name + ".csr");
    Path extensions = dir.resolve(name + ".ext");
    run(List.of("openssl", "req", "-new", "-nodes", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
        "-keyout", pair.key().toString(), "-out", request.toString(), "-subj", "/CN=" + commonName));
    try {
      java.nio.file.Files.writeString(extensions, "subjectAltName=DNS:localhost,IP:127.0.0.1\n"
          + "extendedKeyUsage=serverAuth,clientAuth\n");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    run(List.of("openssl", "x509", "-req", "-in", request.toString(), "-CA", ca.cert().toString(),
        "-CAkey", ca.key().toString(), "-CAcreateserial", "-days", "2", "-extfile", extensions.toString(),
        "-out", pair.cert().toString()));
    return pair;
  }

  private static void run(List<String> command) {
    ProcessResult made = ToolProcess.run(command, OPENSSL_LIMIT);
    if (!made.exitedCleanly()) {
      throw new AssertionError("openssl failed:\n" + made.describe());
    }
  }

  /**
   * A self-signed certificate for {@code commonName}, valid for localhost and 127.0.0.1, with its
   * unencrypted key, written to {@code dir/<name>.crt} and {@code dir/<name>.key}.
   */
  public static Pair selfSigned(Path dir, String name, KeyType type, String commonName) {
    RealClients.requireTools("openssl");
    Pair pair = new Pair(dir.resolve(name + ".crt"), dir.resolve(name + ".key"));
    List<String> command = new ArrayList<>(List.of("openssl", "req", "-x509", "-nodes", "-days", "2"));
    if (type == KeyType.RSA) {
      command.addAll(List.of("-newkey", "rsa:2048"));
    } else {
      command.addAll(List.of("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"));
    }
    command.addAll(List.of("-keyout", pair.key().toString(), "-out", pair.cert().toString(),
        "-subj", "/CN=" + commonName, "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"));
    run(command);
    return pair;
  }
}
