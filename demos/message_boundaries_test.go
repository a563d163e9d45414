//go:build linux

package demos

import (
	"encoding/binary"
	"testing"
)

func TestMessageBoundaries(t *testing.T) {
	if !labTest(t) {
		return
	}
	r := runDemo(t, "message-boundaries")
	server := wantOps(t, r, "server", "socket setsockopt bind listen accept recv recv recv recv recv recv recv recv recv recv recv send sendall send sendall recv close close")
	client := wantOps(t, r, "client", "socket connect send send send send sendall send sendall send send recv readline readline close")
	receiver := wantOps(t, r, "receiver", "socket bind recvfrom recvfrom recvfrom close")
	wantOps(t, r, "sender", "socket sendto sendto sendto close")
	if t.Failed() {
		t.FailNow()
	}
	type ret struct {
		n    int
		data string
	}
	check := func(what string, calls []ret, from []int) {
		t.Helper()
		for i, k := range from {
			c := server[k]
			if c.Ret != calls[i].n || string(c.Data) != calls[i].data {
				t.Errorf("%s: recv %d (%s) = %d %q; want %d %q", what, i+1, c.Args, c.Ret, c.Data, calls[i].n, calls[i].data)
			}
		}
	}
	// One send of 10 bytes, read by recv(4) three times: 4, 4, 2.
	if c := client[2]; c.Ret != 10 {
		t.Errorf("client send: %d", c.Ret)
	}
	check("one send, recv(4) × 3", []ret{{4, "0123"}, {4, "4567"}, {2, "89"}}, []int{5, 6, 7})
	for _, k := range []int{5, 6, 7} {
		if server[k].Len != 4 {
			t.Errorf("recv %d asks for %d bytes", server[k].Number, server[k].Len)
		}
	}
	// Two sends, one recv.
	check("two sends, one recv", []ret{{10, "helloworld"}}, []int{8})
	// The length prefix, read exactly: 4, 3 (short), 2, 4, 13.
	m1 := binary.BigEndian.AppendUint32(nil, 13)
	check("length prefix", []ret{{4, "\x00\x00\x00\x05"}, {3, "hel"}, {2, "lo"}, {4, string(m1)}, {13, "你好, world"}}, []int{9, 10, 11, 12, 13})
	// Lines: a partial line, then the rest and a second line, then b''.
	check("delimiter", []ret{{8, "first li"}, {15, "ne\nsecond line\n"}, {0, ""}}, []int{14, 15, 20})
	// The answers through makefile('rb'): the first readline's one
	// recv(8192) takes both lines, the second readline makes no call.
	rc, rl1, rl2 := client[11], client[12], client[13]
	if rc.Ret != 31 || rc.Len != FileBufSize || string(rc.Data) != "ok: first line\nok: second line\n" {
		t.Errorf("the client's recv under readline: %d %q (asked %d)", rc.Ret, rc.Data, rc.Len)
	}
	if string(rl1.Data) != "ok: first line\n" || rl1.Ret != 15 || len(rl1.Inner) != 1 || rl1.Inner[0] != rc.Number {
		t.Errorf("first readline: %d %q inner %v; want the line from recv #%d", rl1.Ret, rl1.Data, rl1.Inner, rc.Number)
	}
	if string(rl2.Data) != "ok: second line\n" || rl2.Ret != 16 || len(rl2.Inner) != 0 {
		t.Errorf("second readline: %d %q inner %v; want the buffered line and no call", rl2.Ret, rl2.Data, rl2.Inner)
	}
	var answered []byte
	for _, p := range r.wire {
		if p.IsTCP() && p.SrcPort == 7014 && p.PayloadLen > 0 {
			answered = append(answered, p.Payload...)
		}
	}
	if string(answered) != "ok: first line\nok: second line\n" {
		t.Errorf("the server's answers on the wire: %q", answered)
	}

	// UDP: recvfrom(4) keeps 4 bytes of 10; MSG_TRUNC reports 10 with 4
	// bytes of data; the next call gets the next datagram whole.
	if c := receiver[2]; c.Ret != 4 || string(c.Data) != "0123" {
		t.Errorf("recvfrom(4) = %d %q", c.Ret, c.Data)
	}
	if c := receiver[3]; c.Ret != 10 || len(c.Data) != 4 || string(c.Data) != "abcd" || c.Flags != "MSG_TRUNC" {
		t.Errorf("recvfrom(4, MSG_TRUNC) = %d %q flags %q; want 10 with 4 bytes of data", c.Ret, c.Data, c.Flags)
	}
	if c := receiver[4]; c.Ret != 10 || string(c.Data) != "ABCDEFGHIJ" {
		t.Errorf("recvfrom(1024) = %d %q", c.Ret, c.Data)
	}
	grams := 0
	for _, p := range r.wire {
		if p.IsUDP() && p.DstPort == boundariesUDPPort {
			grams++
			if p.PayloadLen != 10 {
				t.Errorf("datagram in frame %d: %d bytes", p.Number, p.PayloadLen)
			}
		}
	}
	if grams != 3 {
		t.Errorf("%d datagrams on the wire, want 3", grams)
	}
	checkLessonWords(t, r)
}
