package filter

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// The synthetic captures hold hand-made frames of every supported link
// type, whole and cut short, covering what the shared corpus lacks (IPv4
// options and fragments, IPv6 fragment headers, 802.1ad, LLC frames,
// cooked-capture directions, loopback families in both byte orders).
// tcpdump's selections on them are recorded with the corpus ones.
const (
	syntheticDir = "testdata/synthetic"
	syntheticTSV = "testdata/tcpdump-synthetic.tsv"
)

// syntheticExpressions are recordedExpressions plus tests aimed at the
// synthetic frames.
func syntheticExpressions() []string {
	out := slices.Clone(recordedExpressions)
	for _, e := range syntheticExtras {
		if !slices.Contains(out, e) {
			out = append(out, e)
		}
	}
	return out
}

var syntheticExtras = []string{
	"host 192.0.2.1", "src host 192.0.2.2", "host 2001:db8::1", "ip6 dst net ff02::/16",
	"arp host 192.0.2.1", "rarp src host 192.0.2.1", "port 53", "udp port 53", "udp", "ip6 and udp",
	"port 80 and tcp[13] & 0x12 = 0x12", "udp and ip[6:2] & 0x1fff != 0", "vlan 10 and udp",
	"vlan 200 and vlan 2001 and arp", "vlan 200 and vlan 2001 and udp port 53", "ether proto 0x42",
	"ether proto 6", "ether[12:2] <= 1500", "icmp6[icmp6type] = icmp6-neighborsolicit", "icmp[0] = 8",
	"len - 14 > ip[2:2]", "ip[0] & 0xf = 6 and udp dst port 53", "sctp port 9", "igmp", "pim",
	"ip[ip[0] & 0xf] = 0 or ip6[ip6[6] - 10] = 7", "tcp[tcp[12] >> 4 : 1] = 0", "ip[2:2] / (ip[1] | 1) = 0",
	"tcp[100] = 0 and tcp", "tcp or tcp[100] = 0", "-ip[0] < 0x100", "-ip[0] > 0xffffff00", "ip[1] ^ ip[2] | ip[3] << 2 > 7 % 3",
	"ether host 02:00:00:00:00:0a and ether dst ff:ff:ff:ff:ff:ff", "ether dst 01:00:5e:00:00:01",
	"ip proto 1 or ip6 proto 6", "ip6 proto 17", "proto 58", "host 192.0.2 or net 2001:db8::/32",
	"net 192.0.2.0 mask 255.255.255.252", "portrange 50-60 or tcp portrange 79-81", "inbound and ip6",
}

type synthFile struct {
	name      string
	linkType  uint32
	bigEndian bool
	frames    []frameCopy
}

// syntheticFiles groups sampleFrames by link type, with a big-endian file
// for the NULL frames whose family is big-endian (libpcap reads the family
// in the file's byte order).
func syntheticFiles() []synthFile {
	files := map[string]*synthFile{}
	var order []string
	for _, f := range sampleFrames() {
		name, be := filepath.Join("linktype-"+itoa(f.linkType)+".pcap"), false
		if f.linkType == 0 && len(f.data) >= 4 && f.data[0] == 0 {
			name, be = "linktype-0-be.pcap", true
		}
		sf := files[name]
		if sf == nil {
			sf = &synthFile{name: name, linkType: f.linkType, bigEndian: be}
			files[name] = sf
			order = append(order, name)
		}
		sf.frames = append(sf.frames, f)
	}
	slices.Sort(order)
	var out []synthFile
	for _, n := range order {
		out = append(out, *files[n])
	}
	return out
}

func itoa(v uint32) string {
	if v == 0 {
		return "0"
	}
	var b []byte
	for ; v > 0; v /= 10 {
		b = append([]byte{byte('0' + v%10)}, b...)
	}
	return string(b)
}

// pcapBytes is a classic pcap file of frames (microsecond timestamps, one
// per second from 2024-01-01).
func pcapBytes(f synthFile) []byte {
	var order binary.ByteOrder = binary.LittleEndian
	if f.bigEndian {
		order = binary.BigEndian
	}
	out := make([]byte, 24)
	order.PutUint32(out[0:], 0xa1b2c3d4)
	order.PutUint16(out[4:], 2)
	order.PutUint16(out[6:], 4)
	order.PutUint32(out[16:], 65535)
	order.PutUint32(out[20:], f.linkType)
	for i, fr := range f.frames {
		h := make([]byte, 16)
		order.PutUint32(h[0:], uint32(1704067200+i))
		order.PutUint32(h[8:], uint32(len(fr.data)))
		order.PutUint32(h[12:], uint32(fr.wireLen))
		out = append(append(out, h...), fr.data...)
	}
	return out
}

// writeSyntheticCaptures (re)writes the synthetic captures and returns
// their names.
func writeSyntheticCaptures(t *testing.T) []string {
	if err := os.MkdirAll(syntheticDir, 0o755); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range syntheticFiles() {
		if err := os.WriteFile(filepath.Join(syntheticDir, f.name), pcapBytes(f), 0o644); err != nil {
			t.Fatal(err)
		}
		names = append(names, f.name)
	}
	return names
}

// TestSyntheticSelectionsMatchTcpdump needs no corpus: the captures and
// tcpdump's selections are in testdata.
func TestSyntheticSelectionsMatchTcpdump(t *testing.T) {
	checkSelections(t, syntheticDir, syntheticTSV, syntheticExpressions())
}
