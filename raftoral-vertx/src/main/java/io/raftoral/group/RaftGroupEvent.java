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

  /** The address where node {@code nodeId} publishes the events of group {@code clusterId}. */
  public static String address(long nodeId, long clusterId) {
    return "raftoral.events." + nodeId + "." + clusterId;
  }

  public static JsonObject of(String type, long nodeId, long clusterId) {
    return new JsonObject().put("type", type).put("nodeId", nodeId).put("clusterId", clusterId);
  }
}
