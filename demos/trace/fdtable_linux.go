//go:build linux && (amd64 || arm64)

package trace

import (
	"bytes"
	"strconv"

	"golang.org/x/sys/unix"
)

// What a traced process's descriptors are, from /proc. A descriptor's
// kind is looked up once (readlink /proc/pid/fd/N: "socket:[inode]") and
// kept per process until the number can mean something else: a close,
// dup2, dup3 or close_range of it, or an exec.

// fdEntry is one descriptor of one process.
type fdEntry struct {
	socket bool
	inode  uint64
	sock   *sockInfo // sockets only
}

// sockInfo is what the tracer keeps about one socket (by inode, for every
// process: a socket has exactly one open file, which dup, fork,
// SCM_RIGHTS and pidfd_getfd share, so its O_NONBLOCK is the same
// wherever it is used). It saves system calls at each traced call; every
// field is re-read when a traced call may have changed it.
type sockInfo struct {
	// nbKnown: nonblock is O_NONBLOCK as the last socket, socketpair,
	// accept, fcntl or ioctl(FIONBIO) left it (or as read once).
	nbKnown, nonblock bool
	// domain, typ and proto are SO_DOMAIN, SO_TYPE and SO_PROTOCOL (typ
	// 0: not read yet).
	domain, typ, proto int
	// namesOK: local and peer are getsockname and getpeername as of the
	// last call that could change them; tcpState is the TCP state then.
	namesOK     bool
	local, peer Addr
	tcpState    uint8
	// bufsOK: sndbuf and rcvbuf are SO_SNDBUF and SO_RCVBUF since the last
	// setsockopt (TCP's are re-read every time: the kernel tunes them).
	bufsOK         bool
	sndbuf, rcvbuf int
	// refs counts the fdEntries (of any process) that point here.
	refs int
}

// sockOf returns the socket's sockInfo for a new fdEntry, made on first
// use.
func (t *tracer) sockOf(inode uint64) *sockInfo {
	si := t.socks[inode]
	if si == nil {
		si = &sockInfo{}
		t.socks[inode] = si
	}
	si.refs++
	return si
}

// procPath builds /proc/<pid>/<what>[/<fd>] in buf.
func procPath(buf []byte, pid int, what string, fd int) string {
	buf = append(buf[:0], "/proc/"...)
	buf = strconv.AppendInt(buf, int64(pid), 10)
	buf = append(buf, '/')
	buf = append(buf, what...)
	if fd >= 0 {
		buf = append(buf, '/')
		buf = strconv.AppendInt(buf, int64(fd), 10)
	}
	return string(buf)
}

// fdKind returns what fd is in process pid, from the cache or /proc; nil
// when the descriptor is not open (which is not cached: the next open may
// take the number).
func (t *tracer) fdKind(p *proc, fd int) *fdEntry {
	if fd < 0 {
		return nil
	}
	if e := p.fds[fd]; e != nil {
		return e
	}
	n, err := unix.Readlink(procPath(t.path[:], p.pid, "fd", fd), t.link[:])
	if err != nil {
		return nil
	}
	e := &fdEntry{}
	if ino, ok := socketInode(t.link[:n]); ok {
		e.socket, e.inode, e.sock = true, ino, t.sockOf(ino)
	}
	p.fds[fd] = e
	return e
}

// socketInode parses readlink's "socket:[12345]".
func socketInode(link []byte) (uint64, bool) {
	rest, ok := bytes.CutPrefix(link, []byte("socket:["))
	if !ok || len(rest) < 2 || rest[len(rest)-1] != ']' {
		return 0, false
	}
	ino, err := strconv.ParseUint(string(rest[:len(rest)-1]), 10, 64)
	return ino, err == nil
}

// forget drops what the cache knew about fd, and its socket's sockInfo
// when no other known descriptor has it.
func (t *tracer) forget(p *proc, fd int) {
	if e := p.fds[fd]; e != nil {
		delete(p.fds, fd)
		if e.socket {
			if e.sock.refs--; e.sock.refs <= 0 {
				delete(t.socks, e.inode)
			}
		}
	}
}

// forgetRange drops first..last (close_range).
func (t *tracer) forgetRange(p *proc, first, last uint64) {
	for fd := range p.fds {
		if uint64(fd) >= first && uint64(fd) <= last {
			t.forget(p, fd)
		}
	}
}

// forgetAll drops every descriptor of p (exec, exit).
func (t *tracer) forgetAll(p *proc) {
	for fd := range p.fds {
		t.forget(p, fd)
	}
}

