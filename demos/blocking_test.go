//go:build linux

package demos

import (
	"testing"
	"time"

	"github.com/sockscope/sockscope/decode"
)

func TestBlocking(t *testing.T) {
	if !labTest(t) {
		return
	}
	r := runDemo(t, "blocking")
	checkCommon(t, r)
	client := wantOps(t, r, "client",
		"socket connect recv fcntl recv fcntl setsockopt recv close "+
			"socket fcntl connect poll getsockopt close socket fcntl connect poll getsockopt close")
	wantOps(t, r, "server", "socket setsockopt bind listen accept send close close socket setsockopt bind listen accept recv close close")
	if t.Failed() {
		t.FailNow()
	}

	// Step 1: the blocking recv began before the server's send and
	// returned its bytes after waiting.
	rc, send := client[2], callIn(t, r, "server", "send", 1)
	if rc.Ret != 5 || string(rc.Data) != "hello" || !rc.Waited || rc.Step != 1 {
		t.Errorf("blocking recv: %s waited %v step %d", describe(&rc), rc.Waited, rc.Step)
	}
	if w := callTime(rc).Sub(time.Unix(rc.StartSec, rc.StartNsec)); !time.Unix(rc.StartSec, rc.StartNsec).Before(time.Unix(send.StartSec, send.StartNsec)) || w < blockingDelay/2 {
		t.Errorf("blocking recv waited %v and began after the send", w)
	}

	// Step 2: EAGAIN at once.
	if c := client[4]; c.Errno != "EAGAIN" || !c.Nonblocking || c.Waited || c.Step != 2 || errnoNumber(c.Errno) != 11 {
		t.Errorf("non-blocking recv: %s nonblocking %v waited %v", describe(&c), c.Nonblocking, c.Waited)
	}
	// Step 3: SO_RCVTIMEO, then EAGAIN after at least 0.5 s.
	if c := client[6]; c.Args != "SOL_SOCKET, SO_RCVTIMEO, 0.5 s" || c.Ret != 0 {
		t.Errorf("setsockopt: %s", describe(&c))
	}
	c := client[7]
	if took := callTime(c).Sub(time.Unix(c.StartSec, c.StartNsec)); c.Errno != "EAGAIN" || took < 500*time.Millisecond || took > 2*time.Second || c.Nonblocking || c.Step != 3 {
		t.Errorf("recv with a timeout: %s after %v", describe(&c), took)
	}

	// Steps 4 and 5: EINPROGRESS, poll, SO_ERROR 0 and 111.
	for _, part := range []struct {
		at    int
		addr  string
		poll  string
		soerr int
	}{{11, BlockingConnectAddr, "POLLOUT", 0}, {17, BlockingClosedAddr, "POLLOUT|POLLERR|POLLHUP", 111}} {
		conn, poll, soerr := client[part.at], client[part.at+1], client[part.at+2]
		if conn.Args != part.addr || conn.Errno != "EINPROGRESS" || conn.Ret != -1 || errnoNumber(conn.Errno) != 115 {
			t.Errorf("non-blocking connect: %s", describe(&conn))
		}
		if poll.Ret != 1 || poll.Flags != part.poll {
			t.Errorf("poll: %s revents %q, want 1 %s", describe(&poll), poll.Flags, part.poll)
		}
		if soerr.Args != "SOL_SOCKET, SO_ERROR" || soerr.Ret != part.soerr {
			t.Errorf("SO_ERROR: %s, want %d", describe(&soerr), part.soerr)
		}
	}

	// The wire: the handshake to 7032 completes, the SYN to 7034 draws
	// RST/ACK; nothing at all in steps 2 and 3 but the close.
	var synAck, rstAck bool
	for _, p := range r.wire {
		if !p.IsTCP() {
			continue
		}
		if p.SrcPort == portOf(BlockingConnectAddr) && p.TCPFlags == decode.TCPSyn|decode.TCPAck {
			synAck = true
		}
		if p.SrcPort == portOf(BlockingClosedAddr) && p.TCPFlags == decode.TCPRst|decode.TCPAck {
			rstAck = true
		}
		if at := p.time(); at.After(callTime(client[3])) && at.Before(callTime(client[7])) {
			t.Errorf("frame %d between setblocking(False) and the timed-out recv", p.Number)
		}
	}
	if !synAck || !rstAck {
		t.Errorf("SYN/ACK from 7032 %v, RST/ACK from 7034 %v", synAck, rstAck)
	}
	checkLessonWords(t, r)
}
