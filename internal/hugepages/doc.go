// Package hugepages gives a long replay's heap 2 MiB pages (Heap), and
// through its subpackage static the program's static memory too.
//
// Page faults cost about 11 µs on the virtual machine sockscope is
// measured on. A replay churns through ~15 MiB of heap (its batches, the
// tracker, the output); Heap grows the heap once, advises it for huge
// pages and frees it for what comes after, so that memory is faulted in a
// few 2 MiB pages instead of thousands of 4 KiB ones. Where transparent
// huge pages are "madvise" (Debian's and Ubuntu's default), memory gets
// them only when the program asks.
//
// It imports static for its side effect, so a program that uses Heap gets
// both; a program wanting only the static memory's advice imports static.
//
// Goroutines: Heap runs on the caller's goroutine, waits for one garbage
// collection, and starts none.
package hugepages

import _ "github.com/sockscope/sockscope/internal/hugepages/static" // see static's doc
