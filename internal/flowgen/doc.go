// Package flowgen writes synthetic captures for memory benchmarks: many
// TCP flows of one SYN each, the shape of a port scan or a SYN flood, in
// which no connection ever closes. Benchmarks of the connection tracker
// and of every replay mode (cmd/sockscope, ui) use it, so that they all
// measure the same file.
//
// Goroutines: none; the writers run on the caller's goroutine.
package flowgen
