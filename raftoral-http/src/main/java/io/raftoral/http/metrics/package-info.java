/** Prometheus metrics of a node: the registry, a Vert.x reporting into it, and {@code GET /metrics}. */
package io.raftoral.http.metrics;
