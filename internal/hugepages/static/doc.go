// Package static asks Linux for 2 MiB pages for the program's
// zero-initialised static memory (the BSS), before the packages that fill
// it at start-up run, and has the kernel fill that memory in ahead of them.
//
// gopacket/layers fills about 6 MiB of tables in its init (an entry for
// each of 65,536 EtherTypes and PPP types, and port tables). In small 4 KiB
// pages that is about 1,600 page faults; on the virtual machine sockscope
// is measured on, where a fault costs ~11 µs, that init took 22 ms, and
// `sockscope --help` 39 ms. In 2 MiB pages it is three or four faults: the
// init took 4–13 ms and `--help` 30 ms (alternating runs, medians of 21;
// the rest of that init is the host backing the memory, which no advice
// spares). Where transparent huge pages are "madvise" (Debian's and
// Ubuntu's default), memory gets them only when the program asks.
//
// The init also starts a goroutine that has the kernel fill in the first
// 8 MiB of that memory (MADV_POPULATE_WRITE) on the other CPU while the
// packages before gopacket/layers run their inits: `--help` 35 → 28.5 ms.
//
// Import it for its side effect, from main. Go initialises, among the
// packages whose imports are done, the first by import path: this one
// needs only syscall and unsafe, so it runs among the first (after
// syscall), long before "net" and so before gopacket/layers, which imports
// net. It must keep to those imports: importing runtime/debug once moved
// its init from the 16th of 110 to the 88th, 1 ms before layers'.
// TestAdviceBeforeLayers and TestPrefillHoldsTables hold what it relies on.
//
// Goroutines: the one that fills the memory in, which ends when the kernel
// is done; the rest is done in init.
package static
