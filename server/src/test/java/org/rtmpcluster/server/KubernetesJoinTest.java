package org.rtmpcluster.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rtmpcluster.common.config.ClusterJoin;
import org.rtmpcluster.common.config.ClusterTlsSettings;
import org.rtmpcluster.common.config.Role;
import org.rtmpcluster.common.testing.Await;
import org.rtmpcluster.common.testing.FfmpegPublish;
import org.rtmpcluster.common.testing.PlayResult;
import org.rtmpcluster.common.testing.RealClients;

/**
 * {@code cluster.join: kubernetes} without Kubernetes: Hazelcast's DNS lookup mode resolves the
 * "Service" name to addresses and joins the member on the service port there. {@code localhost}
 * stands in for a headless Service whose only address is the first node's.
 */
class KubernetesJoinTest {

  @Test
  void nodesThatFindEachOtherThroughServiceDnsFormOneClusterThatCarriesAStream(@TempDir Path dir) {
    try (TestCluster cluster = new TestCluster()) {
      TestCluster.Member origin = cluster.start("origin-1", EnumSet.of(Role.ORIGIN), ClusterTlsSettings.NONE,
          c -> c.withCluster(c.cluster().withMembers(List.of()).withJoin(ClusterJoin.kubernetes("localhost", 0))));
      int servicePort = origin.node().nodeConfig().cluster().port();
      TestCluster.Member edge = cluster.start("edge-1", EnumSet.of(Role.EDGE), ClusterTlsSettings.NONE,
          c -> c.withCluster(c.cluster().withMembers(List.of())
              .withJoin(ClusterJoin.kubernetes("localhost", servicePort))));
      Await.until(() -> edge.node().clusterMemberCount() == 2 && origin.node().clusterMemberCount() == 2,
          Duration.ofSeconds(30), "both nodes in one cluster");
      String key = TestCluster.KEYS.get(0).key();
      try (FfmpegPublish publish = RealClients.publish("rtmp://127.0.0.1:" + origin.node().port() + "/live/" + key,
          12, 25)) {
        PlayResult played = RealClients.playWithFfmpeg("rtmp://127.0.0.1:" + edge.node().port() + "/live/a",
            Duration.ofSeconds(4), dir.resolve("edge.flv"));
        assertTrue(played.process().exitedCleanly(), played.process().describe());
        assertTrue(RealClients.analyze(played.file()).videoFrames() > 50, "the edge played what the origin took");
      }
    }
  }
}
