package io.raftoral.workflow;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;

/** Helpers shared by the workflow tests. */
final class WorkflowTestSupport {

  private WorkflowTestSupport() {
  }

  /** Subscribes to {@code uni} and hands its outcome over as a Vert.x future. */
  static <T> Future<T> fut(Uni<T> uni) {
    return Future.fromCompletionStage(uni.subscribeAsCompletionStage());
  }
}
