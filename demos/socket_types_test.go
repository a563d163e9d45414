//go:build linux

package demos

import (
	"bytes"
	"encoding/binary"
	"errors"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/sockscope/sockscope/decode"
	"github.com/sockscope/sockscope/demos/sockcall"

	"golang.org/x/net/dns/dnsmessage"
	"golang.org/x/sys/unix"
)

func TestSocketTypes(t *testing.T) {
	if !labTest(t) {
		return
	}
	r := runDemo(t, "socket-types")
	server := wantOps(t, r, "server", "socket bind listen accept recv recv recv recv close close")
	client := wantOps(t, r, "client", "socket connect send send send close")
	pinger := r.of("pinger")
	if t.Failed() {
		t.FailNow()
	}

	// SOCK_SEQPACKET: one recv per send, then b''.
	if server[0].Args != "AF_UNIX, SOCK_SEQPACKET" || client[0].Args != "AF_UNIX, SOCK_SEQPACKET" {
		t.Errorf("sockets: %q, %q", server[0].Args, client[0].Args)
	}
	for i, m := range EchoMessages {
		if s := client[2+i]; s.Ret != len(m) || string(s.Data) != m {
			t.Errorf("send %d: %s", i+1, describe(&s))
		}
		if c := server[4+i]; c.Len != 1024 || c.Ret != len(m) || string(c.Data) != m {
			t.Errorf("recv %d: %s; want %q alone", i+1, describe(&c), m)
		}
	}
	if c := server[7]; c.Ret != 0 || c.Step != 3 {
		t.Errorf("last recv: %s step %d; want b'' in step 3", describe(&c), c.Step)
	}

	// SOCK_RAW: the echo request sent, its reply read back.
	if got := ops(pinger); len(pinger) < 4 || ops(pinger[:2]) != "socket sendto" || pinger[len(pinger)-1].Op != "close" {
		t.Fatalf("pinger calls: %s", got)
	}
	if c := pinger[0]; c.Args != "AF_INET, SOCK_RAW, IPPROTO_ICMP" || c.Ret < 0 {
		t.Fatalf("raw socket: %s", describe(&c))
	}
	req := icmpEcho(rawEchoID, rawEchoSeq, rawEchoPayload)
	if inetChecksum(req) != 0 {
		t.Errorf("the request's checksum does not verify: %x", req)
	}
	if c := pinger[1]; c.Ret != len(req) || !bytes.Equal(c.Data, req) {
		t.Errorf("sendto: %s", describe(&c))
	}
	reads := pinger[2 : len(pinger)-1]
	last := reads[len(reads)-1]
	m := icmpOf(last.Data)
	if last.Op != "recvfrom" || m == nil || m[0] != 0 || binary.BigEndian.Uint16(m[4:]) != rawEchoID || !bytes.Equal(m[8:], rawEchoPayload) || inetChecksum(m) != 0 {
		t.Errorf("the last read is not the echo reply: %s %x", describe(&last), last.Data)
	}
	if last.Peer != netip.MustParseAddrPort("127.0.0.1:0") {
		t.Errorf("reply from %v", last.Peer)
	}

	// The wire: the echo request and reply (AF_UNIX puts nothing there),
	// then the DNS query and answer (the hosts file puts nothing there).
	var frames []wirePacket
	for _, p := range r.wire {
		if p.IsUDP() && p.DstPort == 9999 {
			continue // the test's sentinel
		}
		frames = append(frames, p)
	}
	if len(frames) != 4 {
		t.Fatalf("%d frames, want the echo request and reply, the DNS query and answer:\n%s", len(frames), r.timeline())
	}
	for i, want := range []uint8{8, 0} {
		p := frames[i]
		if !p.Has(decode.LayerICMPv4) || p.ICMPType != want || p.ICMPCode != 0 || p.IPProto != 1 {
			t.Errorf("frame %d: ICMP %v type %d code %d proto %d; want type %d", p.Number, p.Has(decode.LayerICMPv4), p.ICMPType, p.ICMPCode, p.IPProto, want)
		}
	}
	testNameResolution(t, r, frames[2], frames[3])
	checkLessonWords(t, r)
}

