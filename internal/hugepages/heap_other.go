//go:build !linux

package hugepages

// Heap does nothing here: see the Linux version.
func Heap(size int) {}
