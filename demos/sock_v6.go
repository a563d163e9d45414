//go:build unix

package demos

import (
	"strconv"

	"github.com/sockscope/sockscope/demos/sockcall"
	"golang.org/x/sys/unix"
)

// SetV6Only sets IPV6_V6ONLY on an AF_INET6 socket, recorded as
// setsockopt(IPPROTO_IPV6, IPV6_V6ONLY, v): with 0 the socket is dual
// stack and takes IPv4 peers too, which it sees as ::ffff:a.b.c.d (Python:
// s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)).
func (s *Sock) SetV6Only(v int) error {
	s.mark()
	err := unix.SetsockoptInt(s.FD, unix.IPPROTO_IPV6, unix.IPV6_V6ONLY, v)
	t := s.stamp()
	s.record(t, sockcall.Call{Op: "setsockopt", Args: "IPPROTO_IPV6, IPV6_V6ONLY, " + strconv.Itoa(v)}, err, nil)
	return s.fail("setsockopt", err)
}
