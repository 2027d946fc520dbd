package io.raftoral.workflow.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftoral.workflow.WorkflowRegistry;
import io.raftoral.workflow.impl.WorkflowCommand.Registrations;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The members' announced workflows: replaced per member, carried by snapshots, absent in older snapshots. */
class MemberRegistrationsTest {

  private static CommandOutcome apply(WorkflowStateMachine sm, long index, WorkflowCommand c) {
    return sm.apply(index, WorkflowStateMachine.CODEC.decode(WorkflowStateMachine.CODEC.encode(c)));
  }

  @Test
  void anAnnouncementReplacesTheMembersPreviousOneAndSurvivesASnapshot() {
    WorkflowStateMachine sm = new WorkflowStateMachine(1);
    assertThat(apply(sm, 1, new Registrations(2, List.of("flow@1"))).accepted()).isTrue();
    apply(sm, 2, new Registrations(3, List.of("flow@1", "flow@2")));
    apply(sm, 3, new Registrations(2, List.of("other@1")));
    assertThat(sm.registrations().runs(2, "flow", 1)).as("replaced").isFalse();
    assertThat(sm.registrations().runs(2, "other", 1)).isTrue();
    assertThat(sm.registrations().runs(3, "flow", 2)).isTrue();
    assertThat(sm.registrations().runs(4, "flow", 1)).as("never announced").isFalse();

    WorkflowStateMachine other = new WorkflowStateMachine(1);
    other.restore(sm.snapshot());
    assertThat(other.registrations().toSnapshot()).isEqualTo(sm.registrations().toSnapshot());
    assertThat(other.snapshot()).isEqualTo(sm.snapshot());
  }

  @Test
  void aSnapshotTakenBeforeAnnouncementsRestoresWithNone() {
    WorkflowStateMachine sm = new WorkflowStateMachine(1);
    apply(sm, 1, new Registrations(2, List.of("flow@1")));
    sm.restore("{\"endSeq\":0,\"workflows\":[]}".getBytes(StandardCharsets.UTF_8));
    assertThat(sm.registrations().of(2)).isEmpty();
  }

  @Test
  void aRegistryAnnouncesItsNamesAndVersions() {
    WorkflowRegistry r = WorkflowRegistry.create()
        .register("b", 2, String.class, String.class, (in, ctx) -> null)
        .register("a", 1, String.class, String.class, (in, ctx) -> null);
    assertThat(r.keys()).containsExactly("a@1", "b@2");
    assertThat(WorkflowRegistry.announced("a", 1)).isEqualTo("a@1");
  }
}
