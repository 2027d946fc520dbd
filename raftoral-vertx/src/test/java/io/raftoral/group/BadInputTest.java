package io.raftoral.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftoral.async.Bridge;
import io.raftoral.examples.kv.KvCommand;
import io.raftoral.host.ClusterRouter;
import io.raftoral.host.RaftHost;
import io.raftoral.host.RaftHostMetrics;
import io.raftoral.raft.Message;
import io.raftoral.raft.MessageType;
import io.raftoral.raft.RaftNode;
import io.raftoral.testkit.LocalRaftCluster;
import io.raftoral.transport.RaftBatch;
import io.raftoral.transport.RaftEnvelope;
import io.raftoral.transport.Transport;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Inbound input a node must survive: malformed batches and envelopes (refused and counted by the router), envelopes
 * for groups the node does not host, and messages from servers outside the group's configuration (counted, and
 * handled as Raft prescribes). After each, the group keeps committing.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BadInputTest {

  private static final long GROUP = 7;
  private static final long STRANGER = 99;
  private static final long WAIT = 10_000;
  private static final RaftGroupOptions OPTS = RaftPreset.TESTING.groupOptions();

  private static Future<Long> threeNodeGroup(LocalRaftCluster c) {
    return c.startNodes(1, 2, 3)
        .compose(v -> c.startGroup(GROUP, OPTS, 1, 2, 3))
        .compose(v -> c.awaitLeader(GROUP, WAIT))
        .compose(leader -> Bridge.future(c.group(leader, GROUP).propose(KvCommand.put("warm", "up"))))
        .compose(v -> c.awaitLeader(GROUP, WAIT));
  }

  /** Proposes through {@code via} and waits until every replica applied it. */
  private static Future<Void> stillCommits(LocalRaftCluster c, long via, String key) {
    return Bridge.future(c.group(via, GROUP).propose(KvCommand.put(key, "ok")))
        .compose(v -> c.await(() -> c.liveNodeIds().stream().allMatch(id -> "ok".equals(c.kv(id, GROUP).get(key))),
            WAIT, "every replica applying " + key));
  }

  private static RaftEnvelope envelope(long clusterId, MessageType type, long from, long to, long term) {
    return new RaftEnvelope(clusterId, Message.builder(type, from, to).term(term).build());
  }

  private static long maxTerm(LocalRaftCluster c) {
    return c.liveNodeIds().stream().mapToLong(id -> c.group(id, GROUP).status().term()).max().orElseThrow();
  }

  @Test
  void routerRefusesMalformedBatchesAndUnknownClustersAndTheGroupKeepsCommitting(Vertx vertx,
      VertxTestContext ctx) {
    LocalRaftCluster c = new LocalRaftCluster(vertx);
    threeNodeGroup(c)
        .compose(leader -> {
          RaftHost host = c.node(1).host;
          ClusterRouter router = host.router();
          RaftHostMetrics before = host.metrics();
          long term = c.group(1, GROUP).status().term();
          ctx.verify(() -> {
            // Nulls cannot even be put into a batch: the transport types refuse them before any router sees them.
            assertThatThrownBy(() -> new RaftEnvelope(GROUP, null)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> new RaftBatch(2, 1, Arrays.asList(
                envelope(GROUP, MessageType.HEARTBEAT_RESPONSE, 2, 1, term), null)))
                .isInstanceOf(NullPointerException.class);

            // no batch at all
            assertThat(router.route(null)).isEqualTo(new ClusterRouter.Outcome(0, 0, 1));
            // a batch addressed to another node: refused as a whole
            assertThat(router.route(new RaftBatch(2, 3, List.of(
                envelope(GROUP, MessageType.HEARTBEAT, 2, 3, term))))).isEqualTo(new ClusterRouter.Outcome(0, 0, 1));
            // envelopes naming another recipient, a sender other than the batch's, or no valid sender at all
            assertThat(router.route(new RaftBatch(2, 1, List.of(
                envelope(GROUP, MessageType.HEARTBEAT, 2, 3, term), // wrong recipient
                envelope(GROUP, MessageType.HEARTBEAT, 3, 1, term), // forged sender (batch comes from node 2)
                envelope(GROUP, MessageType.HEARTBEAT, 0, 1, term), // sender 0 is "no node"
                envelope(GROUP, MessageType.HEARTBEAT, -5, 1, term)))))
                .isEqualTo(new ClusterRouter.Outcome(0, 0, 4));
            // a cluster id this node does not host
            assertThat(router.route(new RaftBatch(2, 1, List.of(
                envelope(4242, MessageType.HEARTBEAT, 2, 1, term))))).isEqualTo(new ClusterRouter.Outcome(0, 1, 0));
            // a mixed batch: the good envelope still goes through (a term-0 response, which Raft ignores)
            assertThat(router.route(new RaftBatch(2, 1, List.of(
                envelope(GROUP, MessageType.HEARTBEAT_RESPONSE, 2, 1, 0),
                envelope(4242, MessageType.APPEND, 2, 1, term),
                envelope(GROUP, MessageType.APPEND, 3, 1, term)))))
                .isEqualTo(new ClusterRouter.Outcome(1, 1, 1));

            RaftHostMetrics after = host.metrics();
            assertThat(after.malformedMessages() - before.malformedMessages()).isEqualTo(1 + 1 + 4 + 1);
            assertThat(after.unknownClusterMessages() - before.unknownClusterMessages()).isEqualTo(2);
            assertThat(router.malformedCount()).isEqualTo(after.malformedMessages());
            assertThat(router.unknownClusterCount()).isEqualTo(after.unknownClusterMessages());
            assertThat(after.deliveredMessages()).isGreaterThan(before.deliveredMessages());
          });
          return stillCommits(c, 1, "after-garbage");
        })
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          for (long id : c.nodeIds()) {
            RaftHostMetrics m = c.node(id).host.metrics();
            assertThat(m.rejectedMessages()).as("node %d", id).isZero();
            assertThat(m.groups()).isEqualTo(1);
          }
          ctx.completeNow();
        })));
  }

  @Test
  void garbageArrivingOverTheTransportIsCountedTheSame(Vertx vertx, VertxTestContext ctx) {
    LocalRaftCluster c = new LocalRaftCluster(vertx);
    threeNodeGroup(c)
        .compose(leader -> {
          long target = leader == 1 ? 2 : 1;
          RaftHostMetrics before = c.node(target).host.metrics();
          long term = c.group(target, GROUP).status().term();
          // An impostor on the network: node 99 sends, claiming in its envelopes to be node 3.
          Transport impostor = c.network().transport(STRANGER);
          impostor.send(new RaftBatch(STRANGER, target, List.of(
              envelope(GROUP, MessageType.APPEND, 3, target, term),
              envelope(GROUP, MessageType.HEARTBEAT, 3, target, term),
              envelope(31337, MessageType.HEARTBEAT, STRANGER, target, term))));
          return c.await(() -> {
            RaftHostMetrics m = c.node(target).host.metrics();
            return m.malformedMessages() - before.malformedMessages() == 2
                && m.unknownClusterMessages() - before.unknownClusterMessages() == 1;
          }, WAIT, "node " + target + " counting the impostor's envelopes").map(target);
        })
        .compose(target -> stillCommits(c, target, "after-impostor"))
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          for (long id : c.nodeIds()) {
            assertThat(c.node(id).host.metrics().nonMemberMessages()).as("node %d", id).isZero();
          }
          ctx.completeNow();
        })));
  }

  /**
   * A server outside the configuration asking for votes with a far higher term (as a removed server that missed
   * its removal would, thesis §4.2.3): a leader that hears from a quorum ignores such requests, so its term does not
   * move. The messages are counted as non-member messages.
   */
  @Test
  void voteRequestsFromANonMemberDoNotDisruptTheLeader(Vertx vertx, VertxTestContext ctx) {
    LocalRaftCluster c = new LocalRaftCluster(vertx);
    long[] bump = new long[1];
    threeNodeGroup(c)
        .compose(leader -> {
          RaftHost host = c.node(leader).host;
          long before = host.metrics().nonMemberMessages();
          long term = c.group(leader, GROUP).status().term();
          long lastIndex = c.group(leader, GROUP).status().lastIndex();
          bump[0] = term + 1_000;
          List<RaftEnvelope> envs = new ArrayList<>();
          for (MessageType type : List.of(MessageType.PRE_VOTE, MessageType.VOTE)) {
            // with a log at least as long as the leader's, so only the lease protects the leader
            envs.add(new RaftEnvelope(GROUP, Message.builder(type, STRANGER, leader).term(bump[0])
                .index(lastIndex + 100).logTerm(bump[0] - 1).build()));
          }
          ClusterRouter.Outcome outcome = host.router().route(new RaftBatch(STRANGER, leader, envs));
          ctx.verify(() -> assertThat(outcome).isEqualTo(new ClusterRouter.Outcome(2, 0, 0)));
          return c.await(() -> host.metrics().nonMemberMessages() - before >= 2, WAIT,
              "the leader counting the non-member's messages").map(leader);
        })
        .compose(leader -> stillCommits(c, leader, "after-votes"))
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          assertThat(maxTerm(c)).as("no node adopted the stranger's term").isLessThan(bump[0]);
          for (long id : c.nodeIds()) {
            assertThat(c.group(id, GROUP).membership().contains(STRANGER)).isFalse();
            assertThat(c.node(id).host.metrics().rejectedMessages()).isZero();
          }
          ctx.completeNow();
        })));
  }

  /**
   * A server outside the configuration claiming leadership in a far higher term. A correct node must not simply drop
   * messages from servers it does not know: thesis §4.1 requires accepting AppendEntries from a leader that is not in
   * the server's latest configuration (a new server learns its configuration that way, and a newly added voter may
   * lead before a lagging follower learned of it). So the follower adopts the higher term, as Raft says, which
   * deposes the real leader; the group then elects a leader in a still higher term and carries on. The messages are
   * counted, nothing crashes, no committed entry is lost and the stranger never joins the configuration. (Protecting
   * a group from impostors is the transport's job: authenticated peers.)
   */
  @Test
  void nonMemberClaimingAHigherTermForcesANewTermButTheGroupRecovers(Vertx vertx, VertxTestContext ctx) {
    LocalRaftCluster c = new LocalRaftCluster(vertx);
    long[] bump = new long[1];
    long[] target = new long[1];
    threeNodeGroup(c)
        .compose(leader -> {
          target[0] = leader == 1 ? 2 : 1;
          long before = c.node(target[0]).host.metrics().nonMemberMessages();
          bump[0] = c.group(target[0], GROUP).status().term() + 1_000;
          // commit 0 and an empty append at index 0: nothing that could touch the follower's log
          c.network().transport(STRANGER).send(new RaftBatch(STRANGER, target[0], List.of(
              envelope(GROUP, MessageType.HEARTBEAT, STRANGER, target[0], bump[0]),
              envelope(GROUP, MessageType.APPEND, STRANGER, target[0], bump[0]))));
          return c.await(() -> c.node(target[0]).host.metrics().nonMemberMessages() - before >= 2, WAIT,
              "node " + target[0] + " counting the non-member's messages");
        })
        .compose(v -> c.await(() -> {
          long l = c.leader(GROUP);
          return l != RaftNode.NONE && c.group(l, GROUP).status().term() > bump[0];
        }, WAIT, "a leader elected in a term above the stranger's"))
        .compose(v -> stillCommits(c, target[0], "after-stranger"))
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          for (long id : c.nodeIds()) {
            assertThat(c.kv(id, GROUP).get("warm")).as("node %d kept the committed entry", id).isEqualTo("up");
            assertThat(c.group(id, GROUP).membership().contains(STRANGER)).isFalse();
            assertThat(c.group(id, GROUP).leaderId()).isNotEqualTo(STRANGER);
            assertThat(c.node(id).host.metrics().rejectedMessages()).isZero();
          }
          ctx.completeNow();
        })));
  }
}