// testNameResolution: gethostname and gethostbyname('localhost') put
// nothing on the wire; gethostbyname('echo.sockscope.test') is one DNS
// query from the app's ephemeral port to 127.0.0.53:53 and one answer,
// A 127.0.0.1, back.
func testNameResolution(t *testing.T, r *result, query, answer wirePacket) {
	t.Helper()
	app := wantOps(t, r, "app", "gethostname gethostbyname socket connect send recvfrom close gethostbyname")
	res := wantOps(t, r, "resolver", "socket bind recvfrom sendto close")
	if t.Failed() {
		t.FailNow()
	}
	during := func(c sockcall.Call) (n []int) {
		for _, p := range r.wire {
			if !p.time().Before(time.Unix(c.StartSec, c.StartNsec)) && !p.time().After(callTime(c)) {
				n = append(n, p.Number)
			}
		}
		return n
	}

	// gethostname: the kernel's node name, no socket, no frame.
	var u unix.Utsname
	unix.Uname(&u)
	if c := app[0]; c.Ret != 0 || c.FD != -1 || string(c.Data) != unix.ByteSliceToString(u.Nodename[:]) || c.Step != 6 || len(during(c)) != 0 {
		t.Errorf("gethostname: %s data %q step %d, frames during it %v", describe(&c), c.Data, c.Step, during(c))
	}

	// gethostbyname('localhost'): /etc/hosts, no frame while it ran.
	local := app[1]
	wantAddr, wantLine, err := hostsLookup(HostsFile, "localhost")
	switch {
	case err == nil:
		if local.Ret != 0 || string(local.Data) != wantAddr.String() || local.Len != wantLine || local.Path != HostsFile {
			t.Errorf("gethostbyname('localhost'): %s data %q line %d path %q; want %v from line %d of %s", describe(&local), local.Data, local.Len, local.Path, wantAddr, wantLine, HostsFile)
		}
	case errors.Is(err, errNoName):
		if local.Ret != -1 || local.Errno != "EAI_NONAME" {
			t.Errorf("gethostbyname('localhost') with no hosts line for it: %s", describe(&local))
		}
	default:
		t.Fatalf("reading %s: %v", HostsFile, err)
	}
	if local.FD != -1 || local.Step != 7 || local.Args[:len("'localhost'")] != "'localhost'" {
		t.Errorf("gethostbyname('localhost'): fd %d step %d args %q", local.FD, local.Step, local.Args)
	}
	if n := during(local); len(n) != 0 {
		t.Errorf("frames %v were captured during gethostbyname('localhost') (%v to %v):\n%s", n, time.Unix(local.StartSec, local.StartNsec), callTime(local), r.timeline())
	}
	if b, rr := res[1], res[2]; !callTime(b).Before(time.Unix(local.StartSec, local.StartNsec)) || !callTime(rr).After(callTime(local)) || rr.Step != 8 {
		t.Errorf("the resolver should be bound before the hosts lookup and get nothing until the next step: %s, %s step %d", describe(&b), describe(&rr), rr.Step)
	}

	// The resolver binds 127.0.0.53:53.
	server := netip.MustParseAddrPort(resolverAddr)
	if c := res[1]; c.Ret != 0 || c.Local != server {
		t.Errorf("resolver bind: %s local %v", describe(&c), c.Local)
	}

	// The DNS lookup: its inner calls, the query and the answer.
	sock, conn, send, recv, cl, lookup := app[2], app[3], app[4], app[5], app[6], app[7]
	if want := []int{sock.Number, conn.Number, send.Number, recv.Number, cl.Number}; !slices.Equal(lookup.Inner, want) {
		t.Errorf("the lookup's inner calls: %v, want %v", lookup.Inner, want)
	}
	if lookup.Ret != 0 || string(lookup.Data) != "127.0.0.1" || lookup.Args != "'echo.sockscope.test' → '127.0.0.1'" || lookup.FD != -1 || lookup.Step != 8 {
		t.Errorf("the lookup: %s data %q", describe(&lookup), lookup.Data)
	}
	if sock.Args != "AF_INET, SOCK_DGRAM" || conn.Ret != 0 || conn.Peer != server || conn.Local.Port() == 0 {
		t.Errorf("the lookup's socket and connect: %s; %s local %v", describe(&sock), describe(&conn), conn.Local)
	}
	client := conn.Local

	// The query: from the app's ephemeral port to 127.0.0.53:53, one
	// question, A echo.sockscope.test, the bytes send sent and the
	// resolver read.
	src, dst := addrOf(&query.Packet)
	if !query.IsUDP() || src != client || dst != server || !bytes.Equal(query.Payload, send.Data) || !bytes.Equal(res[2].Data, send.Data) || res[2].Peer != client {
		t.Errorf("the query: frame %d %v → %v %q; send %q; resolver's recvfrom %q from %v", query.Number, src, dst, query.Payload, send.Data, res[2].Data, res[2].Peer)
	}
	q, err := parseDNSMsg(query.Payload)
	if err != nil {
		t.Fatalf("the query frame: %v", err)
	}
	if !q.isQueryFor(resolvedName) || !q.RD || q.AnswerCount+q.NSCount+q.ARCount != 0 || q.Questions[0].Name.String() != "echo.sockscope.test." || q.Questions[0].Type != dnsmessage.TypeA {
		t.Errorf("the query: %+v", q)
	}
	if !query.Has(decode.LayerDNS) || query.DNS.QR || query.DNS.ID != q.ID || query.DNS.QDCount != 1 || query.DNS.QType != 1 {
		t.Errorf("the decoder's summary of the query: layers %v %+v", query.Has(decode.LayerDNS), query.DNS)
	}

	// The answer: back from 127.0.0.53:53, the same id, A 127.0.0.1.
	src, dst = addrOf(&answer.Packet)
	if !answer.IsUDP() || src != server || dst != client || !bytes.Equal(answer.Payload, res[3].Data) || !bytes.Equal(recv.Data, res[3].Data) || recv.Peer != server {
		t.Errorf("the answer: frame %d %v → %v %q; resolver's sendto %q; app's recvfrom %q from %v", answer.Number, src, dst, answer.Payload, res[3].Data, recv.Data, recv.Peer)
	}
	a, err := parseDNSMsg(answer.Payload)
	if err != nil {
		t.Fatalf("the answer frame: %v", err)
	}
	rr, ok := a.answerFor(q.ID, resolvedName)
	if !ok || a.AnswerCount != 1 || !a.AA || rr.Addr != netip.MustParseAddr("127.0.0.1") || rr.TTL != resolvedTTL {
		t.Errorf("the answer: %+v", a)
	}
	if !answer.Has(decode.LayerDNS) || !answer.DNS.QR || answer.DNS.ID != q.ID || answer.DNS.ANCount != 1 || answer.DNS.RCode != 0 {
		t.Errorf("the decoder's summary of the answer: layers %v %+v", answer.Has(decode.LayerDNS), answer.DNS)
	}
	if cl.Ret != 0 || res[4].Ret != 0 {
		t.Errorf("closes: %s, %s", describe(&cl), describe(&res[4]))
	}
}
