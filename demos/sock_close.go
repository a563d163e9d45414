//go:build linux

package demos

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"strconv"
	"time"
)

// What the lessons about closing (time-wait, half-close) observe of the
// kernel without a descriptor: a connection whose program has closed its
// socket lives on in the kernel (FIN-WAIT-2, LAST-ACK, TIME-WAIT), and no
// call can ask about it any more. Like waitTCP, these are observations
// for ordering a lesson's steps, not socket calls: nothing is recorded,
// and a lesson's words never rest on them — the wire and the calls that
// follow show what happened.

// connState returns the state, as ss names it, of this network namespace's
// TCP socket whose local port is local and whose peer's port is peer (from
// /proc/net/tcp and tcp6), and whether there is one.
func connState(local, peer uint16) (string, bool) {
	for _, name := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		b, err := os.ReadFile(name)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(bytes.NewReader(b))
		sc.Scan() // header
		for sc.Scan() {
			// sl local_address rem_address st …; addresses are HEX:PORT
			f := bytes.Fields(sc.Bytes())
			if len(f) < 4 {
				continue
			}
			if hexPort(f[1]) != int(local) || hexPort(f[2]) != int(peer) {
				continue
			}
			st, err := strconv.ParseUint(string(f[3]), 16, 8)
			if err != nil {
				continue
			}
			return TCPStateName(uint8(st)), true
		}
	}
	return "", false
}

// hexPort is the port of a /proc/net/tcp address ("0100007F:1B72"), -1
// if it has none.
func hexPort(addr []byte) int {
	i := bytes.LastIndexByte(addr, ':')
	if i < 0 {
		return -1
	}
	p, err := strconv.ParseUint(string(addr[i+1:]), 16, 16)
	if err != nil {
		return -1
	}
	return int(p)
}

// waitConn polls the state of the connection between local and peer
// (ports, as connState takes them) every millisecond until ok says so,
// for at most limit: ok gets the state and false when the kernel has no
// such socket (any more). At the limit it returns nil; ctx's error if ctx
// is done first.
func waitConn(ctx context.Context, local, peer uint16, limit time.Duration, ok func(state string, exists bool) bool) error {
	_, err := observe(ctx, limit, time.Millisecond, func() bool { return ok(connState(local, peer)) })
	return err
}
