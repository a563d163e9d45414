//go:build linux

package socktable

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// lab is the set of sockets the live tests and the recordings make in a
// fresh network namespace (netns.ReexecTest), with the file descriptors
// the test keeps open. Every fact checkLab asserts comes from here:
//
//	tcp  127.0.0.1:7001  LISTEN, backlog 5, one connection left in its accept queue
//	tcp  accepted connection A: 5 bytes unread by the server; the client has SO_KEEPALIVE (30 s)
//	tcp  connection C: the server closed first, then the client: TIME-WAIT on the server's side
//	udp  127.0.0.1:7002  unconnected, one 3-byte datagram unread; a connected sender
//	tcp  [::1]:7003      LISTEN (v6only, as binding to ::1 makes it), one accepted connection
//	tcp  [::]:7004       LISTEN dual-stack, one accepted IPv4 client: [::ffff:127.0.0.1]:7004
//	udp  [::]:7005       IPV6_V6ONLY
//	unix DIR/s.sock      stream LISTEN backlog 4, one accepted connection, 5 bytes unread
//	unix @sockscope-socktable  datagram, abstract name
//	unix a seqpacket socketpair
type lab struct {
	fds  map[string]int // name → fd, for inodes (fstat)
	path string         // the AF_UNIX listener's path
}

const (
	portListen  = 7001
	portUDP     = 7002
	portV6      = 7003
	portDual    = 7004
	portUDP6    = 7005
	abstractUDS = "@sockscope-socktable"
	unixBacklog = 4
	tcpBacklog  = 5
	keepIdle    = 30
)

