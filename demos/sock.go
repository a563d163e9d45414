//go:build unix

package demos

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/sockscope/sockscope/demos/sockcall"
	"golang.org/x/sys/unix"
)

// Sock is one kernel socket of one demo endpoint, driven through thin
// wrappers named after the BSD calls (and Python's socket module) so that a
// demo reads like the tutorials:
//
//	s := env.NewSock(ctx, "server")
//	s.Socket(unix.AF_INET, unix.SOCK_STREAM, 0) // socket.socket(AF_INET, SOCK_STREAM)
//	s.Setsockopt(unix.SOL_SOCKET, unix.SO_REUSEADDR, 1)
//	s.Bind("127.0.0.1:7001")
//	s.Listen(5)
//	conn, addr, err := s.Accept()
//	data, err := conn.Recv(1024)
//
// Each method makes the real system call and then records a sockcall.Call:
// the time it returned, the result or the error's name, a copy of the bytes,
// the socket's addresses and, right after the call, its buffers and TCP
// state:
//
//   - SendQ is ioctl SIOCOUTQ and RecvQ is ioctl SIOCINQ. For TCP they are
//     bytes sent and not yet acknowledged, and bytes received and not yet
//     read. For UDP, SIOCINQ is the size of the next datagram waiting (not
//     the total) and SIOCOUTQ the bytes not yet handed to the device. For
//     AF_UNIX stream sockets SIOCINQ is bytes waiting to be read and
//     SIOCOUTQ the kernel memory (not bytes) of the messages this socket
//     sent that the peer has not read yet.
//   - A listening TCP socket has no byte queues; like `ss -lnt`, its RecvQ
//     is the accept queue (connections ready for accept) and its SendQ the
//     backlog given to listen. A listening AF_UNIX socket reports -1 for
//     both. After Close both are -1 (there is no socket left to ask).
//   - TCP is TCP_INFO for TCP sockets.
//   - An accept call is recorded on the listening socket (FD) with the new
//     descriptor as Ret; its Local, Peer, queues and TCP describe the new
//     connection (so bytes that arrived before accept show as its RecvQ).
//
// A blocking call (accept, recv, recvfrom, send, sendto) first waits for the
// socket to be ready with poll in 50 ms slices, so it returns with the
// context's error soon after the context is cancelled; the poll is not
// recorded. A Sock is used by one goroutine at a time.
type Sock struct {
	// Endpoint names whoever uses the socket in the recorded calls:
	// "client", "server", "receiver-2". A socket returned by Accept takes
	// its listener's name; HandTo gives the connection to someone else (a
	// per-client handler). Read it freely from the socket's own goroutine;
	// change it only through HandTo (the lesson's samples read it).
	Endpoint string
	// FD is the file descriptor, -1 before Socket and after Close.
	FD int

	env        *Env
	ctx        context.Context
	family     int
	proto      string    // "tcp", "udp" or "unix"
	start      time.Time // when the call in progress began
	startStep  int       // and the step in force then
	listening  bool
	nonblock   bool // O_NONBLOCK is set (SetBlocking(false))
	last       int  // the number of the latest send or recv recorded (for Sendall, Readline)
	lastWaited bool // and whether it waited
	recorded   int  // the number of the latest call recorded (for gethostbyname's inner calls)
}

// NewSock returns an endpoint's socket handle; call Socket to create the
// kernel socket. Blocking calls on it give up when ctx is done.
func (e *Env) NewSock(ctx context.Context, endpoint string) *Sock {
	return &Sock{Endpoint: endpoint, FD: -1, env: e, ctx: ctx}
}

// SockError is the error of a socket call: the endpoint, the call and the
// errno (or the context's error when the call was abandoned before it was
// made).
type SockError struct {
	Endpoint, Op string
	Err          error
}

func (e *SockError) Error() string {
	var errno unix.Errno
	if errors.As(e.Err, &errno) {
		return fmt.Sprintf("%s: %s: %s (%v)", e.Endpoint, e.Op, unix.ErrnoName(errno), e.Err)
	}
	return fmt.Sprintf("%s: %s: %v", e.Endpoint, e.Op, e.Err)
}

func (e *SockError) Unwrap() error { return e.Err }

func (s *Sock) fail(op string, err error) error {
	if err == nil {
		return nil
	}
	return &SockError{Endpoint: s.Endpoint, Op: op, Err: err}
}

