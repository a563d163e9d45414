//go:build linux

package hugepages_test

import (
	"bytes"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"unsafe"

	"github.com/google/gopacket/layers"
	"github.com/sockscope/sockscope/internal/hugepages"
)

// smapsEntry returns the /proc/self/smaps block of the mapping that holds
// addr.
func smapsEntry(t *testing.T, addr uintptr) string {
	t.Helper()
	b, err := os.ReadFile("/proc/self/smaps")
	if err != nil {
		t.Skipf("no /proc/self/smaps: %v", err)
	}
	var cur []string
	var hit bool
	for _, line := range strings.Split(string(b), "\n") {
		if lo, hi, ok := parseRange(line); ok {
			if hit {
				break
			}
			cur, hit = nil, lo <= addr && addr < hi
		}
		cur = append(cur, line)
	}
	if !hit {
		t.Fatalf("no mapping in /proc/self/smaps holds %#x", addr)
	}
	return strings.Join(cur, "\n")
}

func parseRange(line string) (lo, hi uintptr, ok bool) {
	f := strings.Fields(line)
	if len(f) < 5 {
		return 0, 0, false
	}
	a, b, found := strings.Cut(f[0], "-")
	if !found {
		return 0, 0, false
	}
	l, err1 := strconv.ParseUint(a, 16, 64)
	h, err2 := strconv.ParseUint(b, 16, 64)
	return uintptr(l), uintptr(h), err1 == nil && err2 == nil
}

// The advice must reach gopacket/layers' tables before its init fills
// them: the mapping that holds them is marked for huge pages ("hg"), and
// where the kernel gives them, the tables got some.
func TestAdviceBeforeLayers(t *testing.T) {
	mode, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
	if err != nil {
		t.Skipf("this kernel has no transparent huge pages: %v", err)
	}
	e := smapsEntry(t, uintptr(unsafe.Pointer(&layers.EthernetTypeMetadata[0])))
	anonHuge := smapsValue(e, "AnonHugePages:")
	if !advised(e) {
		t.Fatalf("the static memory holding gopacket/layers' tables is not marked for huge pages:\n%s", e)
	}
	if !bytes.Contains(mode, []byte("[never]")) && anonHuge == 0 {
		skipIfFallbacks(t)
		t.Fatalf("transparent huge pages are %q, but the tables were filled in small pages (AnonHugePages: 0): the advice came after gopacket/layers' init\n%s", bytes.TrimSpace(mode), e)
	}
}

// Memory the program allocates after Heap comes from the advised part of
// the heap, in huge pages.
func TestHeapReused(t *testing.T) {
	mode, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
	if err != nil || bytes.Contains(mode, []byte("[never]")) {
		t.Skipf("no transparent huge pages here (%q, %v)", bytes.TrimSpace(mode), err)
	}
	hugepages.Heap(16 << 20)
	b := make([]byte, 6<<20)
	for i := 0; i < len(b); i += 4096 {
		b[i] = 1
	}
	e := smapsEntry(t, uintptr(unsafe.Pointer(&b[4<<20])))
	if !advised(e) {
		t.Fatalf("memory allocated after Heap is not in the advised mapping:\n%s", e)
	}
	if kb := smapsValue(e, "AnonHugePages:"); kb < 2048 {
		skipIfFallbacks(t)
		t.Fatalf("6 MiB allocated after Heap and written holds %d kB of huge pages, want ≥ 2048:\n%s", kb, e)
	}
	runtime.KeepAlive(b)
}

// advised reports whether a smaps entry's VmFlags has "hg": the mapping
// was advised with MADV_HUGEPAGE.
func advised(entry string) bool {
	for _, line := range strings.Split(entry, "\n") {
		if v, ok := strings.CutPrefix(line, "VmFlags:"); ok {
			return strings.Contains(v+" ", " hg ")
		}
	}
	return false
}

func smapsValue(entry, key string) int {
	for _, line := range strings.Split(entry, "\n") {
		if v, ok := strings.CutPrefix(line, key); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return n
		}
	}
	return -1
}

// skipIfFallbacks skips a test that found no huge pages where the kernel
// has had to give small pages for want of a free 2 MiB one
// (thp_fault_fallback in /proc/vmstat): there, no huge pages says nothing
// of when the advice came.
func skipIfFallbacks(t *testing.T) {
	t.Helper()
	b, err := os.ReadFile("/proc/vmstat")
	if err != nil {
		return
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "thp_fault_fallback "); ok && v != "0" {
			t.Skipf("no huge pages, but the kernel has fallen back to small pages %s times for want of free 2 MiB pages: cannot tell when the advice came", v)
		}
	}
}

// The first 8 MiB of the static memory, which init has the kernel fill in
// ahead of the inits, must hold every table gopacket/layers fills: if the
// linker moves one past it, layers' init fills it page by page again.
func TestPrefillHoldsTables(t *testing.T) {
	lo, _, ok := hugepages.StaticMapping()
	if !ok {
		t.Skip("cannot read /proc/self/maps")
	}
	tables := []struct {
		name string
		at   unsafe.Pointer
		size uintptr
	}{
		{"EthernetTypeMetadata", unsafe.Pointer(&layers.EthernetTypeMetadata), unsafe.Sizeof(layers.EthernetTypeMetadata)},
		{"PPPTypeMetadata", unsafe.Pointer(&layers.PPPTypeMetadata), unsafe.Sizeof(layers.PPPTypeMetadata)},
		{"IPProtocolMetadata", unsafe.Pointer(&layers.IPProtocolMetadata), unsafe.Sizeof(layers.IPProtocolMetadata)},
		{"LinkTypeMetadata", unsafe.Pointer(&layers.LinkTypeMetadata), unsafe.Sizeof(layers.LinkTypeMetadata)},
	}
	for _, tb := range tables {
		start, end := uintptr(tb.at), uintptr(tb.at)+tb.size
		if start < lo || end > lo+hugepages.Prefill {
			t.Errorf("layers.%s (%#x–%#x) lies outside the prefilled %#x–%#x", tb.name, start, end, lo, lo+hugepages.Prefill)
		}
	}
}
