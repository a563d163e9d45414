// Command tenfold writes N copies of a capture one after another, each
// shifted in time past the end of the one before and with its own
// addresses, so that each copy's connections are new connections: the
// 10× benchmark capture (9.4 M packets, 300,000 TCP connections from the
// 938,802-packet benchmark capture).
//
//	go run ./scripts/tenfold [-n 10] IN OUT
//
// Copy k (0 to N-1) is the input with every timestamp moved forward by k
// times (the input's span + 1 s), and every IPv4 address's second byte
// (an IPv6 address's sixth) increased by k, modulo 256: 127.0.0.1 becomes
// 127.k.0.1. The IPv4 header checksum and the TCP and UDP checksums of
// every complete, unfragmented segment are then computed afresh (loopback
// captures carry the kernel's partial checksums, which tcpdump -vv calls
// incorrect; the copies' are correct). Frames that are not IP over one of
// the link types below are copied unchanged. OUT is classic pcap
// (nanosecond) when its name ends in .pcap, pcapng otherwise.
//
// The copies' addresses are distinct when the input's addresses share
// their second byte (a loopback capture: all of them 127.0.0.1); other
// captures may need another rewriting.
//
// Make it in a temporary directory, never in the repository (2.75 GB):
//
//	/work/shared/bench/make-capture.sh /tmp/sockscope-bench.pcap
//	d=$(mktemp -d) && go run ./scripts/tenfold /tmp/sockscope-bench.pcap $d/bench10.pcap
//	tcpdump -n -r $d/bench10.pcap | wc -l                      # 9,388,020
//	tcpdump -n -r $d/bench10.pcap 'tcp[tcpflags] == tcp-syn' | wc -l   # 300,000
package main

import (
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/sockscope/sockscope/capture"
)

func main() {
	n := flag.Int("n", 10, "number of copies")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: go run ./scripts/tenfold [-n 10] IN OUT")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 2 || *n < 1 || *n > 256 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(flag.Arg(0), flag.Arg(1), *n); err != nil {
		fmt.Fprintln(os.Stderr, "tenfold:", err)
		os.Exit(1)
	}
}

func run(in, out string, n int) error {
	first, last, link, err := span(in)
	if err != nil {
		return err
	}
	shift := last - first + 1e9
	w, err := capture.Create(out, link)
	if err != nil {
		return err
	}
	var frames int
	for k := 0; k < n; k++ {
		r, err := capture.Open(in)
		if err != nil {
			w.Close()
			return err
		}
		var f capture.Frame
		var buf []byte
		for {
			if err = r.Next(&f); err != nil {
				break
			}
			buf = append(buf[:0], f.Data...)
			f.Data = buf
			rewrite(f.LinkType, f.Data, byte(k))
			if !f.NoTime {
				t := f.Sec*1e9 + f.Nsec + int64(k)*shift
				f.Sec, f.Nsec = t/1e9, t%1e9
			}
			if err = w.WriteFrame(&f); err != nil {
				break
			}
			frames++
		}
		r.Close()
		if !errors.Is(err, io.EOF) {
			w.Close()
			return err
		}
	}
	if err := w.Close(); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "tenfold: %s: %d copies, %d frames, each copy %.3f s after the one before\n",
		out, n, frames, float64(shift)/1e9)
	return nil
}

// span returns the first and last capture times (ns) and the link type.
func span(in string) (first, last int64, link uint32, err error) {
	r, err := capture.Open(in)
	if err != nil {
		return 0, 0, 0, err
	}
	defer r.Close()
	var f capture.Frame
	seen := false
	for {
		if err = r.Next(&f); err != nil {
			break
		}
		if link == 0 {
			link = f.LinkType
		}
		if f.NoTime {
			continue
		}
		t := f.Sec*1e9 + f.Nsec
		if !seen || t < first {
			first = t
		}
		if !seen || t > last {
			last = t
		}
		seen = true
	}
	if !errors.Is(err, io.EOF) {
		return 0, 0, 0, err
	}
	return first, last, link, nil
}