// Socket creates the kernel socket: socket(family, type, proto), Python's
// socket.socket(family, type). The socket is blocking, as in the tutorials
// (it is also close-on-exec, which the recorded arguments leave out).
func (s *Sock) Socket(family, sotype, proto int) error {
	s.mark()
	if s.FD >= 0 {
		return s.fail("socket", errors.New("socket already created"))
	}
	fd, err := sysSocket(family, sotype, proto)
	t := s.stamp()
	s.family = family
	switch {
	case family == unix.AF_UNIX:
		s.proto = "unix"
	case sotype == unix.SOCK_STREAM:
		s.proto = "tcp"
	case sotype == unix.SOCK_DGRAM:
		s.proto = "udp"
	}
	args := sockcall.FamilyName(family) + ", " + sockcall.TypeName(sotype)
	if proto != 0 {
		args += ", " + strconv.Itoa(proto)
	}
	c := sockcall.Call{Op: "socket", Args: args, Ret: fd}
	if err == nil {
		s.FD = fd
		c.FD = fd
		s.env.register(s)
	}
	s.record(t, c, err, nil)
	return s.fail("socket", err)
}

// Setsockopt sets an integer option: setsockopt(level, opt, value).
func (s *Sock) Setsockopt(level, opt, value int) error {
	s.mark()
	err := unix.SetsockoptInt(s.FD, level, opt, value)
	t := s.stamp()
	s.record(t, sockcall.Call{Op: "setsockopt", Args: sockcall.OptName(level, opt) + ", " + strconv.Itoa(value)}, err, nil)
	return s.fail("setsockopt", err)
}

// Bind gives the socket its local address: "127.0.0.1:7001" (AF_INET,
// AF_INET6) or a file path (AF_UNIX). Python: s.bind(("127.0.0.1", 7001)).
func (s *Sock) Bind(addr string) error {
	s.mark()
	sa, err := s.sockaddr(addr)
	if err != nil {
		return s.fail("bind", err)
	}
	err = unix.Bind(s.FD, sa)
	t := s.stamp()
	s.record(t, sockcall.Call{Op: "bind", Args: addr}, err, nil)
	return s.fail("bind", err)
}

// Listen makes the socket a listening one with room for backlog
// connections waiting to be accepted.
func (s *Sock) Listen(backlog int) error {
	s.mark()
	err := unix.Listen(s.FD, backlog)
	t := s.stamp()
	if err == nil {
		s.env.kmu.Lock() // the lesson's samples read it
		s.listening = true
		s.env.kmu.Unlock()
	}
	s.record(t, sockcall.Call{Op: "listen", Args: strconv.Itoa(backlog)}, err, nil)
	return s.fail("listen", err)
}

// Accept waits for a connection and returns its new socket and the peer's
// address, like Python's conn, addr = s.accept(). The recorded call is the
// listener's (FD); Ret is the new socket's descriptor, and the addresses,
// queues and TCP state are the new connection's.
func (s *Sock) Accept() (*Sock, string, error) {
	s.mark()
	s.announce("accept", "", "")
	var nfd int
	var err, werr error
	waited := sleptDuring(func() {
		if werr = s.wait(unix.POLLIN); werr != nil {
			return
		}
		for {
			nfd, err = sysAccept(s.FD)
			if err != unix.EINTR {
				break
			}
		}
	})
	if werr != nil {
		return nil, "", s.fail("accept", werr)
	}
	t := s.stamp()
	c := sockcall.Call{Op: "accept", Ret: nfd, Waited: waited}
	if err != nil {
		s.record(t, c, err, nil)
		return nil, "", s.fail("accept", err)
	}
	conn := &Sock{Endpoint: s.Endpoint, FD: nfd, env: s.env, ctx: s.ctx, family: s.family, proto: s.proto}
	s.env.register(conn)
	c.FD = s.FD
	conn.record(t, c, nil, nil) // the new connection's names and state
	_, peer, path := conn.names()
	addr := path
	if peer.IsValid() {
		addr = peer.String()
	}
	return conn, addr, nil
}

