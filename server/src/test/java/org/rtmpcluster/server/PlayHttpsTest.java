package org.rtmpcluster.server;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rtmpcluster.common.config.PlayHttpSettings;
import org.rtmpcluster.common.config.RtmpsSettings;
import org.rtmpcluster.common.testing.Await;
import org.rtmpcluster.common.testing.FfmpegPublish;
import org.rtmpcluster.common.testing.RealClients;
import org.rtmpcluster.common.testing.TestCertificates;
import org.rtmpcluster.common.testing.TestCertificates.KeyType;

/**
 * HTTPS playback (issue 11): with {@code play-http.tls} the playback listener serves HTTP-FLV and
 * HLS over TLS with the RTMPS certificate files, offers HTTP/2, and takes a renewed certificate
 * without a restart, as pages served over HTTPS need.
 */
class PlayHttpsTest {
  @TempDir
  Path dir;

  private TestNode node;

  @BeforeAll
  static void toolsAreInstalled() {
    RealClients.requireTools("ffmpeg", "ffprobe", "openssl");
  }

  @AfterEach
  void stop() {
    if (node != null) {
      node.close();
    }
  }

  private static X509Certificate certificate(Path pem) throws Exception {
    try (InputStream in = Files.newInputStream(pem)) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
  }

  private static SSLContext trusting(Path pem) throws Exception {
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    store.setCertificateEntry("node", certificate(pem));
    TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(store);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trust.getTrustManagers(), null);
    return context;
  }

  /** The certificate a new TLS connection to the playback port is shown. */
  private X509Certificate presented(SSLContext trustingAll) throws Exception {
    try (SSLSocket socket = (SSLSocket) trustingAll.getSocketFactory().createSocket("127.0.0.1", node.node.playHttpPort())) {
      socket.startHandshake();
      return (X509Certificate) socket.getSession().getPeerCertificates()[0];
    }
  }

  @Test
  void httpFlvAndHlsAreServedOverHttpsWithHttp2AndARenewedCertificateIsTakenUp() throws Exception {
    TestCertificates.Pair pair = TestCertificates.selfSigned(dir, "node", KeyType.RSA, "first");
    node = TestNode.start(c -> c
        .withRtmps(new RtmpsSettings(false, "127.0.0.1", 0, pair.cert().toString(), pair.key().toString(), 100,
            RtmpsSettings.DEFAULT_PROTOCOLS))
        .withPlayHttp(PlayHttpSettings.DEFAULT.withHost("127.0.0.1").withPort(0).withTls(true)));
    try (FfmpegPublish publish = RealClients.publish("rtmp://127.0.0.1:" + node.port() + "/live/" + TestNode.KEY.key(), 30, 30)) {
      Await.until(() -> node.node.hub().get(TestNode.STREAM) != null && node.node.hub().get(TestNode.STREAM).isLive(),
          "the stream is live");
      String base = "https://127.0.0.1:" + node.node.playHttpPort() + "/live/show";
      JsonObject flv = RealClients.probeLiveVideo(base + ".flv", 2);
      HttpClient http2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).sslContext(trusting(pair.cert()))
          .connectTimeout(Duration.ofSeconds(5)).build();
      HttpResponse<String> playlist = http2.send(HttpRequest.newBuilder(URI.create(base + "/index.m3u8"))
          .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
      assertAll(flv.encode() + "\n" + playlist.body(),
          () -> assertEquals("h264", flv.getString("codec_name"), "ffprobe reads HTTP-FLV over HTTPS"),
          () -> assertEquals(200, playlist.statusCode()),
          () -> assertEquals(HttpClient.Version.HTTP_2, playlist.version(), "HTTP/2 by ALPN"),
          () -> assertTrue(playlist.body().startsWith("#EXTM3U")));
    }
    // A renewed pair, written over the old files (key first, as renewal tools do), is in use for new connections.
    TestCertificates.Pair renewed = TestCertificates.selfSigned(dir, "renewed", KeyType.EC, "second");
    Files.copy(renewed.key(), pair.key(), StandardCopyOption.REPLACE_EXISTING);
    Files.copy(renewed.cert(), pair.cert(), StandardCopyOption.REPLACE_EXISTING);
    SSLContext trustingBoth = trusting(renewed.cert());
    Await.until(() -> {
      try {
        return presented(trustingBoth).getSubjectX500Principal().getName().contains("CN=second");
      } catch (Exception e) {
        return false; // still the old certificate, which this context does not trust
      }
    }, Duration.ofSeconds(20), "the renewed certificate on new connections");
  }
}
