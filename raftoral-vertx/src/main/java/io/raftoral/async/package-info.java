/** Conversions between Vert.x futures and Mutiny unis, shared by every layer (depends on no Raftoral package). */
package io.raftoral.async;