// announce tells the lesson that a call which may wait was just made (at
// s.start): the views show it waiting until it returns.
func (s *Sock) announce(op, args string, peer string) {
	if s.env.OnStart == nil {
		return
	}
	c := sockcall.Call{Endpoint: s.Endpoint, FD: s.FD, Op: op, Args: args, Proto: s.proto,
		StartSec: s.start.Unix(), StartNsec: int64(s.start.Nanosecond())}
	if peer != "" {
		if ap, err := netip.ParseAddrPort(peer); err == nil {
			c.Peer = ap
		} else {
			c.Path = peer
		}
	}
	s.env.started(c)
}

// HandTo gives the socket to another endpoint (a handler thread): its
// calls from now on are recorded under that name.
func (s *Sock) HandTo(endpoint string) {
	s.env.kmu.Lock()
	defer s.env.kmu.Unlock()
	s.Endpoint = endpoint
}

// Connect connects to addr ("127.0.0.1:7001" or an AF_UNIX path). For TCP
// it returns when the three-way handshake is done (or refused). If ctx is
// cancelled meanwhile, the socket is shut down to wake it.
func (s *Sock) Connect(addr string) error {
	s.mark()
	sa, err := s.sockaddr(addr)
	if err != nil {
		return s.fail("connect", err)
	}
	if err := s.ctx.Err(); err != nil {
		return s.fail("connect", err)
	}
	s.announce("connect", addr, addr)
	stop := s.wakeOnCancel()
	waited := sleptDuring(func() { err = unix.Connect(s.FD, sa) })
	t := s.stamp()
	stop()
	s.record(t, sockcall.Call{Op: "connect", Args: addr, Waited: waited}, err, nil)
	return s.fail("connect", err)
}

// Send hands data to the kernel: send(fd, data, 0), with MSG_NOSIGNAL so
// that a peer that has gone gives EPIPE rather than a signal, as in Python.
// It returns how many bytes the kernel took, which may be fewer than
// len(data) (on a non-blocking socket; a blocking one waits for room).
func (s *Sock) Send(data []byte) (int, error) {
	return s.sendto("send", data, nil, "", 0)
}

// SendFlags is send(fd, data, flags): unix.MSG_DONTWAIT makes this one
// call non-blocking (Python: s.send(data, socket.MSG_DONTWAIT)).
func (s *Sock) SendFlags(data []byte, flags int) (int, error) {
	return s.sendto("send", data, nil, "", flags)
}

// Sendall sends all of data, like Python's sendall: it calls send until
// every byte is in the send buffer, waiting for room as needed. It is
// recorded as one "sendall" call whose Inner are the send calls it made
// (each recorded too); its Ret is the bytes sent.
func (s *Sock) Sendall(data []byte) error {
	s.mark()
	start, startStep := s.start, s.startStep
	if !s.nonblock {
		s.announce("sendall", quote(data), "")
	}
	var inner []int
	total := 0
	var err error
	waited := false
	for total < len(data) {
		var n int
		n, err = s.Send(data[total:])
		if s.last != 0 {
			inner = append(inner, s.last)
			waited = waited || s.lastWaited
		}
		if err != nil {
			break
		}
		total += n
	}
	s.start, s.startStep = start, startStep
	t := s.stamp()
	c := sockcall.Call{Op: "sendall", Args: quote(data), Len: len(data), Ret: total, Inner: inner, Waited: waited}
	s.record(t, c, err, nil)
	return err
}

// Sendto sends one datagram to addr: sendto(fd, data, 0, addr), Python's
// s.sendto(data, ("127.0.0.1", 7004)).
func (s *Sock) Sendto(data []byte, addr string) (int, error) {
	sa, err := s.sockaddr(addr)
	if err != nil {
		return 0, s.fail("sendto", err)
	}
	return s.sendto("sendto", data, sa, addr, 0)
}

