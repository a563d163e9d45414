package decode_test

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sockscope/sockscope/capture"
	"github.com/sockscope/sockscope/decode"
	"github.com/sockscope/sockscope/internal/corpus"
)

// fastPathPair decodes the same frames with the fast path (fastpath.go) on
// and forced off, and fails on the first Packet that differs.
type fastPathPair struct {
	t          *testing.T
	fast, slow *decode.Decoder
	pf, ps     decode.Packet
	n, bad     int
}

func newFastPathPair(t *testing.T) *fastPathPair {
	c := &fastPathPair{t: t, fast: decode.NewDecoder(), slow: decode.NewDecoder()}
	decode.SetFastPath(c.fast, true)
	decode.SetFastPath(c.slow, false)
	return c
}

// check decodes f both ways and compares every field of the Packets, the
// bytes TransportPayload returns, and the text and JSON output.
func (c *fastPathPair) check(name string, f *capture.Frame) {
	c.t.Helper()
	c.n++
	c.fast.Decode(f, c.n, &c.pf)
	c.slow.Decode(f, c.n, &c.ps)
	same := reflect.DeepEqual(c.pf, c.ps) &&
		bytes.Equal(c.fast.TransportPayload(&c.pf), c.slow.TransportPayload(&c.ps)) &&
		bytes.Equal(decode.AppendText(nil, &c.pf, time.UTC), decode.AppendText(nil, &c.ps, time.UTC)) &&
		bytes.Equal(decode.AppendJSON(nil, &c.pf), decode.AppendJSON(nil, &c.ps))
	if same {
		return
	}
	c.bad++
	if c.bad <= 5 {
		c.t.Errorf("%s: fast path differs from the general path for % x\nfast:    %+v\ngeneral: %+v", name, f.Data, c.pf, c.ps)
	}
}

func (c *fastPathPair) checkFile(t *testing.T, path string, max int) int {
	t.Helper()
	r, err := capture.Open(path)
	if err != nil {
		return 0 // the corpus holds captures the reader rejects on purpose
	}
	defer r.Close()
	n := 0
	var f capture.Frame
	for n < max && r.Next(&f) == nil {
		n++
		c.check(filepath.Base(path)+" frame "+strconv.Itoa(n), &f)
	}
	return n
}

// TestFastPathSameAsGeneral decodes every frame of the corpus, of the
// testdata captures, the fuzz seeds, and the first 100,000 frames of the
// benchmark capture (when present) with and without the fast path.
func TestFastPathSameAsGeneral(t *testing.T) {
	c := newFastPathPair(t)
	caps, _ := filepath.Glob(filepath.Join("testdata", "*.pcap"))
	if dir, ok := corpus.FindPcapDir(); ok {
		for _, rel := range corpus.Captures(t, dir) {
			caps = append(caps, filepath.Join(dir, rel))
		}
	}
	frames := 0
	for _, path := range caps {
		frames += c.checkFile(t, path, 1<<62)
	}
	for i, s := range append(decodeSeeds(), tunnelSeeds()...) {
		c.check("seed "+strconv.Itoa(i), &capture.Frame{Len: len(s.data), LinkType: s.link, Data: s.data})
	}
	for _, s := range fuzzCorpusSeeds(t) {
		c.check("fuzz seed", &capture.Frame{Len: len(s.data), LinkType: s.link, Data: s.data})
	}
	if path := benchCapturePath(); fileExists(path) {
		frames += c.checkFile(t, path, 100_000)
	} else {
		t.Logf("no benchmark capture %s: its frames are not compared", path)
	}
	t.Logf("%d capture frames in %d files compared", frames, len(caps))
}

