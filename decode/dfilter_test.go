package decode_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sockscope/sockscope/capture"
	"github.com/sockscope/sockscope/decode"
	"github.com/sockscope/sockscope/internal/corpus"
)

// corpusPackets calls fn for every packet of every capture in the corpus,
// decoded with a tracker, with its frame.
func corpusPackets(t *testing.T, fn func(name string, f *capture.Frame, p *decode.Packet)) {
	dir := corpus.PcapDir(t)
	for _, name := range corpus.Captures(t, dir) {
		r, err := capture.Open(filepath.Join(dir, name))
		if err != nil {
			continue
		}
		dec := decode.NewDecoder()
		var f capture.Frame
		var p decode.Packet
		for n := 1; ; n++ {
			if err := r.Next(&f); err != nil {
				if !errors.Is(err, io.EOF) {
					break
				}
				break
			}
			dec.Decode(&f, n, &p)
			fn(name, &f, &p)
		}
		r.Close()
	}
}

// notInJSON are display fields AppendJSON does not write.
func notInJSON(name string) bool {
	f, _ := decode.LookupField(name)
	return f.Get == nil || f.Kind == decode.FieldProto || strings.HasPrefix(name, "tcp.flags.") || name == "tcp.analysis.flags"
}

// TestFieldsMatchJSON holds the display fields to AppendJSON: on every
// packet of the corpus, a field is present exactly when its key is in the
// JSON object, with the same value.
func TestFieldsMatchJSON(t *testing.T) {
	var line []byte
	checked := 0
	corpusPackets(t, func(name string, _ *capture.Frame, p *decode.Packet) {
		line = decode.AppendJSON(line[:0], p)
		m := map[string]any{}
		d := json.NewDecoder(bytes.NewReader(line))
		d.UseNumber()
		if err := d.Decode(&m); err != nil {
			t.Fatalf("%s #%d: %v", name, p.Number, err)
		}
		for k, v := range m {
			f, ok := decode.LookupField(k)
			if !ok {
				t.Errorf("%s #%d: JSON key %s is not a display field", name, p.Number, k)
				continue
			}
			got := f.Get(p)
			if got == nil {
				t.Errorf("%s #%d: %s is in the JSON (%v) but the field is absent", name, p.Number, k, v)
				continue
			}
			want := fmt.Sprint(v)
			if k == "frame.time_epoch" {
				continue // a string in JSON, a float for the filter
			}
			if fmt.Sprint(got) != want {
				t.Errorf("%s #%d: %s = %v, JSON has %v", name, p.Number, k, got, want)
			}
			checked++
		}
		for _, k := range decode.FieldNames() {
			if notInJSON(k) {
				continue
			}
			f, _ := decode.LookupField(k)
			if _, inJSON := m[k]; !inJSON && f.Get(p) != nil {
				t.Errorf("%s #%d: field %s = %v but JSON has no such key", name, p.Number, k, f.Get(p))
			}
		}
	})
	t.Logf("%d field values agree with AppendJSON", checked)
}

func tcpPkt(src, dst uint16, flags uint16) *decode.Packet {
	p := &decode.Packet{Number: 1, Layers: decode.LayerEthernet | decode.LayerIPv4 | decode.LayerTCP, IPVersion: 4,
		SrcPort: src, DstPort: dst, TCPFlags: flags, Len: 60, CapLen: 60}
	return p
}

func TestDisplayFilter(t *testing.T) {
	retrans := tcpPkt(5000, 9000, decode.TCPAck|decode.TCPPsh)
	retrans.Analysis.Flags = decode.ExpertRetransmission
	fast := tcpPkt(9000, 5000, decode.TCPAck)
	fast.Analysis.Flags = decode.ExpertFastRetransmission
	syn := tcpPkt(40000, 80, decode.TCPSyn)
	udp := &decode.Packet{Layers: decode.LayerIPv4 | decode.LayerUDP | decode.LayerDNS, IPVersion: 4, SrcPort: 53, DstPort: 5353, UDPLen: 40}
	udp.DNS.QName = []byte("www.example.com")
	udp.DNS.QDCount, udp.DNS.QType = 1, 1
	for _, p := range []*decode.Packet{retrans, fast, syn, udp} {
		p.Src = mustAddr("10.1.2.3")
		p.Dst = mustAddr("192.0.2.7")
	}
	pkts := map[string]*decode.Packet{"retrans": retrans, "fast": fast, "syn": syn, "udp": udp}
	for _, c := range []struct {
		filter string
		want   string // the packets that match, in order retrans fast syn udp
	}{
		{"", "retrans fast syn udp"},
		{"tcp.port == 9000 && tcp.analysis.retransmission", "retrans fast"},
		{"tcp.port == 9000", "retrans fast"},
		{"9000 == tcp.port", "retrans fast"},
		{"tcp.port != 9000", "syn"}, // absent for UDP: false, as in Wireshark
		{"!(tcp.port == 9000)", "syn udp"},
		{"tcp.srcport eq 5000", "retrans"},
		{"tcp.flags.syn == 1 and tcp.flags.ack == 0", "syn"},
		{"tcp", "retrans fast syn"},
		{"tcp.flags.ack", "retrans fast syn"}, // a bare field tests presence, as in Wireshark
		{"udp || arp", "udp"},
		{"tcp.analysis.flags", "retrans fast"},
		{"tcp.analysis.fast_retransmission", "fast"},
		{"ip.src == 10.1.2.3", "retrans fast syn udp"},
		{"ip.addr == 192.0.2.0/24", "retrans fast syn udp"},
		{"ip.addr == 10.0.0.0/16", ""},
		{"ip.dst != 192.0.2.0/24", ""},
		{"dns.qry.name contains \"example\"", "udp"},
		{"dns.qry.name matches \"^www\\\\.\"", "udp"},
		{"udp.length > 30", "udp"},
		{"tcp.srcport > 1024 && tcp.srcport < 10000", "retrans fast"},
		{"tcp.port in [80, 443]", "syn"},
		{"tcp.dstport + 1 == 81", "syn"},
		{"len(dns.qry.name) > 3", "udp"},
		{"tcp.port gt 39999", "syn"},
		{"ipv6", ""},
		{"frame", "retrans fast syn udp"},
	} {
		f, err := decode.CompileDisplayFilter(c.filter)
		if err != nil {
			t.Errorf("%q: %v", c.filter, err)
			continue
		}
		var got []string
		for _, name := range []string{"retrans", "fast", "syn", "udp"} {
			if f.Match(pkts[name]) {
				got = append(got, name)
			}
		}
		if strings.Join(got, " ") != c.want {
			t.Errorf("%q matches %q, want %q", c.filter, strings.Join(got, " "), c.want)
		}
	}
}