func (s *Sock) sendto(op string, data []byte, sa unix.Sockaddr, addr string, flags int) (int, error) {
	s.mark()
	s.last = 0
	nonblocking := s.nonblock || flags&unix.MSG_DONTWAIT != 0
	if !nonblocking {
		args := quote(data)
		if addr != "" {
			args += ", " + addr
		}
		s.announce(op, args, addr)
	}
	// A blocking send of more than there is room for waits inside the
	// kernel; a cancelled lesson wakes it by shutting the socket down.
	var n int
	var err, werr error
	waited := sleptDuring(func() {
		if !nonblocking {
			if werr = s.wait(unix.POLLOUT); werr != nil {
				return
			}
			stop := s.wakeOnCancel()
			defer stop()
		}
		for {
			n, err = unix.SendmsgN(s.FD, data, nil, sa, sendFlags|flags)
			if err != unix.EINTR {
				break
			}
		}
	})
	if werr != nil {
		return 0, s.fail(op, werr)
	}
	t := s.stamp()
	args := quote(data)
	if addr != "" {
		args += ", " + addr
	}
	if flags != 0 {
		args += ", " + sockcall.MsgFlagNames(flags)
	}
	c := sockcall.Call{Op: op, Args: args, Len: len(data), Ret: n, Flags: sockcall.MsgFlagNames(flags), Nonblocking: nonblocking, Waited: waited}
	if err == nil {
		c.Data = append([]byte(nil), data[:n]...)
	}
	var peer *sockcall.Call
	if sa != nil {
		c.Peer = addrPort(sa)
		peer = &c
	}
	s.record(t, c, err, peer)
	s.last, s.lastWaited = t.n, waited
	return n, s.fail(op, err)
}

// Recv waits for data and returns what one recv(fd, buf, bufsize, 0) call
// read: at most bufsize bytes, and an empty slice when the peer has closed
// its side (Python: data = conn.recv(1024); if not data: break).
func (s *Sock) Recv(bufsize int) ([]byte, error) {
	data, _, _, err := s.recvfrom("recv", bufsize, 0)
	return data, err
}

// RecvFlags is recv(fd, buf, bufsize, flags). With unix.MSG_DONTWAIT it
// does not wait (EAGAIN when nothing is there); with unix.MSG_TRUNC on a
// datagram socket it returns the datagram's real length, which may be more
// than the bytes it kept (n > len(data)).
func (s *Sock) RecvFlags(bufsize, flags int) (data []byte, n int, err error) {
	data, _, n, err = s.recvfrom("recv", bufsize, flags)
	return data, n, err
}

// Recvfrom waits for one datagram and returns it (cut to bufsize) and the
// sender's address: Python's data, addr = s.recvfrom(1024).
func (s *Sock) Recvfrom(bufsize int) ([]byte, string, error) {
	data, addr, _, err := s.recvfrom("recvfrom", bufsize, 0)
	return data, addr, err
}

// RecvfromFlags is recvfrom with flags (see RecvFlags); n is what the call
// returned.
func (s *Sock) RecvfromFlags(bufsize, flags int) (data []byte, addr string, n int, err error) {
	return s.recvfrom("recvfrom", bufsize, flags)
}

func (s *Sock) recvfrom(op string, bufsize, flags int) ([]byte, string, int, error) {
	s.mark()
	nonblocking := s.nonblock || flags&unix.MSG_DONTWAIT != 0
	if !nonblocking {
		s.announce(op, strconv.Itoa(bufsize), "")
	}
	buf := make([]byte, bufsize)
	var n int
	var from unix.Sockaddr
	var err, werr error
	waited := sleptDuring(func() {
		if !nonblocking {
			if werr = s.wait(unix.POLLIN); werr != nil {
				return
			}
		}
		for {
			n, from, err = unix.Recvfrom(s.FD, buf, flags)
			if err != unix.EINTR {
				break
			}
		}
	})
	if werr != nil {
		return nil, "", 0, s.fail(op, werr)
	}
	t := s.stamp()
	s.last, s.lastWaited = t.n, waited
	args := strconv.Itoa(bufsize)
	if flags != 0 {
		args += ", " + sockcall.MsgFlagNames(flags)
	}
	c := sockcall.Call{Op: op, Args: args, Len: bufsize, Ret: n, Flags: sockcall.MsgFlagNames(flags), Nonblocking: nonblocking, Waited: waited}
	if err != nil {
		s.record(t, c, err, nil)
		return nil, "", -1, s.fail(op, err)
	}
	buf = buf[:min(n, bufsize)]
	c.Data = append([]byte(nil), buf...)
	var peer *sockcall.Call
	addr := ""
	if op == "recvfrom" && from != nil {
		c.Peer = addrPort(from)
		if c.Peer.IsValid() {
			addr = c.Peer.String()
		} else {
			addr = unixPath(from)
		}
		peer = &c
	}
	s.record(t, c, nil, peer)
	return buf, addr, n, nil
}

