package io.raftoral.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fault harness's short seeded run, as CI runs it: {@code raftoral-node.jar chaos} with 3 node processes, 30 s of
 * kills, pauses and partitions (one node at a time), then healing and the checks (nothing lost, no id twice, no side
 * effect repeated by one owner, every node ALIVE, views agree, clusters at full strength). The seed and length can
 * be changed with {@code -Draftoral.chaos.seed} and {@code -Draftoral.chaos.seconds} for longer runs.
 */
class ChaosHarnessIT {

  @TempDir
  Path dir;

  @Test
  @Timeout(value = 10, unit = TimeUnit.MINUTES)
  void aSeededRunOfKillsPausesAndPartitionsLosesNothingAndHeals() throws Exception {
    String seed = System.getProperty("raftoral.chaos.seed", "1");
    String seconds = System.getProperty("raftoral.chaos.seconds", "30");
    Path output = dir.resolve("chaos.out");
    Process chaos = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-jar", NodeProcesses.JAR.toString(), "chaos", "--nodes", "3", "--seconds", seconds,
        "--seed", seed, "--dir", dir.resolve("run").toString()))
        .redirectErrorStream(true).redirectOutput(output.toFile()).start();
    boolean ended = chaos.waitFor(9, TimeUnit.MINUTES);
    if (!ended) {
      chaos.destroy(); // SIGTERM: the harness's shutdown hook stops its node processes
      if (!chaos.waitFor(30, TimeUnit.SECONDS)) {
        chaos.destroyForcibly();
      }
    }
    String report = Files.readString(output);
    assertThat(ended).as("the harness ended in time:%n%s", report).isTrue();
    assertThat(chaos.exitValue()).as("the harness's checks (seed %s):%n%s", seed, report).isZero();
    assertThat(report).contains("\"lost\" : 0").contains("\"duplicated_ids\" : 0").contains("\"healed\" : true");
  }
}