// TestFastPathVariants compares the two paths on hand-made frames of the
// shapes the fast path takes, with each of their first bytes changed, and
// cut at every length: the fast path must recognise, or leave to the
// general path, every odd length, option list, flag, protocol and port.
func TestFastPathVariants(t *testing.T) {
	c := newFastPathPair(t)
	for bi, b := range fastPathBases() {
		name := "base " + strconv.Itoa(bi)
		frame := func(data []byte) *capture.Frame {
			return &capture.Frame{Len: len(b.data), LinkType: b.link, Data: data}
		}
		c.check(name, frame(b.data))
		for cut := 0; cut < len(b.data); cut++ {
			c.check(name+" cut", frame(b.data[:cut]))
		}
		for i := 0; i < len(b.data) && i < 20+40+60+16; i++ {
			for _, v := range []byte{0, 1, 2, 3, 4, 5, 6, 8, 10, 0x0f, 0x10, 0x11, 0x20, 0x29, 0x40, 0x45, 0x46, 0x4f, 0x50, 0x60, 0x80, 0x86, 0xa0, 0xdd, 0xf0, 0xff,
				b.data[i] ^ 1, b.data[i] + 1, b.data[i] - 1} {
				m := append([]byte(nil), b.data...)
				m[i] = v
				c.check(name+" byte "+strconv.Itoa(i), frame(m))
			}
		}
	}
}

// fastPathBases are frames of the shapes the fast path takes: Ethernet,
// Linux cooked v1 and v2, BSD loopback, raw IP; IPv4 and IPv6; TCP with the usual option lists
// and with payloads, UDP (DNS, NTP, a tunnel port), with and without
// Ethernet padding.
func fastPathBases() []decodeSeed {
	eth := func(etype uint16, payload []byte) []byte {
		return append([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, byte(etype >> 8), byte(etype)}, payload...)
	}
	sll := func(etype uint16, payload []byte) []byte {
		return append([]byte{0, 4, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0, byte(etype >> 8), byte(etype)}, payload...)
	}
	sll2 := func(etype uint16, payload []byte) []byte {
		return append([]byte{byte(etype >> 8), byte(etype), 0, 0, 0, 0, 0, 1, 0, 1, 4, 6, 1, 2, 3, 4, 5, 6, 0, 0}, payload...)
	}
	ipv4 := func(proto byte, l4 []byte) []byte {
		n := 20 + len(l4)
		h := []byte{0x45, 0x10, byte(n >> 8), byte(n), 0x12, 0x34, 0x40, 0, 64, proto, 0, 0, 127, 0, 0, 1, 127, 0, 0, 2}
		return append(h, l4...)
	}
	ipv6 := func(proto byte, l4 []byte) []byte {
		n := len(l4)
		h := []byte{0x62, 0x51, 0x23, 0x45, byte(n >> 8), byte(n), proto, 63,
			0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
			0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2}
		return append(h, l4...)
	}
	tcp := func(flags byte, opts, payload []byte) []byte {
		hl := 20 + len(opts)
		h := []byte{0x9c, 0x40, 0x1f, 0x90, 0, 0, 0x10, 1, 0, 0, 0x20, 2, byte(hl/4) << 4, flags, 0xff, 0xd7, 0, 0, 0, 0}
		return append(append(h, opts...), payload...)
	}
	ts := []byte{1, 1, 8, 10, 0, 0, 0, 7, 0, 0, 0, 9}
	syn := []byte{2, 4, 0xff, 0xd7, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7}
	sack := []byte{1, 1, 8, 10, 0, 0, 0, 7, 0, 0, 0, 9, 1, 1, 5, 18, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0}
	eol := []byte{2, 4, 5, 0xb4, 0, 1, 2, 3}
	udp := func(sport, dport uint16, payload []byte) []byte {
		n := 8 + len(payload)
		return append([]byte{byte(sport >> 8), byte(sport), byte(dport >> 8), byte(dport), byte(n >> 8), byte(n), 0, 0}, payload...)
	}
	dnsQ := []byte{0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0, 0, 1, 0, 1}
	ntp := append([]byte{0x23}, make([]byte, 47)...)
	pad := func(b []byte) []byte { return append(b, make([]byte, 60-min(len(b), 60))...) }
	get := []byte("GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n")
	e := capture.LinkEthernet
	return []decodeSeed{
		{e, eth(0x0800, ipv4(6, tcp(0x18, ts, []byte("hello"))))},
		{e, pad(eth(0x0800, ipv4(6, tcp(0x10, ts, nil))))},
		{e, pad(eth(0x0800, ipv4(6, tcp(0x10, nil, nil))))},
		{e, eth(0x0800, ipv4(6, tcp(0x02, syn, nil)))},
		{e, eth(0x0800, ipv4(6, tcp(0x10, sack, nil)))},
		{e, eth(0x0800, ipv4(6, tcp(0x10, eol, []byte{1, 2, 3})))},
		{e, eth(0x0800, ipv4(6, tcp(0x18, ts, get)))},
		{e, eth(0x0800, ipv4(6, tcp(0x18, nil, append([]byte{0, byte(len(dnsQ))}, dnsQ...))))}, // port 53 by a changed byte
		{e, eth(0x0800, ipv4(17, udp(50000, 53, dnsQ)))},
		{e, pad(eth(0x0800, ipv4(17, udp(40000, 123, ntp))))},
		{e, pad(eth(0x0800, ipv4(17, udp(1234, 5678, []byte{1, 2}))))},
		{e, eth(0x0800, ipv4(17, udp(1234, 4789, make([]byte, 30))))},
		{e, eth(0x86dd, ipv6(6, tcp(0x18, ts, []byte("hello"))))},
		{e, eth(0x86dd, ipv6(6, tcp(0x02, syn, nil)))},
		{e, eth(0x86dd, ipv6(17, udp(50000, 53, dnsQ)))},
		{e, eth(0x86dd, ipv6(17, udp(1234, 6081, make([]byte, 30))))},
		{capture.LinkLinuxSLL, sll(0x0800, ipv4(6, tcp(0x18, ts, []byte("hello"))))},
		{capture.LinkLinuxSLL, sll(0x86dd, ipv6(17, udp(40000, 123, ntp)))},
		{capture.LinkLinuxSLL2, sll2(0x0800, ipv4(17, udp(50000, 53, dnsQ)))},
		{capture.LinkLinuxSLL2, sll2(0x86dd, ipv6(6, tcp(0x10, sack, nil)))},
		{capture.LinkNull, append([]byte{2, 0, 0, 0}, ipv4(6, tcp(0x18, ts, []byte("hello")))...)},
		{capture.LinkNull, append([]byte{30, 0, 0, 0}, ipv6(17, udp(50000, 53, dnsQ))...)},
		{capture.LinkLoop, append([]byte{0, 0, 0, 2}, ipv4(17, udp(1234, 5678, []byte{1, 2}))...)},
		{capture.LinkLoop, append([]byte{0, 0, 0, 24}, ipv6(6, tcp(0x02, syn, nil))...)},
		{capture.LinkRaw, ipv4(6, tcp(0x10, sack, nil))},
		{capture.LinkRaw, ipv6(17, udp(40000, 123, ntp))},
		{capture.LinkIPv4, ipv4(17, udp(1234, 4789, make([]byte, 30)))},
		{capture.LinkIPv6, ipv6(6, tcp(0x18, ts, get))},
	}
}

