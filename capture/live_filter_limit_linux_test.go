package capture

import (
	"errors"
	"testing"

	"golang.org/x/net/bpf"
)

// The kernel takes 4096 instructions in a socket filter, counting the
// prologue that drops the outgoing copy on loopback: a longer program is
// ErrFilterTooLong, which lets the caller fall back to user space.
func TestKernelProgramTooLong(t *testing.T) {
	user := func(n int) []bpf.RawInstruction {
		p := make([]bpf.RawInstruction, n)
		for i := range p {
			p[i] = bpf.RawInstruction{Op: 0x06, K: 1} // ret #1
		}
		return p
	}
	for _, tc := range []struct {
		n       int
		lo      []int32
		anyDev  bool
		tooLong bool
	}{
		{4096, nil, false, false},
		{4097, nil, false, true},
		{4092, []int32{1}, false, false}, // + ld type, jeq, ret 0, ld #0
		{4093, []int32{1}, false, true},
		{4091, []int32{1, 7}, true, true},
	} {
		prog, err := kernelProgram(user(tc.n), 65535, tc.lo, tc.anyDev)
		if got := errors.Is(err, ErrFilterTooLong); got != tc.tooLong || (err != nil) != tc.tooLong {
			t.Errorf("%d instructions, lo %v: %d long, error %v; want too long %v", tc.n, tc.lo, len(prog), err, tc.tooLong)
		}
	}
}
