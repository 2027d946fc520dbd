/**
 * What the servers of a node's APIs share, whatever their protocol: their settings' base
 * ({@link io.raftoral.api.ApiOptions}). Uses nothing of Raftoral; used by the HTTP and gRPC modules.
 */
package io.raftoral.api;
