package io.raftoral.node.impl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftoral.management.ManagementClient;
import io.raftoral.transport.PeerAddresses;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class JoiningDirectorySeedTest {

  private static final long SECOND = 1_000_000_000L;

  /** A management client that serves nothing (its directory is the interface's default: unsupported). */
  private static class NoDirectory implements ManagementClient {
    @Override
    public Future<Long> register(String address, String requestId) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Future<Void> heartbeat(long nodeId) {
      throw new UnsupportedOperationException();
    }
  }

  /** A management client whose directory calls the test answers by hand. */
  private static final class Directories extends NoDirectory {
    final List<Promise<Map<Long, String>>> calls = new ArrayList<>();

    @Override
    public Future<Map<Long, String>> directory() {
      Promise<Map<Long, String>> p = Promise.promise();
      calls.add(p);
      return p.future();
    }
  }

  private final Directories client = new Directories();
  private final PeerAddresses addresses = new PeerAddresses();
  private final AtomicBoolean knowsDirectory = new AtomicBoolean();
  private final JoiningDirectorySeed seed = new JoiningDirectorySeed(client, addresses, () -> 3, knowsDirectory::get,
      1_000);

  @Test
  void aJoiningNodeAddsTheAddressesItLacksButNotItsOwnAndKeepsWhatItHas() {
    addresses.put(1, "10.0.0.1:7001");
    seed.tick(0);
    client.calls.get(0).complete(Map.of(1L, "10.0.0.9:7001", 2L, "10.0.0.2:7002", 3L, "10.0.0.3:7003"));
    assertThat(addresses.snapshot()).containsOnlyKeys(1L, 2L);
    assertThat(addresses.get(1).orElseThrow().host()).as("kept").isEqualTo("10.0.0.1");
    assertThat(addresses.get(2).orElseThrow().port()).isEqualTo(7002);
  }

  @Test
  void itAsksAgainOncePerIntervalOneCallAtATimeUntilTheNodeKnowsTheDirectory() {
    seed.tick(0);
    seed.tick(2 * SECOND);
    assertThat(client.calls).as("one call under way at a time").hasSize(1);
    client.calls.get(0).fail(new IllegalStateException("no seed answered"));
    seed.tick(2 * SECOND + 1);
    assertThat(client.calls).as("asked again after a failure").hasSize(2);
    client.calls.get(1).complete(Map.of());
    seed.tick(2 * SECOND + SECOND / 2);
    assertThat(client.calls).as("not before the interval passed").hasSize(2);
    seed.tick(3 * SECOND + 2);
    assertThat(client.calls).hasSize(3);
    client.calls.get(2).complete(Map.of(1L, "10.0.0.1:7001"));
    knowsDirectory.set(true);
    seed.tick(10 * SECOND);
    assertThat(client.calls).as("stops once the node has the directory").hasSize(3);
    assertThat(seed.isDone()).isTrue();
    assertThat(addresses.snapshot()).containsOnlyKeys(1L);
  }

  @Test
  void aClientThatCannotFetchTheDirectoryIsNotAskedAgainAndABadAddressIsSkipped() {
    seed.tick(0);
    client.calls.get(0).complete(Map.of(1L, "not an address", 2L, "10.0.0.2:7002"));
    assertThat(addresses.snapshot()).containsOnlyKeys(2L);

    JoiningDirectorySeed unsupported = new JoiningDirectorySeed(new NoDirectory(), addresses, () -> 3, () -> false,
        1_000);
    unsupported.tick(0);
    assertThat(unsupported.isDone()).isTrue();
    assertThatThrownBy(() -> new JoiningDirectorySeed(client, addresses, () -> 3, () -> false, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("intervalMillis");
  }
}