func TestDisplayFilterErrors(t *testing.T) {
	for _, c := range []struct{ filter, want string }{
		{"tcp.prot == 80", `column 1: unknown field "tcp.prot"`},
		{"tcp.port == ", "column"},
		{"tcp.port + 1 == 81", "stands for tcp.srcport and tcp.dstport"},
		{"ip.src == 10.0.0.0/33", ""},
		{"tcp.port ==== 3", "column"},
		{"tcp and bogus", `column 9: unknown field "bogus"`},
	} {
		_, err := decode.CompileDisplayFilter(c.filter)
		if err == nil {
			t.Errorf("%q compiled", c.filter)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want it to say %q", c.filter, err, c.want)
		}
		if strings.Contains(err.Error(), "\n") {
			t.Errorf("%q: error is not one line: %q", c.filter, err)
		}
	}
}

// TestDisplayFilterCorpus runs a few filters over the corpus and checks
// them against the JSON keys they are about.
func TestDisplayFilterCorpus(t *testing.T) {
	f1, _ := decode.CompileDisplayFilter("tcp.analysis.retransmission")
	f2, _ := decode.CompileDisplayFilter("tcp.port == 80 || udp.port == 53")
	var line []byte
	n1, n2 := 0, 0
	corpusPackets(t, func(name string, _ *capture.Frame, p *decode.Packet) {
		line = decode.AppendJSON(line[:0], p)
		s := string(line)
		want1 := strings.Contains(s, `"tcp.analysis.retransmission":1`)
		if f1.Match(p) != want1 {
			t.Errorf("%s #%d: retransmission filter %v, JSON %s", name, p.Number, f1.Match(p), s)
		}
		if f1.Match(p) {
			n1++
		}
		if f2.Match(p) {
			n2++
		}
	})
	t.Logf("retransmissions %d, port 80/53 %d", n1, n2)
}

func BenchmarkDisplayFilter(b *testing.B) {
	f, err := decode.CompileDisplayFilter("tcp.port == 9000 && tcp.analysis.retransmission")
	if err != nil {
		b.Fatal(err)
	}
	p := tcpPkt(5000, 9000, decode.TCPAck)
	p.Analysis.Flags = decode.ExpertRetransmission
	for b.Loop() {
		f.Match(p)
	}
}

func mustAddr(s string) netip.Addr { return netip.MustParseAddr(s) }

// FuzzDisplayFilter: any text compiles or fails with an error, and a
// filter that compiles runs on packets without panicking.
func FuzzDisplayFilter(f *testing.F) {
	for _, s := range []string{
		"tcp.port == 9000 && tcp.analysis.retransmission", "ip.addr == 10.0.0.0/8 and not arp",
		`dns.qry.name matches "^a" || udp.length > 3`, "tcp.port in [1, 2]", "len(dns.qry.name) > 3",
		"!tcp", "frame.len * 2 > tcp.len", "eth.addr == aa:bb:cc:dd:ee:ff", "ipv6.addr == fe80::1",
	} {
		f.Add(s)
	}
	pkts := []*decode.Packet{tcpPkt(1, 2, decode.TCPSyn), {}, {Layers: decode.LayerUDP | decode.LayerDNS, IPVersion: 6}}
	f.Fuzz(func(t *testing.T, s string) {
		df, err := decode.CompileDisplayFilter(s)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("%q: error is not one line: %q", s, err)
			}
			return
		}
		for _, p := range pkts {
			df.Match(p)
		}
	})
}
