package org.rtmpcluster.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rtmpcluster.common.config.ClusterJoin;
import org.rtmpcluster.common.config.ConfigException;
import org.rtmpcluster.common.config.NodeConfig;
import org.rtmpcluster.common.config.Role;
import org.rtmpcluster.common.testing.RealClients;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The Dockerfile, docker-compose.yml and deploy/k8s, checked without Docker or a cluster (none
 * can run here): linted (yamllint, shellcheck, the Kubernetes API's schemas and types, a
 * Dockerfile linter), and read the way the node reads them: every container's arguments and
 * config files make a valid config, and the ports, probes, policies and grace periods agree with it.
 */
class DeployFilesTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Path K8S = ROOT.resolve("deploy/k8s");
  private static final Path LINT = Path.of("src/test/deploy");

  // ---- linters

  @Test
  void yamlLintsClean() throws Exception {
    RealClients.requireTools("yamllint");
    run(List.of("yamllint", "--strict", "-c", ROOT.resolve(".yamllint").toString(),
        ROOT.resolve("deploy").toString(), ROOT.resolve("docker-compose.yml").toString()));
  }

  @Test
  void shellScriptsPassShellcheck() throws Exception {
    RealClients.requireTools("shellcheck");
    List<String> command = new ArrayList<>(List.of("shellcheck", "--severity=style"));
    try (Stream<Path> scripts = Stream.concat(Files.list(ROOT.resolve("deploy/docker")), Files.list(ROOT.resolve("scripts")))) {
      scripts.filter(p -> p.toString().endsWith(".sh")).sorted().forEach(p -> command.add(p.toString()));
    }
    assertTrue(command.size() >= 5, "the scripts were found: " + command);
    run(command);
  }

  @Test
  void kubernetesObjectsMatchTheApiAndTheDockerfileLintsClean() throws Exception {
    RealClients.requireTools("node");
    if (!Files.isDirectory(LINT.resolve("node_modules"))) {
      throw new AssertionError(LINT.resolve("node_modules") + " is missing: .ci/run installs it "
          + "(npm ci --prefix server/src/test/deploy)");
    }
    String out = run(List.of("node", LINT.resolve("lint.mjs").toString(), ROOT.toString()));
    assertTrue(out.startsWith("ok: "), out);
  }

  // ---- docker-compose.yml

  @Test
  void everyComposeNodeStartsWithAValidConfigAndTheOthersAsMembers() throws IOException {
    Map<String, Object> compose = yaml(ROOT.resolve("docker-compose.yml"));
    Map<String, Object> services = map(compose.get("services"));
    assertEquals(Set.of("origin-1", "edge-1", "edge-2"), services.keySet());
    Set<String> addresses = new HashSet<>();
    Map<String, NodeConfig> configs = new HashMap<>();
    for (Map.Entry<String, Object> service : services.entrySet()) {
      Map<String, Object> spec = map(service.getValue());
      NodeConfig config = configOf(strings(spec.get("command")), Map.of(
          "/etc/rtmp-cluster/node.yaml", ROOT.resolve("deploy/docker/node.yaml")));
      configs.put(service.getKey(), config);
      assertEquals(service.getKey(), config.nodeName());
      String address = String.valueOf(map(map(spec.get("networks")).get("cluster")).get("ipv4_address"));
      assertEquals(address, config.cluster().host(), service.getKey() + " binds the address compose gives it");
      addresses.add(address + ":" + config.cluster().port());
      for (String published : strings(spec.get("ports"))) {
        int inside = Integer.parseInt(published.substring(published.indexOf(':') + 1));
        assertTrue(Set.of(config.rtmp().port(), config.http().port(), config.playHttp().port()).contains(inside),
            service.getKey() + " publishes " + published + ", a port it listens on");
      }
    }
    for (NodeConfig config : configs.values()) {
      assertTrue(config.cluster().enabled());
      assertEquals(addresses, Set.copyOf(config.cluster().members()), config.nodeName() + " lists every node");
    }
    assertEquals(Set.of(Role.ORIGIN), configs.get("origin-1").roles());
    assertEquals(Set.of(Role.EDGE), configs.get("edge-2").roles());
  }

  // ---- deploy/k8s

  @Test
  void kustomizationAppliesEveryManifestButTheSecretsExample() throws IOException {
    Set<String> listed = Set.copyOf(strings(yaml(K8S.resolve("kustomization.yaml")).get("resources")));
    Set<String> manifests = new HashSet<>();
    try (Stream<Path> files = Files.list(K8S)) {
      files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml"))
          .filter(n -> !n.equals("kustomization.yaml") && !n.endsWith(".example.yaml")).forEach(manifests::add);
    }
    assertEquals(manifests, listed);
  }

  @Test
  void originsAndEdgesStartWithValidConfigsThatAgreeWithTheirPodSpecs(@TempDir Path dir) throws IOException {
    Map<String, Map<String, Object>> objects = k8sObjects();
    Path nodeYaml = dir.resolve("node.yaml");
    Files.writeString(nodeYaml, String.valueOf(map(objects.get("ConfigMap/rtmp-cluster-config").get("data")).get("node.yaml")));
    Path secretsYaml = dir.resolve("secrets.yaml");
    Files.writeString(secretsYaml, filledIn(secretsExample()));
    Map<String, Object> headless = objects.get("Service/rtmp-cluster-hz");
    Map<String, Object> policy = objects.get("NetworkPolicy/rtmp-cluster");

    for (String workload : List.of("StatefulSet/rtmp-origin", "Deployment/rtmp-edge")) {
      Map<String, Object> pod = map(map(map(objects.get(workload).get("spec")).get("template")).get("spec"));
      Map<String, Object> container = map(list(pod.get("containers")).get(0));
      Map<String, Path> mounts = Map.of("/etc/rtmp-cluster/node.yaml", nodeYaml,
          "/etc/rtmp-cluster/secrets/secrets.yaml", secretsYaml);
      List<String> args = new ArrayList<>();
      for (String arg : strings(container.get("args"))) {
        args.add(arg.replace("$(POD_NAME)", "rtmp-pod-0").replace("$(POD_IP)", "10.1.2.3"));
      }
      NodeConfig config = configOf(args, mounts);
      String role = workload.endsWith("origin") ? "origin" : "edge";
      assertEquals(Set.of(role.equals("origin") ? Role.ORIGIN : Role.EDGE), config.roles(), workload);
      assertEquals("rtmp-pod-0", config.nodeName());
      assertEquals("10.1.2.3", config.cluster().host(), "Hazelcast binds the pod's IP");
      assertEquals(1, config.streams().keys().size(), "the keys come from the Secret");
      assertTrue(config.cluster().enabled());

      // The headless Service is the one the config looks up, in the workload's namespace.
      ClusterJoin join = config.cluster().join();
      assertEquals(ClusterJoin.Mode.KUBERNETES, join.mode());
      String namespace = String.valueOf(map(objects.get(workload).get("metadata")).get("namespace"));
      assertEquals(name(headless) + "." + namespace + ".svc.cluster.local", join.serviceDns());
      assertEquals(Boolean.TRUE, map(headless.get("spec")).get("publishNotReadyAddresses"),
          "pods join before they are ready");
      assertTrue(labelsMatch(map(map(headless.get("spec")).get("selector")), podLabels(objects.get(workload))));

      // Container ports are the ones the config listens on.
      Map<String, Integer> ports = new HashMap<>();
      for (Object port : list(container.get("ports"))) {
        ports.put(String.valueOf(map(port).get("name")), (Integer) map(port).get("containerPort"));
      }
      assertEquals(config.rtmp().port(), ports.get("rtmp"));
      assertEquals(config.http().port(), ports.get("http-api"));
      assertEquals(config.cluster().port(), ports.get("hazelcast"));
      assertEquals(config.cluster().eventBusPort(), ports.get("event-bus"));
      if (role.equals("edge")) {
        assertEquals(config.playHttp().port(), ports.get("play-http"));
      }

      // Probes ask /health on the operator port; the grace period covers the pause and the drain.
      for (String probe : List.of("startupProbe", "readinessProbe")) {
        Map<String, Object> get = map(map(container.get(probe)).get("httpGet"));
        assertEquals("/health", get.get("path"), probe);
        assertEquals("http-api", get.get("port"), probe);
      }
      // Liveness must not follow /health, which is down while the cluster is unreachable.
      assertEquals("http-api", map(map(container.get("livenessProbe")).get("tcpSocket")).get("port"));
      if (role.equals("origin")) {
        assertTrue(list(container.get("volumeMounts")).stream().anyMatch(m ->
            Path.of(config.record().path()).equals(Path.of(String.valueOf(map(m).get("mountPath"))))),
            "record.path is a volume");
      }
      List<String> preStop = strings(map(map(map(container.get("lifecycle")).get("preStop")).get("exec")).get("command"));
      long pauseMs = Long.parseLong(preStop.get(1)) * 1000;
      long graceMs = ((Integer) pod.get("terminationGracePeriodSeconds")) * 1000L;
      assertTrue(pauseMs + config.drainTimeoutMs() + 5_000 <= graceMs,
          workload + ": preStop " + pauseMs + " ms + drain " + config.drainTimeoutMs() + " ms fit in " + graceMs + " ms");
      Map<String, Object> security = map(container.get("securityContext"));
      assertEquals(Boolean.TRUE, security.get("readOnlyRootFilesystem"));
      assertEquals(Boolean.TRUE, map(pod.get("securityContext")).get("runAsNonRoot"));

      // Only the cluster's own pods reach the cluster's ports.
      Set<Integer> clusterOnly = new HashSet<>();
      for (Object rule : list(map(policy.get("spec")).get("ingress"))) {
        Map<String, Object> ingress = map(rule);
        Set<Integer> rulePorts = new HashSet<>();
        for (Object port : list(ingress.get("ports"))) {
          rulePorts.add((Integer) map(port).get("port"));
        }
        boolean fromClusterPods = ingress.containsKey("from") && list(ingress.get("from")).size() == 1
            && labelsMatch(map(map(map(list(ingress.get("from")).get(0)).get("podSelector")).get("matchLabels")),
                podLabels(objects.get(workload)));
        if (fromClusterPods) {
          clusterOnly.addAll(rulePorts);
        } else {
          assertTrue(!rulePorts.contains(config.cluster().port()) && !rulePorts.contains(config.cluster().eventBusPort()),
              "a NetworkPolicy rule opens the cluster's ports beyond its pods: " + ingress);
        }
      }
      assertEquals(Set.of(config.cluster().port(), config.cluster().eventBusPort()), clusterOnly);
    }
  }

  @Test
  void theSecretsExampleAsShippedIsRefusedUntilItsValuesAreFilledIn() throws IOException {
    Path example = Files.createTempFile("secrets", ".yaml");
    try {
      Files.writeString(example, secretsExample());
      ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(example));
      assertTrue(e.getMessage().contains("must be a non-empty string"), e.getMessage());
    } finally {
      Files.delete(example);
    }
  }

  @Test
  void everyServiceSelectsPodsAndTargetsANamedPortTheyHave() throws IOException {
    Map<String, Map<String, Object>> objects = k8sObjects();
    List<Map<String, Object>> workloads = List.of(objects.get("StatefulSet/rtmp-origin"), objects.get("Deployment/rtmp-edge"));
    for (Map.Entry<String, Map<String, Object>> object : objects.entrySet()) {
      if (!object.getKey().startsWith("Service/")) {
        continue;
      }
      Map<String, Object> spec = map(object.getValue().get("spec"));
      Map<String, Object> selector = map(spec.get("selector"));
      List<Map<String, Object>> selected = workloads.stream().filter(w -> labelsMatch(selector, podLabels(w))).toList();
      assertTrue(!selected.isEmpty(), object.getKey() + " selects no pods");
      for (Object port : list(spec.get("ports"))) {
        String target = String.valueOf(map(port).get("targetPort"));
        for (Map<String, Object> workload : selected) {
          Map<String, Object> container = map(list(map(map(map(workload.get("spec")).get("template")).get("spec"))
              .get("containers")).get(0));
          assertTrue(list(container.get("ports")).stream().anyMatch(p -> target.equals(map(p).get("name"))),
              object.getKey() + " targets port " + target + ", which " + name(workload) + " does not name");
        }
      }
    }
  }

  // ---- helpers

  /** The config a container's arguments make, with its mounted files at {@code mounts}' paths here. */
  private static NodeConfig configOf(List<String> args, Map<String, Path> mounts) {
    List<String> local = new ArrayList<>();
    for (String arg : args) {
      local.add(mounts.containsKey(arg) ? mounts.get(arg).toString() : arg);
    }
    return CommandLine.parse(local.toArray(String[]::new)).config();
  }

  private static String secretsExample() throws IOException {
    for (Object document : new Yaml(new SafeConstructor(new LoaderOptions()))
        .loadAll(Files.readString(K8S.resolve("secrets.example.yaml")))) {
      Map<String, Object> secret = map(document);
      if ("rtmp-cluster-secrets".equals(name(secret))) {
        return String.valueOf(map(secret.get("stringData")).get("secrets.yaml"));
      }
    }
    throw new AssertionError("no rtmp-cluster-secrets in secrets.example.yaml");
  }

  /** The example with its empty values filled in, as an operator would. */
  private static String filledIn(String example) {
    return example.replace("key: \"\"", "key: a-stream-key-long-enough-for-anyone")
        .replace("api-token: \"\"", "api-token: 0123456789abcdef0123456789");
  }

  /** Every object of deploy/k8s by "Kind/name". */
  private static Map<String, Map<String, Object>> k8sObjects() throws IOException {
    Map<String, Map<String, Object>> objects = new HashMap<>();
    try (Stream<Path> files = Files.list(K8S)) {
      for (Path file : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
        for (Object document : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(Files.readString(file))) {
          if (document != null) {
            Map<String, Object> object = map(document);
            objects.put(object.get("kind") + "/" + name(object), object);
          }
        }
      }
    }
    return objects;
  }

  private static Map<String, Object> podLabels(Map<String, Object> workload) {
    return map(map(map(map(workload.get("spec")).get("template")).get("metadata")).get("labels"));
  }

  private static boolean labelsMatch(Map<String, Object> selector, Map<String, Object> labels) {
    return selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
  }

  private static String name(Map<String, Object> object) {
    return object.containsKey("metadata") ? String.valueOf(map(object.get("metadata")).get("name")) : null;
  }

  private static Map<String, Object> yaml(Path file) throws IOException {
    return map(new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(file)));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object value) {
    assertTrue(value instanceof Map, "expected a mapping, found " + value);
    return (Map<String, Object>) value;
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Object value) {
    assertTrue(value instanceof List, "expected a list, found " + value);
    return (List<Object>) value;
  }

  private static List<String> strings(Object value) {
    return list(value).stream().map(String::valueOf).toList();
  }

  /** Runs a linter; its output, or an AssertionError with it when it fails. */
  private static String run(List<String> command) throws Exception {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    byte[] output = process.getInputStream().readAllBytes();
    if (!process.waitFor(120, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError(command.get(0) + " did not finish");
    }
    String text = new String(output, StandardCharsets.UTF_8);
    assertEquals(0, process.exitValue(), String.join(" ", command) + ":\n" + text);
    return text;
  }
}
