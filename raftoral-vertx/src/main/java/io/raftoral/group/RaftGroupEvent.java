package io.raftoral.group;

import io.vertx.core.json.JsonObject;

/**
 * Events a group publishes on the event bus at {@link #address(long, long)}, as JSON objects with a {@code type}
 * field: {@code LEADER_CHANGED} ({@code leader}, {@code term}), {@code ROLE_CHANGED} ({@code role}, {@code term}),
 * {@code MEMBERSHIP_CHANGED} ({@code voters}, {@code learners}, {@code index}), {@code APPLIED} ({@code index}, at
 * most once per tick).
 */
public final class RaftGroupEvent {

  public static final String LEADER_CHANGED = "LEADER_CHANGED";
  public static final String ROLE_CHANGED = "ROLE_CHANGED";
  public static final String MEMBERSHIP_CHANGED = "MEMBERSHIP_CHANGED";
  public static final String APPLIED = "APPLIED";

  private RaftGroupEvent() {}

  /** The address where node {@code nodeId} publishes the events of group {@code groupId}. */
  public static String address(long nodeId, long groupId) {
    return "raftoral.events." + nodeId + "." + groupId;
  }

  /**
   * A new event of {@code type}. The group's id travels in the {@code clusterId} field (the name events have always
   * used; consumers read it).
   */
  public static JsonObject of(String type, long nodeId, long groupId) {
    return new JsonObject().put("type", type).put("nodeId", nodeId).put("clusterId", groupId);
  }
}
