//go:build linux

package demos

import (
	"testing"

	"github.com/sockscope/sockscope/decode"
)

func TestPeerClose(t *testing.T) {
	if !labTest(t) {
		return
	}
	r := runDemo(t, "peer-close")
	server := wantOps(t, r, "server", "socket setsockopt bind listen accept close accept close close")
	client := wantOps(t, r, "client", "socket connect recv send send close socket connect send sendall recv close")
	if t.Failed() {
		t.FailNow()
	}

	// The server closes: recv = 0 (b'') in CLOSE-WAIT.
	eof := client[2]
	if eof.Ret != 0 || eof.Errno != "" || eof.Step != 2 || tcpState(&eof) != "CLOSE-WAIT" {
		t.Errorf("client's recv after the server's close: %s, step %d; want 0 in CLOSE-WAIT, step 2", describe(&eof), eof.Step)
	}
	if c := server[5]; c.Step != 2 || c.FD != server[4].Ret {
		t.Errorf("server's close of the connection: fd %d step %d; want fd %d in step 2", c.FD, c.Step, server[4].Ret)
	}
	// The first send succeeds, the second fails with EPIPE.
	if s := client[3]; s.Ret != len(peerCloseFirst) || s.Errno != "" || string(s.Data) != "hello" || s.Step != 3 {
		t.Errorf("first send: %s step %d; want 5", describe(&s), s.Step)
	}
	if s := client[4]; s.Ret != -1 || s.Errno != "EPIPE" || s.Step != 4 || tcpState(&s) != "UNCONN" {
		t.Errorf("second send: %s step %d; want EPIPE on a closed socket in step 4", describe(&s), s.Step)
	}
	// close() with unread data; the client's recv fails with ECONNRESET.
	if c := server[7]; c.Step != 5 || c.FD != server[6].Ret {
		t.Errorf("server's close of the second connection: fd %d step %d; want fd %d in step 5", c.FD, c.Step, server[6].Ret)
	}
	if c := client[10]; c.Errno != "ECONNRESET" || c.Ret != -1 || c.Step != 6 {
		t.Errorf("client's recv after the reset: %s step %d; want ECONNRESET in step 6", describe(&c), c.Step)
	}

	// The wire: connection 1 has the server's FIN, then the client's
	// "hello", then an RST from the server, and nothing after it.
	// Connection 2 has the request, then RST/ACK from the server, and no
	// FIN from it.
	port1, port2 := client[1].Local.Port(), client[7].Local.Port()
	if port1 == 0 || port2 == 0 || port1 == port2 {
		t.Fatalf("client ports %d and %d", port1, port2)
	}
	var fin, hello, rst1, request, rst2 wirePacket
	for _, p := range r.wire {
		if !p.IsTCP() {
			t.Errorf("frame %d is not TCP", p.Number)
			continue
		}
		switch {
		case p.SrcPort == peerClosePort && p.DstPort == port1:
			if p.TCPFlags&decode.TCPFin != 0 && fin.Number == 0 {
				fin = p
			}
			if p.TCPFlags&decode.TCPRst != 0 {
				if rst1.Number != 0 {
					t.Errorf("a second RST on connection 1: frame %d", p.Number)
				}
				rst1 = p
			}
		case p.SrcPort == port1:
			if rst1.Number != 0 {
				t.Errorf("frame %d from the client after the RST", p.Number)
			}
			if string(p.Payload) == "hello" {
				hello = p
			}
			if string(p.Payload) == "world" || p.TCPFlags&(decode.TCPFin|decode.TCPRst) != 0 {
				t.Errorf("frame %d: the client sent %q flags %#x", p.Number, p.Payload, p.TCPFlags)
			}
		case p.SrcPort == peerClosePort && p.DstPort == port2:
			if p.TCPFlags&decode.TCPFin != 0 {
				t.Errorf("frame %d: a FIN from the server on connection 2", p.Number)
			}
			if p.TCPFlags&decode.TCPRst != 0 {
				rst2 = p
			}
		case p.SrcPort == port2:
			if rst2.Number != 0 {
				t.Errorf("frame %d from the client after the RST", p.Number)
			}
			if p.PayloadLen > 0 {
				request = p
			}
		}
	}
	if fin.Number == 0 || hello.Number <= fin.Number || rst1.Number <= hello.Number {
		t.Errorf("connection 1: FIN in frame %d, hello in %d, RST in %d; want them in that order", fin.Number, hello.Number, rst1.Number)
	}
	if string(request.Payload) != string(peerCloseRequest) || rst2.Number <= request.Number ||
		rst2.TCPFlags&decode.TCPAck == 0 || rst2.Rel.Ack != uint32(len(peerCloseRequest))+1 {
		t.Errorf("connection 2: request %q in frame %d, RST in frame %d flags %#x ack %d; want RST/ACK acknowledging all %d bytes",
			request.Payload, request.Number, rst2.Number, rst2.TCPFlags, rst2.Rel.Ack, len(peerCloseRequest))
	}
	checkLessonWords(t, r)
}
