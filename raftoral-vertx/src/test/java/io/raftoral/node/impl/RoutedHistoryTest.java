package io.raftoral.node.impl;

import io.raftoral.testkit.HistoryClientContract;
import io.raftoral.testkit.RoutingNodes;
import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Histories through a node's router: a node outside the execution cluster forwards the read to a member and gets
 * the member's pages (and errors) back as an in-process call would; a member's router reads them itself.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RoutedHistoryTest {

  private Vertx vertx;
  private RoutingNodes nodes;

  @BeforeAll
  void start() throws Exception {
    vertx = Vertx.vertx();
    nodes = RoutingNodes.start(vertx);
  }

  @AfterAll
  void stop() throws Exception {
    if (nodes != null) {
      nodes.close();
    }
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void aNodeOutsideTheExecutionClusterPagesThroughAHistoryThroughAMember() throws Exception {
    HistoryClientContract.pagesThroughAHistoryAndRefusesBadRequests(nodes.outsider);
  }

  @Test
  void aMemberPagesThroughAHistory() throws Exception {
    HistoryClientContract.pagesThroughAHistoryAndRefusesBadRequests(nodes.member());
  }
}
