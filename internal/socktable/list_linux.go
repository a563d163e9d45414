//go:build linux

package socktable

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// List returns every TCP, UDP and AF_UNIX socket of the network namespace
// this process runs in, in ss's order (UDP, then TCP, IPv4 before IPv6,
// then AF_UNIX), with each AF_UNIX socket's PeerPath filled in from the
// same listing. It needs no privilege.
func List() ([]Entry, error) {
	var all []Entry
	for i, r := range requests {
		reply, err := dump(r, uint32(i+1))
		if err != nil {
			return nil, err
		}
		es, done, err := Parse(reply, r.family, r.protocol)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", r, err)
		}
		if !done {
			return nil, fmt.Errorf("%s: %w: no NLMSG_DONE", r, ErrTruncated)
		}
		all = append(all, es...)
	}
	ResolvePeers(all)
	return all, nil
}

// dump sends r's request on a NETLINK_SOCK_DIAG socket of its own and
// returns the reply's bytes, every recv buffer up to and including the one
// holding NLMSG_DONE.
func dump(r request, seq uint32) ([]byte, error) {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, unix.NETLINK_SOCK_DIAG)
	if err != nil {
		return nil, os.NewSyscallError("socket(AF_NETLINK, NETLINK_SOCK_DIAG)", err)
	}
	defer unix.Close(fd)
	if err := unix.Sendto(fd, r.encode(seq), 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return nil, os.NewSyscallError("sendto(sock_diag)", err)
	}
	// A dump comes in recv buffers of up to a page or so each; 64 KiB
	// holds any of them (MSG_TRUNC would say otherwise).
	buf := make([]byte, 64<<10)
	var reply []byte
	for {
		n, _, flags, _, err := unix.Recvmsg(fd, buf, nil, 0)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, os.NewSyscallError("recvmsg(sock_diag)", err)
		}
		if flags&unix.MSG_TRUNC != 0 {
			return nil, fmt.Errorf("%s: %w: a reply longer than %d bytes", r, ErrTruncated, len(buf))
		}
		if n == 0 {
			return reply, nil
		}
		chunk := buf[:n]
		reply = append(reply, chunk...)
		if _, done, err := Parse(chunk, r.family, r.protocol); done || err != nil {
			return reply, nil // Parse reports the error again to the caller
		}
	}
}