// SetBlocking switches the socket between blocking (the default) and
// non-blocking mode: fcntl(fd, F_SETFL, O_NONBLOCK), Python's
// s.setblocking(False). In non-blocking mode a call that would wait fails
// with EAGAIN instead (Python: BlockingIOError).
func (s *Sock) SetBlocking(blocking bool) error {
	s.mark()
	err := unix.SetNonblock(s.FD, !blocking)
	t := s.stamp()
	args := "F_SETFL, O_NONBLOCK"
	if blocking {
		args = "F_SETFL, 0"
	}
	if err == nil {
		s.nonblock = !blocking
	}
	s.record(t, sockcall.Call{Op: "fcntl", Args: args}, err, nil)
	return s.fail("fcntl", err)
}

// Getsockopt reads an integer option: getsockopt(level, opt), Python's
// s.getsockopt(SOL_SOCKET, SO_RCVBUF). The value is the call's Ret.
func (s *Sock) Getsockopt(level, opt int) (int, error) {
	s.mark()
	v, err := unix.GetsockoptInt(s.FD, level, opt)
	t := s.stamp()
	s.record(t, sockcall.Call{Op: "getsockopt", Args: sockcall.OptName(level, opt), Ret: v}, err, nil)
	return v, s.fail("getsockopt", err)
}

// wakeOnCancel shuts the socket down if the lesson is cancelled before the
// returned stop is called, waking a call blocked inside the kernel.
func (s *Sock) wakeOnCancel() (stop func()) {
	var mu sync.Mutex // orders the wake-up against the return
	done := false
	fd := s.FD
	cancel := context.AfterFunc(s.ctx, func() {
		mu.Lock()
		defer mu.Unlock()
		if !done {
			unix.Shutdown(fd, unix.SHUT_RDWR)
		}
	})
	return func() {
		mu.Lock()
		done = true
		mu.Unlock()
		cancel()
	}
}

// Shutdown closes one or both directions: unix.SHUT_RD, SHUT_WR (TCP sends
// its FIN now, and the socket can still recv) or SHUT_RDWR.
func (s *Sock) Shutdown(how int) error {
	s.mark()
	err := unix.Shutdown(s.FD, how)
	t := s.stamp()
	s.record(t, sockcall.Call{Op: "shutdown", Args: sockcall.ShutName(how)}, err, nil)
	return s.fail("shutdown", err)
}

// Close releases the descriptor (for TCP, the kernel then sends a FIN if the
// connection is open). Closing a Sock that is not open does nothing and is
// not recorded, so `defer s.Close()` is safe after an explicit Close.
func (s *Sock) Close() error {
	s.mark()
	if s.FD < 0 {
		return nil
	}
	fd := s.FD
	err := s.env.closeFD(s)
	t := s.stamp()
	s.FD = -1
	s.record(t, sockcall.Call{Op: "close", FD: fd}, err, nil)
	return s.fail("close", err)
}

// wait polls until the socket is ready for events (or has an error or a
// hang-up, which the real call then reports) or ctx is done.
func (s *Sock) wait(events int16) error {
	if s.FD < 0 {
		return unix.EBADF
	}
	fds := []unix.PollFd{{Fd: int32(s.FD), Events: events}}
	for {
		if err := s.ctx.Err(); err != nil {
			return err
		}
		n, err := unix.Poll(fds, 50)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
	}
}

// mark notes that a call begins now, in the step in force.
func (s *Sock) mark() {
	s.start = time.Now()
	s.startStep = s.env.CurrentStep()
}

// stamp stamps a call that returns now and began at s.start (in step
// s.startStep).
func (s *Sock) stamp() stamp {
	st := s.env.stamp()
	st.start, st.startStep = s.start, s.startStep
	return st
}

// record completes c, stamped when its system call returned, with what the
// socket looks like now, and hands it to the Env. Every stamp must be
// recorded, once. If keep is non-nil its Peer (the datagram's address, or the
// accepted peer) and Local are kept instead of asking the socket.
func (s *Sock) record(t stamp, c sockcall.Call, err error, keep *sockcall.Call) {
	c.Endpoint = s.Endpoint
	if c.FD == 0 {
		c.FD = s.FD
	}
	c.Proto = s.proto
	if err != nil {
		c.Ret = -1
		var errno unix.Errno
		if errors.As(err, &errno) {
			c.Errno = unix.ErrnoName(errno)
		} else {
			c.Errno = err.Error()
		}
	}
	local, peer, path := s.names()
	if keep != nil {
		if keep.Local.IsValid() {
			local = keep.Local
		}
		if keep.Peer.IsValid() {
			peer = keep.Peer
		}
		if keep.Path != "" {
			path = keep.Path
		}
	}
	c.Local, c.Peer, c.Path = local, peer, path
	c.SendQ, c.RecvQ, c.TCP = s.state()
	c.SndBuf, c.RcvBuf = -1, -1
	if s.FD >= 0 {
		c.SndBuf, c.RcvBuf = bufSizes(s.FD)
	}
	if s.nonblock {
		c.Nonblocking = true
	}
	var at time.Time
	c.Kernel, at, c.KernelSpan = s.env.sample()
	c.KernelSec, c.KernelNsec = at.Unix(), int64(at.Nanosecond())
	s.recorded = t.n
	s.env.record(t, c)
}

