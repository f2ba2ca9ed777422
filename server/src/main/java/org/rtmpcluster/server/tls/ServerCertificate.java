package org.rtmpcluster.server.tls;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemKeyCertOptions;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.X509KeyManager;

/**
 * A certificate chain and its private key, as PEM, checked to load and to belong together before
 * a listener uses them: a renewal that writes the new certificate before its key must not leave a
 * node serving a pair no client can complete a handshake with.
 */
public final class ServerCertificate {
  private static final byte[] PROBE = "rtmp-cluster certificate check".getBytes(StandardCharsets.US_ASCII);

  private final Buffer certPem;
  private final Buffer keyPem;
  private final X509Certificate leaf;

  private ServerCertificate(Buffer certPem, Buffer keyPem, X509Certificate leaf) {
    this.certPem = certPem;
    this.keyPem = keyPem;
    this.leaf = leaf;
  }

  /**
   * Parses and checks a pair.
   *
   * @throws InvalidCertificateException with what is wrong, naming no secret
   */
  public static ServerCertificate of(Vertx vertx, Buffer certPem, Buffer keyPem) {
    PemKeyCertOptions options = new PemKeyCertOptions().setCertValue(certPem).setKeyValue(keyPem);
    X509KeyManager keys;
    try {
      KeyManagerFactory factory = options.getKeyManagerFactory(vertx);
      keys = x509(factory.getKeyManagers());
    } catch (Exception e) {
      throw new InvalidCertificateException("the certificate or key does not load: " + reason(e));
    }
    String alias = firstAlias(keys);
    if (alias == null) {
      throw new InvalidCertificateException("no RSA or EC key and certificate found in the PEM files");
    }
    X509Certificate[] chain = keys.getCertificateChain(alias);
    if (chain == null || chain.length == 0) {
      throw new InvalidCertificateException("the certificate file holds no certificate");
    }
    X509Certificate leaf = firstCertificate(certPem, chain[0]);
    requireSameKey(keys.getPrivateKey(alias), leaf);
    return new ServerCertificate(certPem, keyPem, leaf);
  }

  private static X509KeyManager x509(KeyManager[] managers) {
    for (KeyManager manager : managers) {
      if (manager instanceof X509KeyManager x509) {
        return x509;
      }
    }
    throw new IllegalStateException("no X.509 key manager");
  }

  private static String firstAlias(X509KeyManager keys) {
    for (String type : new String[] {"RSA", "EC", "EdDSA", "Ed25519"}) {
      String[] aliases = keys.getServerAliases(type, null);
      if (aliases != null && aliases.length > 0) {
        return aliases[0];
      }
    }
    return null;
  }

  /** The first certificate of the file is the one the key signs for (RFC 8446 4.4.2: the end-entity first). */
  private static X509Certificate firstCertificate(Buffer certPem, X509Certificate fallback) {
    try {
      return (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(certPem.getBytes()));
    } catch (GeneralSecurityException e) {
      return fallback;
    }
  }

  /** Signs with the key and verifies with the certificate: a pair that does not match fails here. */
  private static void requireSameKey(PrivateKey key, X509Certificate leaf) {
    String algorithm = switch (key.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      case "Ed25519", "EdDSA" -> "Ed25519";
      default -> throw new InvalidCertificateException("unsupported key type " + key.getAlgorithm());
    };
    try {
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(PROBE);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(leaf.getPublicKey());
      verifier.update(PROBE);
      if (!verifier.verify(signature)) {
        throw new InvalidCertificateException("the key does not belong to the certificate ("
            + leaf.getSubjectX500Principal().getName() + ")");
      }
    } catch (GeneralSecurityException e) {
      throw new InvalidCertificateException("the key does not belong to the certificate ("
          + leaf.getSubjectX500Principal().getName() + "): " + reason(e));
    }
  }

  private static String reason(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
  }

  /** What a listener is configured with. */
  public PemKeyCertOptions keyCertOptions() {
    return new PemKeyCertOptions().setCertValue(certPem).setKeyValue(keyPem);
  }

  public Instant notAfter() {
    return leaf.getNotAfter().toInstant();
  }

  /** For logs: whose certificate, by whom, until when. */
  public String describe() {
    return leaf.getSubjectX500Principal().getName() + ", issued by " + leaf.getIssuerX500Principal().getName()
        + ", valid until " + notAfter();
  }

  /** A certificate or key that cannot be used; the message says why. */
  public static final class InvalidCertificateException extends RuntimeException {
    InvalidCertificateException(String message) {
      super(message);
    }
  }
}
