package io.raftoral.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.net.SelfSignedCertificate;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real node processes with TLS on their port (certificate for "localhost", generated for the test): the second
 * joins through the first over HTTPS, a workflow runs through the jar's client over HTTPS, and a plaintext request
 * to the port is refused.
 */
class TlsClusterIT {

  @TempDir
  Path dir;

  /** Runs the jar's client; returns its exit code and output. */
  private static Object[] client(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-jar", NodeProcesses.JAR.toString(), "client"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("client did not finish: " + out);
    }
    return new Object[] {p.exitValue(), out};
  }

  @Test
  @Timeout(180)
  void aTlsClusterFormsAndServesOverHttpsOnly() throws Exception {
    SelfSignedCertificate cert = SelfSignedCertificate.create("localhost");
    String[] tls = {"--tls-cert", cert.certificatePath(), "--tls-key", cert.privateKeyPath(), "--tls-ca",
        cert.certificatePath()};
    try (NodeProcesses n = new NodeProcesses(dir, "http")) {
      int pa = NodeProcesses.freePort();
      int pb = NodeProcesses.freePort();
      String a = "127.0.0.1:" + pa;
      String b = "127.0.0.1:" + pb;
      List<String> argsA = new ArrayList<>(List.of("--advertise", "localhost:" + pa, "--bootstrap"));
      argsA.addAll(List.of(tls));
      n.start(a, argsA.toArray(String[]::new));
      List<String> argsB = new ArrayList<>(List.of("--advertise", "localhost:" + pb, "--peers", "localhost:" + pa));
      argsB.addAll(List.of(tls));
      n.start(b, argsB.toArray(String[]::new));
      try {
        Object[] result = null;
        long deadline = System.currentTimeMillis() + 90_000;
        while (System.currentTimeMillis() < deadline) {
          result = client("--address", "localhost:" + pb, "--tls-ca", cert.certificatePath(), "run", "--workflow",
              "ping_pong", "--input", "\"ping\"", "--wait");
          if ((int) result[0] == 0) {
            break;
          }
          Thread.sleep(500);
        }
        assertThat((int) result[0]).as("client output: %s", result[1]).isZero();
        assertThat((String) result[1]).contains("\"result\" : \"\\\"pong\\\"\"");
        // the gRPC API on the same port, over TLS too
        Object[] viaGrpc = client("--transport", "grpc", "--address", "localhost:" + pa, "--tls-ca",
            cert.certificatePath(), "run", "--workflow", "ping_pong", "--input", "\"ping\"", "--wait");
        assertThat((int) viaGrpc[0]).as("gRPC client output: %s", viaGrpc[1]).isZero();
        assertThat((String) viaGrpc[1]).contains("\"result\" : \"\\\"pong\\\"\"");
        assertThatThrownBy(() -> n.get(a, "/health")).as("plaintext to a TLS port").isInstanceOf(
            IOException.class);
      } catch (AssertionError e) {
        throw new AssertionError(e.getMessage() + "\nnode logs:" + n.logs(), e);
      }
    }
  }
}
