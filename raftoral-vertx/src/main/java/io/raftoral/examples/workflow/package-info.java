/** Example workflows: Fibonacci through checkpoints, and an order that reserves stock and charges a payment. */
package io.raftoral.examples.workflow;