func openLab(t *testing.T) *lab {
	t.Helper()
	l := &lab{fds: map[string]int{}, path: filepath.Join(t.TempDir(), "s.sock")}
	sock := func(name string, family, typ int) int {
		fd, err := unix.Socket(family, typ|unix.SOCK_CLOEXEC, 0)
		must(t, "socket "+name, err)
		l.fds[name] = fd
		t.Cleanup(func() { unix.Close(fd) })
		return fd
	}
	lo4 := func(port int) *unix.SockaddrInet4 {
		return &unix.SockaddrInet4{Port: port, Addr: [4]byte{127, 0, 0, 1}}
	}
	lo6 := func(port int) *unix.SockaddrInet6 {
		return &unix.SockaddrInet6{Port: port, Addr: [16]byte{15: 1}}
	}
	accept := func(name string, lfd int) int {
		fd, _, err := unix.Accept4(lfd, unix.SOCK_CLOEXEC)
		must(t, "accept "+name, err)
		l.fds[name] = fd
		t.Cleanup(func() { unix.Close(fd) })
		return fd
	}

	// TCP over IPv4: a listener, connection A (data waiting, keep-alive),
	// connection C (closed: TIME-WAIT), connection B (not accepted).
	lfd := sock("listener", unix.AF_INET, unix.SOCK_STREAM)
	must(t, "SO_REUSEADDR", unix.SetsockoptInt(lfd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1))
	must(t, "bind 7001", unix.Bind(lfd, lo4(portListen)))
	must(t, "listen", unix.Listen(lfd, tcpBacklog))

	a := sock("client-a", unix.AF_INET, unix.SOCK_STREAM)
	must(t, "SO_KEEPALIVE", unix.SetsockoptInt(a, unix.SOL_SOCKET, unix.SO_KEEPALIVE, 1))
	must(t, "TCP_KEEPIDLE", unix.SetsockoptInt(a, unix.IPPROTO_TCP, unix.TCP_KEEPIDLE, keepIdle))
	must(t, "connect a", unix.Connect(a, lo4(portListen)))
	accept("server-a", lfd)
	_, err := unix.Write(a, []byte("hello"))
	must(t, "send a", err)

	c := sock("client-c", unix.AF_INET, unix.SOCK_STREAM)
	must(t, "connect c", unix.Connect(c, lo4(portListen)))
	cs := accept("server-c", lfd)
	unix.Close(cs) // the server closes first: it will be in TIME-WAIT
	delete(l.fds, "server-c")
	var one [1]byte
	n, err := unix.Read(c, one[:])
	if err != nil || n != 0 {
		t.Fatalf("client c: read after the server's close = %d, %v; want 0 (EOF)", n, err)
	}
	unix.Close(c)
	delete(l.fds, "client-c")

	b := sock("client-b", unix.AF_INET, unix.SOCK_STREAM)
	must(t, "connect b", unix.Connect(b, lo4(portListen)))

	// UDP over IPv4.
	u := sock("udp", unix.AF_INET, unix.SOCK_DGRAM)
	must(t, "bind udp", unix.Bind(u, lo4(portUDP)))
	us := sock("udp-sender", unix.AF_INET, unix.SOCK_DGRAM)
	must(t, "connect udp", unix.Connect(us, lo4(portUDP)))
	_, err = unix.Write(us, []byte("abc"))
	must(t, "send udp", err)

	// TCP over IPv6: [::1] (v6only by the bind), and a dual-stack [::].
	l6 := sock("listener6", unix.AF_INET6, unix.SOCK_STREAM)
	must(t, "bind ::1", unix.Bind(l6, lo6(portV6)))
	must(t, "listen6", unix.Listen(l6, 3))
	c6 := sock("client6", unix.AF_INET6, unix.SOCK_STREAM)
	must(t, "connect6", unix.Connect(c6, lo6(portV6)))
	accept("server6", l6)

	ld := sock("listener-dual", unix.AF_INET6, unix.SOCK_STREAM)
	must(t, "IPV6_V6ONLY 0", unix.SetsockoptInt(ld, unix.IPPROTO_IPV6, unix.IPV6_V6ONLY, 0))
	must(t, "bind [::]", unix.Bind(ld, &unix.SockaddrInet6{Port: portDual}))
	must(t, "listen dual", unix.Listen(ld, 3))
	cd := sock("client-dual", unix.AF_INET, unix.SOCK_STREAM)
	must(t, "connect dual", unix.Connect(cd, lo4(portDual)))
	accept("server-dual", ld)

	u6 := sock("udp6", unix.AF_INET6, unix.SOCK_DGRAM)
	must(t, "IPV6_V6ONLY 1", unix.SetsockoptInt(u6, unix.IPPROTO_IPV6, unix.IPV6_V6ONLY, 1))
	must(t, "bind udp6", unix.Bind(u6, &unix.SockaddrInet6{Port: portUDP6}))

	// AF_UNIX.
	ul := sock("unix-listener", unix.AF_UNIX, unix.SOCK_STREAM)
	must(t, "bind unix", unix.Bind(ul, &unix.SockaddrUnix{Name: l.path}))
	must(t, "listen unix", unix.Listen(ul, unixBacklog))
	uc := sock("unix-client", unix.AF_UNIX, unix.SOCK_STREAM)
	must(t, "connect unix", unix.Connect(uc, &unix.SockaddrUnix{Name: l.path}))
	accept("unix-server", ul)
	_, err = unix.Write(uc, []byte("hello"))
	must(t, "send unix", err)

	ud := sock("unix-dgram", unix.AF_UNIX, unix.SOCK_DGRAM)
	must(t, "bind abstract", unix.Bind(ud, &unix.SockaddrUnix{Name: abstractUDS}))

	pair, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	must(t, "socketpair", err)
	for i, fd := range pair {
		l.fds[[]string{"seq-0", "seq-1"}[i]] = fd
		t.Cleanup(func() { unix.Close(fd) })
	}

	// The server's side of C reaches TIME-WAIT once the client's FIN is
	// acknowledged; on loopback that is done before close returns, but
	// wait for the kernel's word rather than assume it.
	deadline := time.Now().Add(2 * time.Second)
	for {
		es, err := List()
		must(t, "List", err)
		if find(es, func(e *Entry) bool { return e.State == TimeWait }) != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no TIME-WAIT socket 2 s after both sides closed:\n%s", AppendTable(nil, es))
		}
		time.Sleep(10 * time.Millisecond) // polling the kernel's table: no event to wait for
	}
	return l
}

// inode is the inode of the socket fd (what sock_diag reports).
func inode(t *testing.T, fd int) uint32 {
	t.Helper()
	var st unix.Stat_t
	must(t, "fstat", unix.Fstat(fd, &st))
	return uint32(st.Ino)
}

func must(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		var errno unix.Errno
		if errors.As(err, &errno) {
			t.Fatalf("%s: %v (%s)", what, err, unix.ErrnoName(errno))
		}
		t.Fatalf("%s: %v", what, err)
	}
}
