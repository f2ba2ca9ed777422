package org.rtmpcluster.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rtmpcluster.common.testing.SyntheticMedia.aacFrame;
import static org.rtmpcluster.common.testing.SyntheticMedia.aacSequenceHeader;
import static org.rtmpcluster.common.testing.SyntheticMedia.avcSequenceHeader;
import static org.rtmpcluster.common.testing.SyntheticMedia.videoFrame;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rtmpcluster.client.RtmpClient;
import org.rtmpcluster.common.cluster.StreamAddresses;
import org.rtmpcluster.common.config.ClusterTlsSettings;
import org.rtmpcluster.common.config.Role;
import org.rtmpcluster.common.testing.Await;
import org.rtmpcluster.common.testing.RealClients;
import org.rtmpcluster.common.testing.TestCertificates;
import org.rtmpcluster.server.PublishPlayTest.Viewer;

/**
 * Mutual TLS on the event bus (issue 10): nodes with certificates from the cluster's CA exchange
 * frames; a node whose certificate another CA signed joins Hazelcast (which has no TLS) but gets
 * none of them.
 */
class ClusterTlsTest {
  @TempDir
  static Path dir;

  private static TestCertificates.Pair ca;
  private TestCluster cluster;

  @BeforeAll
  static void makeCertificates() {
    RealClients.requireTools("openssl");
    ca = TestCertificates.authority(dir, "cluster-ca");
  }

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static ClusterTlsSettings signed(TestCertificates.Pair authority, String name) {
    TestCertificates.Pair pair = TestCertificates.signedBy(authority, dir, name, name);
    return new ClusterTlsSettings(pair.cert().toString(), pair.key().toString(), authority.cert().toString());
  }

  private static void send(RtmpClient publisher, int msid, int from, int to) {
    Await.run(publisher.context(), () -> {
      if (from == 0) {
        publisher.sendVideo(msid, 0, avcSequenceHeader(1));
        publisher.sendAudio(msid, 0, aacSequenceHeader());
      }
      for (int marker = from; marker < to; marker++) {
        publisher.sendVideo(msid, 33L * marker, videoFrame(marker % 10 == 0, marker, 300));
        publisher.sendAudio(msid, 33L * marker + 5, aacFrame(marker));
      }
    });
  }

  @Test
  void nodesOfTheCasClusterExchangeFramesAndAStrangerGetsNone() {
    cluster = new TestCluster();
    TestCluster.Member origin = cluster.start("origin-1", EnumSet.of(Role.ORIGIN), signed(ca, "origin-1"));
    TestCluster.Member edge = cluster.start("edge-1", EnumSet.of(Role.EDGE), signed(ca, "edge-1"));
    TestCertificates.Pair otherCa = TestCertificates.authority(dir, "other-ca");
    TestCluster.Member stranger = cluster.start("stranger", EnumSet.of(Role.EDGE), signed(otherCa, "stranger"));

    AtomicInteger strangerFrames = new AtomicInteger();
    Await.result(stranger.clustered().vertx().eventBus()
        .consumer(StreamAddresses.frames("live/a"), message -> strangerFrames.incrementAndGet()).completion());

    RtmpClient publisher = origin.connect();
    int msid = Await.on(publisher.context(), () -> publisher.publish("key-a"));
    send(publisher, msid, 0, 10);
    RtmpClient client = edge.connect();
    Viewer viewer = new Viewer(client);
    Await.on(client.context(), () -> client.play("a"));
    Await.until(() -> viewer.videoMarkers().size() == 10, "the edge with the CA's certificate gets the GOP");
    send(publisher, msid, 10, 40);
    Await.until(() -> viewer.videoMarkers().size() == 40, "and the live frames");
    assertEquals(List.of(0, 1, 2), viewer.videoMarkers().subList(0, 3));
    assertEquals(0, strangerFrames.get(), "the stranger's consumer got no frame");
    assertTrue(stranger.node().streamRegistry() != null, "the stranger is a Hazelcast member all the same");
  }
}
