//go:build linux

package hugepages_test

import (
	"runtime"
	"testing"
	"unsafe"

	"github.com/sockscope/sockscope/internal/hugepages"
	"github.com/sockscope/sockscope/internal/hugepages/smaps"
)

// Memory the program allocates after Heap comes from the advised part of
// the heap, in huge pages.
func TestHeapReused(t *testing.T) {
	if smaps.THPMode(t) == "never" {
		t.Skip("transparent huge pages are off here (never)")
	}
	hugepages.Heap(16 << 20)
	b := make([]byte, 6<<20)
	for i := 0; i < len(b); i += 4096 {
		b[i] = 1
	}
	e := smaps.Entry(t, uintptr(unsafe.Pointer(&b[4<<20])))
	if !smaps.Advised(e) {
		t.Fatalf("memory allocated after Heap is not in the advised mapping:\n%s", e)
	}
	if kb := smaps.Value(e, "AnonHugePages:"); kb < 2048 {
		smaps.SkipIfFallbacks(t)
		t.Fatalf("6 MiB allocated after Heap and written holds %d kB of huge pages, want ≥ 2048:\n%s", kb, e)
	}
	runtime.KeepAlive(b)
}
