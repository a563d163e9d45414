// Package ptytest opens pseudo-terminals for tests that must give a real
// terminal to sockscope (its stdout or stdin) and read what it wrote. It
// is imported only by _test files; it needs no cgo and no dependency
// beyond golang.org/x/sys/unix.
//
// Goroutines: none; the files it returns may be read from any goroutine.
package ptytest
