package io.raftoral.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Layers point one way: the Java packages of every module, as {@code jdeps} sees them in the compiled classes, form no
 * circle. An API package and its own {@code impl} count as one package (an API may name its implementation, as
 * Vert.x's {@code Vertx.vertx()} does); everything else must point down (node -> workflow / management -> host ->
 * group -> raft / storage / transport). The same check from a shell, after {@code mvn -B -q package -DskipTests}:
 * {@code jdeps -verbose:package -e 'io\.raftoral\..*' raftoral-vertx/target/classes ...} (every module's
 * {@code target/classes}).
 */
class PackageGraphTest {

  private static final Pattern EDGE = Pattern.compile("^\\s+(io\\.raftoral[\\w.]*)\\s+->\\s+(io\\.raftoral[\\w.]*)\\s");

  @Test
  void packagesOfAllModulesFormNoCircle() throws Exception {
    Map<String, Set<String>> graph = packageGraph();
    assertThat(graph).as("jdeps found the project's packages").containsKeys("io.raftoral.raft", "io.raftoral.host",
        "io.raftoral.node", "io.raftoral.workflow", "io.raftoral.management", "io.raftoral.group");
    assertThat(circles(graph)).as("package circles (each is one strongly connected set of packages)").isEmpty();
  }

  @Test
  void theCircleFinderFindsASeededCircle() {
    Map<String, Set<String>> graph = new TreeMap<>();
    graph.put("a", new TreeSet<>(Set.of("b")));
    graph.put("b", new TreeSet<>(Set.of("c")));
    graph.put("c", new TreeSet<>(Set.of("a", "d")));
    graph.put("d", new TreeSet<>());
    assertThat(circles(graph)).containsExactly(List.of("a", "b", "c"));
  }

  @Test
  void theRaftCoreDependsOnNoOtherRaftoralPackage() throws Exception {
    assertThat(packageGraph().getOrDefault("io.raftoral.raft", Set.of())).isEmpty();
  }

  private static Map<String, Set<String>> packageGraph() throws Exception {
    List<String> args = new ArrayList<>(List.of("-verbose:package", "-filter:none", "-e", "io\\.raftoral\\..*"));
    try (Stream<Path> modules = Files.list(Path.of("..").toAbsolutePath().normalize())) {
      modules.map(m -> m.resolve("target/classes")).filter(Files::isDirectory).sorted()
          .forEach(c -> args.add(c.toString()));
    }
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = ToolProvider.findFirst("jdeps").orElseThrow()
        .run(new PrintWriter(out), new PrintWriter(err), args.toArray(String[]::new));
    assertThat(code).as("jdeps failed: %s", err).isZero();
    Map<String, Set<String>> graph = new TreeMap<>();
    for (String line : out.toString().split("\n")) {
      Matcher m = EDGE.matcher(line);
      if (m.find()) {
        String from = foldImpl(m.group(1));
        String to = foldImpl(m.group(2));
        graph.computeIfAbsent(from, k -> new TreeSet<>());
        if (!from.equals(to)) {
          graph.get(from).add(to);
        }
      }
    }
    return graph;
  }

  private static String foldImpl(String pkg) {
    return pkg.endsWith(".impl") ? pkg.substring(0, pkg.length() - ".impl".length()) : pkg;
  }

  /** Tarjan's strongly connected components of more than one package, each sorted. */
  static List<List<String>> circles(Map<String, Set<String>> graph) {
    Map<String, Integer> index = new HashMap<>();
    Map<String, Integer> low = new HashMap<>();
    Deque<String> stack = new ArrayDeque<>();
    Set<String> onStack = new TreeSet<>();
    List<List<String>> found = new ArrayList<>();
    for (String v : graph.keySet()) {
      if (!index.containsKey(v)) {
        connect(v, graph, index, low, stack, onStack, found);
      }
    }
    return found;
  }

  private static void connect(String v, Map<String, Set<String>> graph, Map<String, Integer> index,
      Map<String, Integer> low, Deque<String> stack, Set<String> onStack, List<List<String>> found) {
    index.put(v, index.size());
    low.put(v, index.get(v));
    stack.push(v);
    onStack.add(v);
    for (String w : graph.getOrDefault(v, Set.of())) {
      if (!index.containsKey(w)) {
        connect(w, graph, index, low, stack, onStack, found);
        low.put(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.contains(w)) {
        low.put(v, Math.min(low.get(v), index.get(w)));
      }
    }
    if (low.get(v).equals(index.get(v))) {
      List<String> component = new ArrayList<>();
      String w;
      do {
        w = stack.pop();
        onStack.remove(w);
        component.add(w);
      } while (!w.equals(v));
      if (component.size() > 1) {
        component.sort(null);
        found.add(component);
      }
    }
  }
}
