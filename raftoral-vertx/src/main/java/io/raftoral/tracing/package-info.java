/**
 * OpenTelemetry tracing of Raftoral's own work (README "Traces"): the span names and attributes, and the W3C trace
 * context carried between nodes. Depends on the OpenTelemetry API only (no Raftoral package); off (no-op) unless an
 * application passes an {@link io.opentelemetry.api.OpenTelemetry} instance.
 */
package io.raftoral.tracing;
