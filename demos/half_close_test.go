//go:build linux

package demos

import (
	"net/netip"
	"testing"

	"github.com/sockscope/sockscope/decode"
)

func TestHalfClose(t *testing.T) {
	if !labTest(t) {
		return
	}
	r := runDemo(t, "half-close")
	client := opsHave(t, r, "client", "socket connect send sendall shutdown send recv", "recv close")
	opsHave(t, r, "server", "socket setsockopt bind listen accept recv", "recv send sendall close close")
	if t.Failed() {
		t.FailNow()
	}
	shut := callIn(t, r, "client", "shutdown", 2)
	if shut.Args != "SHUT_WR" || shut.Ret != 0 {
		t.Fatalf("shutdown(%s) = %d %s", shut.Args, shut.Ret, shut.Errno)
	}
	if more := client[5]; more.Op != "send" || more.Errno != "EPIPE" {
		t.Errorf("the send after shutdown: %s = %d %s, want EPIPE", more.Op, more.Ret, more.Errno)
	}

	// The server reads the request, then b'' in CLOSE-WAIT; answers from
	// CLOSE-WAIT.
	var request []byte
	eof := false
	for _, c := range r.of("server") {
		if c.Op != "recv" {
			continue
		}
		if c.Ret == 0 {
			eof = true
			if c.TCP == nil || c.TCP.State != "CLOSE-WAIT" {
				t.Errorf("the server's recv of b'': TCP %+v, want CLOSE-WAIT", c.TCP)
			}
			break
		}
		request = append(request, c.Data...)
	}
	if string(request) != halfCloseRequest || !eof {
		t.Errorf("the server read %q (then b'': %v), want %q then b''", request, eof, halfCloseRequest)
	}
	answer := string(halfCloseAnswer(len(halfCloseRequest)))
	if sa := callIn(t, r, "server", "sendall", 4); sa.Ret != len(answer) || sa.TCP == nil || sa.TCP.State != "CLOSE-WAIT" {
		t.Errorf("the server's sendall: %d, TCP %+v; want %d bytes in CLOSE-WAIT", sa.Ret, sa.TCP, len(answer))
	}

	// The client receives the answer after its own shutdown, in FIN-WAIT-2,
	// and then b''.
	var got []byte
	for _, c := range client {
		if c.Op == "recv" && c.Ret > 0 {
			if c.Number < shut.Number || callTime(c).Before(callTime(shut)) {
				t.Errorf("recv %d returned before the shutdown", c.Number)
			}
			if c.TCP == nil || c.TCP.State != "FIN-WAIT-2" {
				t.Errorf("the client's recv %d of the answer: TCP %+v, want FIN-WAIT-2", c.Number, c.TCP)
			}
			got = append(got, c.Data...)
		}
	}
	if string(got) != answer {
		t.Errorf("the client got %q after its shutdown, want %q", got, answer)
	}
	if last := client[len(client)-2]; last.Op != "recv" || last.Ret != 0 {
		t.Errorf("the client's last recv: %d, want b''", last.Ret)
	}

	// The wire: the client's FIN, then the server's data to the
	// FIN-WAIT-2 end from the CLOSE-WAIT end, then the server's FIN; the
	// client's end in TIME-WAIT.
	conn := callIn(t, r, "client", "connect", 1)
	cl, srv := conn.Local, netip.MustParseAddrPort(HalfCloseAddr)
	var clientFin, serverFin, data int
	for _, p := range r.wire {
		if !p.IsTCP() {
			continue
		}
		src, _ := addrOf(&p.Packet)
		switch {
		case p.TCPFlags&decode.TCPRst != 0:
			t.Errorf("RST in frame %d", p.Number)
		case p.TCPFlags&decode.TCPFin != 0 && src == cl:
			if clientFin != 0 {
				t.Errorf("a second FIN from the client in frame %d", p.Number)
			}
			clientFin = p.Number
		case p.TCPFlags&decode.TCPFin != 0 && src == srv:
			serverFin = p.Number
		case p.PayloadLen > 0 && src == srv:
			data++
			if clientFin == 0 || serverFin != 0 {
				t.Errorf("server data in frame %d: want it after the client's FIN and before the server's", p.Number)
			}
			if string(p.Payload) != answer {
				t.Errorf("frame %d carries %q", p.Number, p.Payload)
			}
			if p.Analysis.SrcState != decode.StateCloseWait || p.Analysis.DstState != decode.StateFinWait2 {
				t.Errorf("frame %d: %v → %v, want CLOSE_WAIT → FIN_WAIT_2", p.Number, p.Analysis.SrcState, p.Analysis.DstState)
			}
		}
	}
	if clientFin == 0 || serverFin == 0 || data == 0 {
		t.Errorf("client FIN frame %d, server FIN frame %d, %d answer segments", clientFin, serverFin, data)
	}
	if cs, ss := endStates(r, cl, srv), endStates(r, srv, cl); !hasState(cs, decode.StateTimeWait) || hasState(ss, decode.StateTimeWait) {
		t.Errorf("client went %v, server %v: want the client's end, not the server's, in TIME-WAIT", cs, ss)
	}
	checkLessonWords(t, r)
}