// fuzzCorpusSeeds reads FuzzDecode's stored corpus (testdata/fuzz).
func fuzzCorpusSeeds(t *testing.T) []decodeSeed {
	files, _ := filepath.Glob(filepath.Join("testdata", "fuzz", "FuzzDecode", "*"))
	var out []decodeSeed
	for _, path := range files {
		fh, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		var s decodeSeed
		sc := bufio.NewScanner(fh)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			line := sc.Text()
			if v, ok := strings.CutPrefix(line, "uint32("); ok {
				n, err := strconv.ParseUint(strings.TrimSuffix(v, ")"), 0, 32)
				if err != nil {
					t.Fatalf("%s: %v", path, err)
				}
				s.link = uint32(n)
			} else if v, ok := strings.CutPrefix(line, "[]byte("); ok {
				b, err := strconv.Unquote(strings.TrimSuffix(v, ")"))
				if err != nil {
					t.Fatalf("%s: %v", path, err)
				}
				s.data = []byte(b)
			}
		}
		fh.Close()
		out = append(out, s)
	}
	return out
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// FuzzFastPath looks for a frame on which the fast path and the general
// path disagree.
func FuzzFastPath(f *testing.F) {
	for _, b := range fastPathBases() {
		f.Add(b.link, b.data)
	}
	var c *fastPathPair
	f.Fuzz(func(t *testing.T, link uint32, data []byte) {
		if c == nil {
			c = newFastPathPair(t)
		}
		c.t = t
		c.check("fuzz", &capture.Frame{Len: len(data), LinkType: link, Data: data})
	})
}
