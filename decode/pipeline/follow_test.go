package pipeline_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sockscope/sockscope/capture"
	"github.com/sockscope/sockscope/decode"
	"github.com/sockscope/sockscope/decode/pipeline"
)

// tcpFrame is an Ethernet frame of a TCP segment from a:ap to b:bp.
func tcpFrame(sec, usec int64, a, b netip.Addr, ap, bp uint16, flags uint8, seq, ack uint32, payload string) *capture.Frame {
	d := make([]byte, 14+20+20+len(payload))
	binary.BigEndian.PutUint16(d[12:], 0x0800)
	ip := d[14:]
	ip[0], ip[8], ip[9] = 0x45, 64, 6
	binary.BigEndian.PutUint16(ip[2:], uint16(40+len(payload)))
	a4, b4 := a.As4(), b.As4()
	copy(ip[12:], a4[:])
	copy(ip[16:], b4[:])
	tcp := ip[20:]
	binary.BigEndian.PutUint16(tcp[0:], ap)
	binary.BigEndian.PutUint16(tcp[2:], bp)
	binary.BigEndian.PutUint32(tcp[4:], seq)
	binary.BigEndian.PutUint32(tcp[8:], ack)
	tcp[12], tcp[13] = 5<<4, flags
	binary.BigEndian.PutUint16(tcp[14:], 65535)
	copy(tcp[20:], payload)
	return &capture.Frame{Sec: 1_700_000_000 + sec, Nsec: usec * 1000, Len: len(d), LinkType: capture.LinkEthernet, Data: d}
}

const (
	fin, syn, rst, psh, ack = 0x01, 0x02, 0x04, 0x08, 0x10
)

// writeConns writes a pcap of n connections, one after the other, a
// tenth of a second apart: handshake, "hello" one way, "world" back, FIN
// each way. Connection i is tcp.stream i.
func writeConns(t testing.TB, n int) string {
	path := filepath.Join(t.TempDir(), "conns.pcap")
	w, err := capture.Create(path, capture.LinkEthernet)
	if err != nil {
		t.Fatal(err)
	}
	c, s := netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("192.0.2.2")
	for i := 0; i < n; i++ {
		sec, us := int64(i/10), int64(i%10)*100_000
		cp := uint16(20000 + i)
		var ci, si uint32 = 1000, 5000
		for j, f := range []*capture.Frame{
			tcpFrame(sec, us, c, s, cp, 80, syn, ci, 0, ""),
			tcpFrame(sec, us+1, s, c, 80, cp, syn|ack, si, ci+1, ""),
			tcpFrame(sec, us+2, c, s, cp, 80, ack, ci+1, si+1, ""),
			tcpFrame(sec, us+3, c, s, cp, 80, psh|ack, ci+1, si+1, "hello"),
			tcpFrame(sec, us+4, s, c, 80, cp, psh|ack, si+1, ci+6, "world"),
			tcpFrame(sec, us+5, c, s, cp, 80, fin|ack, ci+6, si+6, ""),
			tcpFrame(sec, us+6, s, c, 80, cp, fin|ack, si+6, ci+7, ""),
			tcpFrame(sec, us+7, c, s, cp, 80, ack, ci+7, si+7, ""),
		} {
			_ = j
			if err := w.WriteFrame(f); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// follow runs --follow's scan of tcp.stream stream over path through a
// pipeline and returns the text and how many frames the pipeline read.
func follow(t *testing.T, path string, stream int) (string, int) {
	r, err := capture.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	pl, err := pipeline.New(pipeline.File(r), pipeline.Config{Name: r.Name()})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	p := decode.NewFollowPrinter(&out, decode.FollowASCII)
	res, err := decode.FollowPackets(context.Background(), pl, decode.ConvRef{Proto: "tcp", Stream: stream}, decode.DefaultLimits(), p.Chunk)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Close(res); err != nil {
		t.Fatal(err)
	}
	return out.String(), pl.Read()
}

// TestFollowStopsAfterConnectionEnds: following the first of 200
// connections (20 s of capture) reads its packets and a second's worth
// after its last ACK, not the whole file; and its output is the one the
// FrameSource form, which the tests of decode check, gives.
func TestFollowStopsAfterConnectionEnds(t *testing.T) {
	path := writeConns(t, 200)
	got, read := follow(t, path, 0)
	if !strings.Contains(got, "hello") || !strings.Contains(got, "world") {
		t.Errorf("follow of stream 0:\n%s\nwant hello and world", got)
	}
	// Stream 0 ends at 0.0000007 s; the reading goes on until a packet
	// more than ConvEndGrace later: connection 10's SYN at 1 s is not,
	// connection 11's at 1.1 s is. 11 connections of 8 frames and one.
	if want := 11*8 + 1; read != want {
		t.Errorf("read %d frames of %d, want %d", read, 200*8, want)
	}
	r, err := capture.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var whole bytes.Buffer
	p := decode.NewFollowPrinter(&whole, decode.FollowASCII)
	res, err := decode.Follow(context.Background(), r, decode.ConvRef{Proto: "tcp", Stream: 0}, p.Chunk)
	if err != nil {
		t.Fatal(err)
	}
	p.Close(res)
	if whole.String() != got {
		t.Errorf("pipeline follow:\n%s\nFrameSource follow:\n%s", got, whole.String())
	}
	// The last connection is followed to the end of the file.
	if _, read := follow(t, path, 199); read != 200*8 {
		t.Errorf("follow of the last stream read %d frames, want all %d", read, 200*8)
	}
}