// ipOffset returns where the IP header starts for the link type, and the
// EtherType-like protocol there (0x0800, 0x86dd), or -1.
func ipOffset(link uint32, b []byte) (int, int) {
	switch link {
	case capture.LinkEthernet:
		if len(b) < 14 {
			return -1, 0
		}
		off, et := 14, int(binary.BigEndian.Uint16(b[12:]))
		for (et == 0x8100 || et == 0x88a8) && len(b) >= off+4 {
			et, off = int(binary.BigEndian.Uint16(b[off+2:])), off+4
		}
		return off, et
	case capture.LinkRaw, capture.LinkRawOld, capture.LinkIPv4, capture.LinkIPv6:
		return 0, 0
	case capture.LinkNull, capture.LinkLoop:
		return 4, 0
	case capture.LinkLinuxSLL:
		if len(b) < 16 {
			return -1, 0
		}
		return 16, int(binary.BigEndian.Uint16(b[14:]))
	case capture.LinkLinuxSLL2:
		if len(b) < 20 {
			return -1, 0
		}
		return 20, int(binary.BigEndian.Uint16(b[0:]))
	}
	return -1, 0
}

// rewrite moves the frame's IP addresses into copy k and fixes the
// checksums (see the package comment).
func rewrite(link uint32, b []byte, k byte) {
	off, et := ipOffset(link, b)
	if off < 0 || off >= len(b) {
		return
	}
	ip := b[off:]
	switch v := ip[0] >> 4; {
	case v == 4 && (et == 0 || et == 0x0800):
		ihl := int(ip[0]&0xf) * 4
		if ihl < 20 || len(ip) < ihl {
			return
		}
		ip[13] += k
		ip[17] += k
		ip[10], ip[11] = 0, 0
		binary.BigEndian.PutUint16(ip[10:], ^fold(sum(ip[:ihl], 0)))
		total := int(binary.BigEndian.Uint16(ip[2:]))
		frag := binary.BigEndian.Uint16(ip[6:])&0x3fff != 0
		if frag || total < ihl || total > len(ip) {
			return
		}
		pseudo := sum(ip[12:20], 0) + uint32(ip[9]) + uint32(total-ihl)
		l4(ip[9], ip[ihl:total], pseudo)
	case v == 6 && (et == 0 || et == 0x86dd):
		if len(ip) < 40 {
			return
		}
		ip[8+5] += k
		ip[24+5] += k
		plen := int(binary.BigEndian.Uint16(ip[4:]))
		if 40+plen > len(ip) {
			return
		}
		// Only a transport header right after the fixed header.
		pseudo := sum(ip[8:40], 0) + uint32(ip[6]) + uint32(plen)
		l4(ip[6], ip[40:40+plen], pseudo)
	}
}

// l4 recomputes a TCP or UDP checksum over seg with the pseudo-header's
// partial sum.
func l4(proto byte, seg []byte, pseudo uint32) {
	var at int
	switch proto {
	case 6:
		if len(seg) < 20 {
			return
		}
		at = 16
	case 17:
		if len(seg) < 8 {
			return
		}
		at = 6
	default:
		return
	}
	seg[at], seg[at+1] = 0, 0
	c := ^fold(sum(seg, pseudo))
	if proto == 17 && c == 0 {
		c = 0xffff
	}
	binary.BigEndian.PutUint16(seg[at:], c)
}

func sum(b []byte, s uint32) uint32 {
	for len(b) >= 2 {
		s += uint32(b[0])<<8 | uint32(b[1])
		b = b[2:]
	}
	if len(b) == 1 {
		s += uint32(b[0]) << 8
	}
	return s
}

func fold(s uint32) uint16 {
	for s>>16 != 0 {
		s = s&0xffff + s>>16
	}
	return uint16(s)
}
