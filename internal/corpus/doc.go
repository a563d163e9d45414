// Package corpus locates the shared packet-capture corpus for tests and
// reads its expected-output tables. It is imported only by _test files.
//
// Goroutines: none; every function is called from a test goroutine.
package corpus
