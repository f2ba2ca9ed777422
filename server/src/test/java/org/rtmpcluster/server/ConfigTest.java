package org.rtmpcluster.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.rtmpcluster.common.config.ConfigException;
import org.rtmpcluster.common.config.NodeConfig;
import org.rtmpcluster.common.config.Role;
import org.rtmpcluster.common.config.SocketTransport;
import org.rtmpcluster.common.config.StreamKey;

class ConfigTest {

  @Test
  void shippedConfigFileSaysExactlyWhatTheDefaultsAre() {
    NodeConfig shipped = ConfigLoader.load(Path.of("..", "conf", "node.yaml"));
    assertEquals(NodeConfig.DEFAULT, shipped);
  }

  @Test
  void emptyConfigFileMeansDefaults() {
    assertEquals(NodeConfig.DEFAULT, ConfigLoader.parse(new StringReader(""), "empty.yaml"));
  }

  @Test
  void unknownKeyIsAnErrorNamingIt() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> ConfigLoader.parse(new StringReader("rtmp:\n  max-conections: 5\n"), "typo.yaml"));
    assertTrue(e.getMessage().contains("rtmp.max-conections"), e.getMessage());
  }

  @Test
  void valueOutOfRangeIsAnErrorNamingKeyAndRange() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> ConfigLoader.parse(new StringReader("rtmp:\n  port: 70000\n"), "port.yaml"));
    assertTrue(e.getMessage().contains("rtmp.port must be between 0 and 65535"), e.getMessage());
  }

  @Test
  void theTransportIsTrueFalseOrANamedOne() {
    assertEquals(SocketTransport.EPOLL, transportOf("true"));
    assertEquals(SocketTransport.NIO, transportOf("false"));
    assertEquals(SocketTransport.IO_URING, transportOf("io_uring"));
    assertEquals(SocketTransport.EPOLL, transportOf("epoll"));
    assertEquals(SocketTransport.NIO, transportOf("nio"));
    ConfigException e = assertThrows(ConfigException.class, () -> transportOf("kqueue"));
    assertTrue(e.getMessage().contains("rtmp.native-transport must be true (epoll), false (nio), epoll, io_uring"),
        e.getMessage());
  }

  private static SocketTransport transportOf(String value) {
    return ConfigLoader.parse(new StringReader("rtmp:\n  native-transport: " + value + "\n"), "t.yaml")
        .rtmp().transport();
  }

  @Test
  void keysAndRolesAreRead() {
    NodeConfig config = ConfigLoader.parse(new StringReader("""
        node:
          roles: [edge]
        streams:
          keys:
            - key: s3cret
              name: stage
        """), "keys.yaml");
    assertEquals(EnumSet.of(Role.EDGE), config.roles());
    assertEquals(List.of(new StreamKey("s3cret", "stage")), config.streams().keys());
    assertEquals(List.of(new StreamKey("s3cret", "stage")), config.streams().effectiveKeys());
  }

  @Test
  void hlsSettingsAndRenditionGroupsAreRead() {
    NodeConfig config = ConfigLoader.parse(new StringReader("""
        streams:
          segment-ms: 4000
          renditions:
            - name: live/event
              streams: [live/event_1080, live/event_720]
        play-http:
          hls:
            part-ms: 334
            window-segments: 10
        """), "hls.yaml");
    assertEquals(4000, config.streams().segmentMs());
    assertEquals(List.of("live/event_1080", "live/event_720"), config.streams().group("live/event").streams());
    assertEquals("live/event", config.streams().groupOf("live/event_720").name());
    assertEquals(334, config.playHttp().hls().partMs());
    assertEquals(10, config.playHttp().hls().windowSegments());
    ConfigException crossApp = assertThrows(ConfigException.class, () -> ConfigLoader.parse(new StringReader("""
        streams:
          renditions:
            - name: live/event
              streams: [backstage/event_720]
        """), "apps.yaml"));
    assertTrue(crossApp.getMessage().contains("in app live"), crossApp.getMessage());
  }

  @Test
  void httpsPlaybackNeedsTheCertificateFiles() {
    NodeConfig config = CommandLine.parse(new String[] {"--play-http-port", "8443", "--play-http-tls"})
        .apply(NodeConfig.DEFAULT);
    assertTrue(config.playHttp().tls());
    ConfigException missing = assertThrows(ConfigException.class, config::requireAListener);
    assertTrue(missing.getMessage().contains("rtmps.cert"), missing.getMessage());
    NodeConfig withFiles = CommandLine.parse(new String[] {"--play-http-port", "8443", "--play-http-tls",
        "--tls-cert", "c.pem", "--tls-key", "k.pem"}).apply(NodeConfig.DEFAULT);
    assertTrue(withFiles.usesCertificate());
  }

  @Test
  void withoutKeysOnlyTheDemoKeyIsAccepted() {
    assertEquals(List.of(new StreamKey("demo-key", "demo")), NodeConfig.DEFAULT.streams().effectiveKeys());
  }

  @Test
  void flagsOverrideTheConfig() {
    CommandLine cli = CommandLine.parse(new String[] {
        "--roles", "origin", "--rtmp-port=1940", "--bind", "127.0.0.1", "--key", "abc:def", "--key", "x:y"});
    NodeConfig config = cli.apply(NodeConfig.DEFAULT);
    assertEquals(EnumSet.of(Role.ORIGIN), config.roles());
    assertEquals(1940, config.rtmp().port());
    assertEquals("127.0.0.1", config.rtmp().host());
    assertEquals(List.of(new StreamKey("abc", "def"), new StreamKey("x", "y")), config.streams().keys());
  }

  @Test
  void tlsFlagsTurnRtmpsOnBesidePlainRtmp() {
    NodeConfig config = CommandLine.parse(new String[] {
        "--tls-cert", "/tls/cert.pem", "--tls-key", "/tls/key.pem", "--rtmps-port", "1936", "--bind", "10.0.0.1"})
        .apply(NodeConfig.DEFAULT);
    assertTrue(config.rtmps().enabled());
    assertEquals(1936, config.rtmps().port());
    assertEquals("/tls/cert.pem", config.rtmps().certPath());
    assertEquals("/tls/key.pem", config.rtmps().keyPath());
    assertEquals("10.0.0.1", config.rtmps().host());
    assertTrue(config.rtmp().enabled(), "plain RTMP stays on");
    NodeConfig defaultPort = CommandLine.parse(new String[] {"--tls-cert", "c.pem", "--tls-key", "k.pem"})
        .apply(NodeConfig.DEFAULT);
    assertEquals(443, defaultPort.rtmps().port());
  }

  @Test
  void rtmpsWithoutACertificateOrANodeWithoutAnyListenerIsAnError() {
    assertMessage("--tls-cert and --tls-key go together", "--tls-cert", "c.pem");
    ConfigException noCert = assertThrows(ConfigException.class,
        () -> CommandLine.parse(new String[] {"--rtmps-port", "1936"}).apply(NodeConfig.DEFAULT));
    assertTrue(noCert.getMessage().contains("rtmps.cert"), noCert.getMessage());
    ConfigException inFile = assertThrows(ConfigException.class,
        () -> ConfigLoader.parse(new StringReader("rtmps:\n  enabled: true\n"), "tls.yaml"));
    assertTrue(inFile.getMessage().contains("rtmps.cert"), inFile.getMessage());
    ConfigException none = assertThrows(ConfigException.class,
        () -> ConfigLoader.parse(new StringReader("rtmp:\n  enabled: false\n"), "none.yaml"));
    assertTrue(none.getMessage().contains("would accept no connections"), none.getMessage());
    NodeConfig tlsOnly = ConfigLoader.parse(new StringReader(
        "rtmp:\n  enabled: false\nrtmps:\n  cert: c.pem\n  key: k.pem\n"), "tls-only.yaml");
    assertTrue(tlsOnly.rtmps().enabled(), "a certificate in the file turns RTMPS on");
  }

  @Test
  void badFlagsAreErrorsThatSayWhatIsWrong() {
    assertMessage("unknown option --frobnicate", "--frobnicate");
    assertMessage("--rtmp-port takes a port number 0-65535, not 'abc'", "--rtmp-port", "abc");
    assertMessage("--rtmp-port needs a value", "--rtmp-port");
    assertMessage("unknown role 'player'", "--roles", "player");
    assertMessage("--key takes SECRET:NAME", "--key", "nocolon");
  }

  private static void assertMessage(String expected, String... args) {
    ConfigException e = assertThrows(ConfigException.class, () -> CommandLine.parse(args));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }

  @Test
  void keyEqualToAPublicNameIsRejected() {
    assertThrows(ConfigException.class, () -> new org.rtmpcluster.origin.StreamKeys(
        List.of(new StreamKey("a", "b"), new StreamKey("b", "c"))));
  }

  @Test
  void maskShowsOnlyTheFirstTwoCharacters() {
    assertEquals("se********", StreamKey.mask("secret-key-long"));
    assertEquals("**", StreamKey.mask("ab"));
  }

  @Test
  void replayIsReadUnderRecordAndItsAppIsOneName() {
    NodeConfig config = ConfigLoader.parse(new StringReader("""
        record:
          path: /var/lib/recordings
          replay:
            enabled: true
            app: recorded
            lead-ms: 2000
        """), "replay.yaml");
    assertTrue(config.record().replay().enabled());
    assertTrue(config.record().replay().serves("recorded/live") && config.record().replay().serves("recorded"));
    assertTrue(!config.record().replay().serves("recordedx") && !config.record().replay().serves("live"));
    assertEquals(2000, config.record().replay().leadMs());
    assertTrue(!NodeConfig.DEFAULT.record().replay().enabled(), "off unless asked for");
    ConfigException twoNames = assertThrows(ConfigException.class, () -> ConfigLoader.parse(
        new StringReader("record:\n  replay:\n    app: a/b\n"), "replay.yaml"));
    assertTrue(twoNames.getMessage().contains("record.replay.app"), twoNames.getMessage());
    ConfigException typo = assertThrows(ConfigException.class, () -> ConfigLoader.parse(
        new StringReader("record:\n  replay:\n    lead: 5\n"), "replay.yaml"));
    assertTrue(typo.getMessage().contains("record.replay.lead"), typo.getMessage());
  }

  @Test
  void aKubernetesJoinNeedsTheServiceDnsAndNoMemberList() {
    NodeConfig config = ConfigLoader.parse(new StringReader("""
        cluster:
          enabled: true
          join: kubernetes
          kubernetes:
            service-dns: rtmp-cluster-hz.live.svc.cluster.local
        """), "k8s.yaml");
    assertEquals(org.rtmpcluster.common.config.ClusterJoin.Mode.KUBERNETES, config.cluster().join().mode());
    assertEquals("rtmp-cluster-hz.live.svc.cluster.local", config.cluster().join().serviceDns());
    assertEquals(0, config.cluster().join().servicePort(), "0: the node's own cluster.port");
    assertEquals(org.rtmpcluster.common.config.ClusterJoin.Mode.MEMBERS, NodeConfig.DEFAULT.cluster().join().mode());

    ConfigException noDns = assertThrows(ConfigException.class, () -> ConfigLoader.parse(
        new StringReader("cluster:\n  join: kubernetes\n"), "k8s.yaml"));
    assertTrue(noDns.getMessage().contains("cluster.kubernetes.service-dns"), noDns.getMessage());
    ConfigException both = assertThrows(ConfigException.class, () -> ConfigLoader.parse(new StringReader(
        "cluster:\n  join: kubernetes\n  members: [a:5701]\n  kubernetes:\n    service-dns: x.svc\n"), "k8s.yaml"));
    assertTrue(both.getMessage().contains("cluster.members is for cluster.join: members"), both.getMessage());
    ConfigException other = assertThrows(ConfigException.class, () -> ConfigLoader.parse(
        new StringReader("cluster:\n  join: multicast\n"), "k8s.yaml"));
    assertTrue(other.getMessage().contains("members or kubernetes"), other.getMessage());
  }

  @Test
  void aLaterConfigFileOverridesAnEarlierOneKeyByKey(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws java.io.IOException {
    java.nio.file.Path base = dir.resolve("node.yaml");
    java.nio.file.Path secrets = dir.resolve("secrets.yaml");
    java.nio.file.Files.writeString(base, """
        http:
          enabled: true
          port: 8080
        streams:
          keys: [{key: placeholder-key, name: wrong}]
        """);
    java.nio.file.Files.writeString(secrets, """
        http:
          api-token: 0123456789abcdef-from-a-secret
        streams:
          keys: [{key: the-real-secret-key, name: main}]
        """);
    NodeConfig config = ConfigLoader.load(java.util.List.of(base, secrets));
    assertTrue(config.http().enabled(), "kept from the first file");
    assertEquals(8080, config.http().port());
    assertEquals("0123456789abcdef-from-a-secret", config.http().apiToken(), "added by the second");
    assertEquals(1, config.streams().keys().size(), "a list is replaced, not appended to");
    assertEquals("main", config.streams().keys().get(0).name());

    java.nio.file.Files.writeString(secrets, "http:\n  api-tokn: x\n");
    ConfigException typo = assertThrows(ConfigException.class, () -> ConfigLoader.load(java.util.List.of(base, secrets)));
    assertTrue(typo.getMessage().contains("node.yaml + ") && typo.getMessage().contains("http.api-tokn"),
        typo.getMessage());
  }
}
