//go:build unix

package demos

import (
	"net/netip"

	"github.com/sockscope/sockscope/demos/sockcall"
	"golang.org/x/sys/unix"
)

// What the tutorials print about a socket: its own address and its peer's.
// Each is a recorded call, like the wrappers in sock.go; the address the
// kernel fills in is shown as the call's out-argument ("addr → …").

// Getsockname asks the kernel for the socket's own address:
// getsockname(fd, addr), Python's s.getsockname(). After connect on a
// socket that never called bind, this is the ephemeral port the kernel
// picked. The call's Local is the address.
func (s *Sock) Getsockname() (netip.AddrPort, error) {
	return s.askName("getsockname", unix.Getsockname)
}

// Getpeername asks for the connected peer's address: getpeername(fd, addr),
// Python's conn.getpeername() (the addr that accept returned). The call's
// Peer is the address.
func (s *Sock) Getpeername() (netip.AddrPort, error) {
	return s.askName("getpeername", unix.Getpeername)
}

func (s *Sock) askName(op string, ask func(fd int) (unix.Sockaddr, error)) (netip.AddrPort, error) {
	s.mark()
	sa, err := ask(s.FD)
	t := s.stamp()
	var addr netip.AddrPort
	args := "addr"
	if err == nil {
		addr = addrPort(sa)
		args = "addr → " + addr.String()
	}
	s.record(t, sockcall.Call{Op: op, Args: args}, err, nil)
	return addr, s.fail(op, err)
}
