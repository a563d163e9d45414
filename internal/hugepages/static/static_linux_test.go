//go:build linux

package static_test

import (
	"testing"
	"unsafe"

	"github.com/google/gopacket/layers"
	"github.com/sockscope/sockscope/internal/hugepages/smaps"
	"github.com/sockscope/sockscope/internal/hugepages/static"
)

// The advice must reach gopacket/layers' tables before its init fills
// them: the mapping that holds them is marked for huge pages ("hg"), and
// where the kernel gives them, the tables got some.
func TestAdviceBeforeLayers(t *testing.T) {
	mode := smaps.THPMode(t)
	e := smaps.Entry(t, uintptr(unsafe.Pointer(&layers.EthernetTypeMetadata[0])))
	anonHuge := smaps.Value(e, "AnonHugePages:")
	if !smaps.Advised(e) {
		t.Fatalf("the static memory holding gopacket/layers' tables is not marked for huge pages:\n%s", e)
	}
	if mode != "never" && anonHuge == 0 {
		smaps.SkipIfFallbacks(t)
		t.Fatalf("transparent huge pages are %q, but the tables were filled in small pages (AnonHugePages: 0): the advice came after gopacket/layers' init\n%s", mode, e)
	}
}

// The first 8 MiB of the static memory, which init has the kernel fill in
// ahead of the inits, must hold every table gopacket/layers fills: if the
// linker moves one past it, layers' init fills it page by page again.
func TestPrefillHoldsTables(t *testing.T) {
	lo, _, ok := static.Mapping()
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
		if start < lo || end > lo+static.Prefill {
			t.Errorf("layers.%s (%#x–%#x) lies outside the prefilled %#x–%#x", tb.name, start, end, lo, lo+static.Prefill)
		}
	}
}