// readSmall reads a small /proc file whole into t.file.
func (t *tracer) readSmall(path string) []byte {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil
	}
	defer unix.Close(fd)
	n := 0
	for n < len(t.file) {
		m, err := unix.Read(fd, t.file[n:])
		if m <= 0 || err != nil {
			break
		}
		n += m
	}
	return t.file[:n]
}

// epollTarget is one descriptor an epoll instance watches, from
// /proc/pid/fdinfo/epfd: "tfd:        5 events:       19 data:  ...".
type epollTarget struct {
	fd     int
	events uint32
	data   uint64
}

func (t *tracer) epollTargets(p *proc, epfd int) []epollTarget {
	var out []epollTarget
	b := t.readSmall(procPath(t.path[:], p.pid, "fdinfo", epfd))
	for len(b) > 0 {
		line := b
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			b = nil
		}
		rest, ok := bytes.CutPrefix(line, []byte("tfd:"))
		if !ok {
			continue
		}
		f := bytes.Fields(rest)
		// fd "events:" hex "data:" hex ...
		if len(f) < 5 {
			continue
		}
		fd, err1 := strconv.Atoi(string(f[0]))
		ev, err2 := strconv.ParseUint(string(f[2]), 16, 32)
		data, err3 := strconv.ParseUint(string(f[4]), 16, 64)
		if err1 == nil && err2 == nil && err3 == nil {
			out = append(out, epollTarget{fd, uint32(ev), data})
		}
	}
	return out
}

// fdinfoFlags is the "flags:" line of /proc/pid/fdinfo/fd (octal open
// flags), the way to see O_NONBLOCK when the socket cannot be duplicated.
func (t *tracer) fdinfoFlags(p *proc, fd int) (int, bool) {
	b := t.readSmall(procPath(t.path[:], p.pid, "fdinfo", fd))
	i := bytes.Index(b, []byte("flags:"))
	if i < 0 {
		return 0, false
	}
	f := bytes.Fields(b[i+len("flags:"):])
	if len(f) == 0 {
		return 0, false
	}
	v, err := strconv.ParseUint(string(f[0]), 8, 32)
	return int(v), err == nil
}

// switchIns is how many times the thread has been switched in (the third
// field of /proc/pid/task/tid/schedstat), -1 when unreadable. The file is
// kept open per thread and read with pread: it is read twice for each
// call that may wait.
func (t *tracer) switchIns(th *thread) int64 {
	if th.schedstat == 0 {
		th.schedstat = -1
		path := procPath(t.path[:], th.p.pid, "task", th.tid) + "/schedstat"
		if fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0); err == nil {
			th.schedstat = fd
		}
	}
	if th.schedstat < 0 {
		return -1
	}
	n, err := unix.Pread(th.schedstat, t.file[:256], 0)
	if err != nil || n <= 0 {
		return -1
	}
	f := bytes.Fields(t.file[:n])
	if len(f) < 3 {
		return -1
	}
	v, err := strconv.ParseInt(string(f[2]), 10, 64)
	if err != nil {
		return -1
	}
	return v
}

// closeSchedstat closes the thread's kept schedstat file.
func (th *thread) closeSchedstat() {
	if th.schedstat > 0 {
		unix.Close(th.schedstat)
	}
	th.schedstat = 0
}

// statusField reads a numeric field ("Tgid:") of /proc/tid/status.
func (t *tracer) statusField(tid int, name string) int {
	b := t.readSmall(procPath(t.path[:], tid, "status", -1))
	i := bytes.Index(b, []byte("\n"+name+":"))
	if i < 0 {
		return -1
	}
	f := bytes.Fields(b[i+len(name)+2:])
	if len(f) == 0 {
		return -1
	}
	v, err := strconv.Atoi(string(f[0]))
	if err != nil {
		return -1
	}
	return v
}

// cmdline reads the process's argv, each argument made printable.
func (t *tracer) cmdline(pid int) []string {
	b := t.readSmall(procPath(t.path[:], pid, "cmdline", -1))
	b = bytes.TrimSuffix(b, []byte{0})
	if len(b) == 0 {
		// a kernel thread or a process that is gone: fall back on comm
		comm := bytes.TrimSpace(t.readSmall(procPath(t.path[:], pid, "comm", -1)))
		return []string{printable(comm)}
	}
	parts := bytes.Split(b, []byte{0})
	out := make([]string, len(parts))
	for i, a := range parts {
		out[i] = printable(a)
	}
	return out
}
