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
    ProcessResult made = ToolProcess.run(command, OPENSSL_LIMIT);
    if (!made.exitedCleanly()) {
      throw new AssertionError("openssl could not make a certificate:\n" + made.describe());
    }
    return pair;
  }
}
