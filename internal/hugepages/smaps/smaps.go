//go:build linux

// Package smaps reads /proc/self/smaps for the huge-page tests: which
// mapping holds an address, its flags and its sizes. Test code only.
package smaps

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

// Entry returns the /proc/self/smaps block of the mapping that holds
// addr.
func Entry(t *testing.T, addr uintptr) string {
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
