//go:build linux

// Package smaps reads /proc/self/smaps for the huge-page tests: which
// mapping holds an address, its flags and its sizes. Test code only.
package smaps

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/sockscope/sockscope/internal/hugepages/static"
)

// Entry returns the /proc/self/smaps block of the mapping that holds
// addr: its first line, found by static.FindMapping, through its last, the
// VmFlags line.
func Entry(t *testing.T, addr uintptr) string {
	t.Helper()
	b, err := os.ReadFile("/proc/self/smaps")
	if err != nil {
		t.Skipf("no /proc/self/smaps: %v", err)
	}
	lo, hi, ok := static.FindMapping(b, addr)
	if !ok {
		t.Fatalf("no mapping in /proc/self/smaps holds %#x", addr)
	}
	lines := strings.Split(string(b), "\n")
	head := fmt.Sprintf("%08x-%08x ", lo, hi)
	for i, line := range lines {
		if !strings.HasPrefix(line, head) {
			continue
		}
		for j := i; j < len(lines); j++ {
			if strings.HasPrefix(lines[j], "VmFlags:") {
				return strings.Join(lines[i:j+1], "\n")
			}
		}
	}
	t.Fatalf("/proc/self/smaps has no whole block for %#x-%#x", lo, hi)
	return ""
}

// Advised reports whether a smaps entry's VmFlags has "hg": the mapping
// was advised with MADV_HUGEPAGE.
func Advised(entry string) bool {
	for _, line := range strings.Split(entry, "\n") {
		if v, ok := strings.CutPrefix(line, "VmFlags:"); ok {
			return strings.Contains(v+" ", " hg ")
		}
	}
	return false
}

// Value is the number of kB a smaps entry gives for key ("AnonHugePages:"),
// or -1.
func Value(entry, key string) int {
	for _, line := range strings.Split(entry, "\n") {
		if v, ok := strings.CutPrefix(line, key); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return n
		}
	}
	return -1
}

// THPMode is the kernel's transparent huge page mode, the bracketed word
// of /sys/kernel/mm/transparent_hugepage/enabled ("always", "madvise" or
// "never"); a test without that file is skipped.
func THPMode(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
	if err != nil {
		t.Skipf("this kernel has no transparent huge pages: %v", err)
	}
	_, mode, _ := strings.Cut(string(b), "[")
	mode, _, _ = strings.Cut(mode, "]")
	return mode
}

// SkipIfFallbacks skips a test that found no huge pages where the kernel
// has had to give small pages for want of a free 2 MiB one
// (thp_fault_fallback in /proc/vmstat): there, no huge pages says nothing
// of when the advice came.
func SkipIfFallbacks(t *testing.T) {
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
