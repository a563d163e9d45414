//go:build !unix

package main

// isTerminalPath: without O_NOCTTY there is no safe way to ask; the
// stdout check still refuses -w - onto a terminal.
func isTerminalPath(path string) bool { return false }
