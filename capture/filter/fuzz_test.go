package filter

import (
	"errors"
	"strings"
	"testing"
)

// FuzzCompile: any string must parse or fail with a one-line
// *SyntaxError, never panic; whatever parses must compile to programs
// that x/net/bpf accepts, whose jumps stay inside the program, and that
// give the same verdict optimised, plain, and in x/net/bpf's VM.
func FuzzCompile(f *testing.F) {
	for _, e := range recordedExpressions {
		f.Add(e)
	}
	for _, e := range []string{
		"tcp[13 & 2", "host (10.0.0.1 or not 10.0.0.2)", "port 80 or (443)", "((tcp[13] & 2) != 0)",
		"ip[ip[0]&0xf:2] = -1", "vlan and vlan and vlan", "ether[0:4] % 3 = ip6[6]", "net ::/0",
		"ip6 net 2001:db8::/33 or ether proto \\ip6", "less 0x10 and greater 010", "!(tcp||udp)&&ip",
	} {
		f.Add(e)
	}
	frames := sampleFrames()
	f.Fuzz(func(t *testing.T, expr string) {
		if len(expr) > 2000 {
			return
		}
		tree, err := parse(expr)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("%q: error %v is not a *SyntaxError", expr, err)
			}
			if strings.Contains(err.Error(), "\n") || se.Column() < 1 || se.Pos > len(expr) {
				t.Fatalf("%q: bad error %q (pos %d)", expr, err, se.Pos)
			}
			return
		}
		_ = tree
		checkProgram(t, expr, frames)
	})
}