// names returns the socket's local and peer addresses, or for AF_UNIX the
// path it is bound to or connected to.
func (s *Sock) names() (local, peer netip.AddrPort, path string) {
	if s.FD < 0 {
		return
	}
	if sa, err := unix.Getsockname(s.FD); err == nil {
		local = addrPort(sa)
		path = unixPath(sa)
	}
	if sa, err := unix.Getpeername(s.FD); err == nil {
		peer = addrPort(sa)
		if path == "" {
			path = unixPath(sa)
		}
	}
	return
}

// unixPath is an AF_UNIX address's path, "" for an unnamed socket (which
// x/sys reports as the empty abstract name "@").
func unixPath(sa unix.Sockaddr) string {
	if u, ok := sa.(*unix.SockaddrUnix); ok && u.Name != "@" {
		return u.Name
	}
	return ""
}

// TCPStateName names a tcpi_state value as ss does ("ESTAB", "TIME-WAIT";
// TCP_CLOSE is "UNCONN"): sockcall.TCPStateName, for the lessons.
func TCPStateName(state uint8) string { return sockcall.TCPStateName(state) }

// sockaddr parses addr for the socket's family.
func (s *Sock) sockaddr(addr string) (unix.Sockaddr, error) {
	switch s.family {
	case unix.AF_UNIX:
		return &unix.SockaddrUnix{Name: addr}, nil
	case unix.AF_INET, unix.AF_INET6:
		ap, err := netip.ParseAddrPort(addr)
		if err != nil {
			return nil, err
		}
		if s.family == unix.AF_INET {
			if !ap.Addr().Is4() {
				return nil, fmt.Errorf("%s is not an IPv4 address", addr)
			}
			return &unix.SockaddrInet4{Port: int(ap.Port()), Addr: ap.Addr().As4()}, nil
		}
		return &unix.SockaddrInet6{Port: int(ap.Port()), Addr: ap.Addr().As16()}, nil
	}
	return nil, fmt.Errorf("no socket yet, or unsupported family %d", s.family)
}

// addrPort converts an internet socket address; others give the zero value.
func addrPort(sa unix.Sockaddr) netip.AddrPort {
	switch a := sa.(type) {
	case *unix.SockaddrInet4:
		return netip.AddrPortFrom(netip.AddrFrom4(a.Addr), uint16(a.Port))
	case *unix.SockaddrInet6:
		return netip.AddrPortFrom(netip.AddrFrom16(a.Addr), uint16(a.Port))
	}
	return netip.AddrPort{}
}

// quote shows data as a Go string literal, cut after 32 bytes (on a
// character boundary).
func quote(data []byte) string {
	const max = 32
	if len(data) <= max {
		return strconv.Quote(string(data))
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(data[cut]) {
		cut--
	}
	return strconv.Quote(string(data[:cut])) + "…"
}

// recvEcho calls Recv(1024) until len(want) bytes have come back, as a
// correct client does (recv may return fewer bytes than there is room
// for), and checks that they are the bytes sent.
func (s *Sock) recvEcho(want []byte) error {
	var got []byte
	for len(got) < len(want) {
		data, err := s.Recv(1024)
		if err != nil {
			return err
		}
		if len(data) == 0 {
			return fmt.Errorf("%s: the peer closed after %d of %d bytes", s.Endpoint, len(got), len(want))
		}
		got = append(got, data...)
	}
	if !bytes.Equal(got, want) {
		return fmt.Errorf("%s: echo %q, sent %q", s.Endpoint, got, want)
	}
	return nil
}

// sockSet is a lesson's open sockets (Env.open).
type sockSet []*Sock
