package trace

import (
	"net/netip"
	"testing"
)

func TestParseSockaddr(t *testing.T) {
	for _, tc := range []struct {
		name string
		b    []byte
		want Addr
	}{
		{"inet", []byte{2, 0, 0x1b, 0x59, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0},
			Addr{Family: afInet, AddrPort: netip.MustParseAddrPort("127.0.0.1:7001")}},
		{"inet6 with scope", append([]byte{10, 0, 0x1b, 0x59, 0, 0, 0, 0,
			0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 2, 0, 0, 0),
			Addr{Family: afInet6, AddrPort: netip.MustParseAddrPort("[fe80::1%2]:7001")}},
		{"unix path", append([]byte{1, 0}, "/tmp/s\x00junk"...), Addr{Family: afUnix, Path: "/tmp/s"}},
		{"unix abstract", append([]byte{1, 0, 0}, "name\x00x"...), Addr{Family: afUnix, Path: `@name\x00x`}},
		{"unix unnamed", []byte{1, 0}, Addr{Family: afUnix}},
		{"short", []byte{2}, Addr{}},
		{"inet cut", []byte{2, 0, 1}, Addr{Family: afInet}},
	} {
		if got := parseSockaddr(tc.b); got != tc.want {
			t.Errorf("%s: %+v, want %+v", tc.name, got, tc.want)
		}
	}
	if s := (Addr{Family: afUnix}).String(); s != "(unnamed)" {
		t.Errorf("unnamed: %q", s)
	}
}

func TestPrintable(t *testing.T) {
	for in, want := range map[string]string{
		"python3":          "python3",
		"a\x1b[2Jb":        `a\x1b[2Jb`,
		"é ok":             "é ok",
		"back\\slash":      `back\\slash`,
		"\xff\xfe":         `\xff\xfe`,
		"\u0085 next line": `\xc2\x85 next line`,
	} {
		if got := printable([]byte(in)); got != want {
			t.Errorf("printable(%q) = %q, want %q", in, got, want)
		}
	}
	p := &Process{Pid: 412, Argv: []string{"/usr/bin/python3", "server.py"}}
	if n := p.Name(); n != "python3 server.py [412]" {
		t.Errorf("Name %q", n)
	}
}
