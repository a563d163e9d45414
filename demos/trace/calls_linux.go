//go:build linux && (amd64 || arm64)

package trace

import (
	"strconv"
	"time"

	"golang.org/x/sys/unix"
)

// A traced call's two stops. At the seccomp stop (entry) the tracer
// decides whether the call concerns a socket; if not it lets the thread go
// on with PTRACE_CONT and never hears of the call again. If so it reads
// what the call passes (bytes to send, an address, options) and resumes
// with PTRACE_SYSCALL, which stops the thread once more when this one call
// returns; at that exit stop it reads the results and the socket's state,
// and lets the thread go on with PTRACE_CONT.

// kindByNr maps this architecture's numbers to kinds.
var kindByNr = func() (tab [1024]sysKind) {
	for nr, k := range nativeSyscalls {
		tab[nr] = k
	}
	return
}()

func kindOf(nr uint64) sysKind {
	if nr < uint64(len(kindByNr)) {
		return kindByNr[nr]
	}
	return kNone
}

// pending is a call between its entry and exit stops.
type pending struct {
	c     *Call
	kind  sysKind
	entry *fdEntry // the socket's cache entry (nil for the poll family)
	dup   int      // the tracer's duplicate of c.FD, -1 when none
	ins   int64    // the thread's switch-ins at entry (calls that may wait)
	// Where the results will be, for the exit stop.
	iovs     []remote // recvmsg, recvmmsg (first message), readv
	msgName  uint64   // recvmsg, recvmmsg: msg_name
	pollFDs  []int    // poll, ppoll: the index in the array of each PollFDs entry
	sets     [3][]byte
	epoll    []epollTarget
	epollSet map[uint64]int // epoll data → index in PollFDs
}

// seccompStop is the entry of a call the filter sent us.
func (t *tracer) seccompStop(th *thread) {
	t.stats.stops.Add(1)
	now := time.Now()
	if err := getSyscallInfo(th.tid, &t.si); err != nil || t.si.Op != unix.PTRACE_SYSCALL_INFO_SECCOMP {
		if err == unix.EIO || err == unix.EINVAL {
			t.err = errNoSyscallInfo(err)
		}
		ptraceCont(th.tid, 0)
		return
	}
	if !th.p.target {
		// The shim between its filter and its execve (its own fcntl, a Go
		// runtime thread's write): not the command's.
		t.stats.shim.Add(1)
		ptraceCont(th.tid, 0)
		return
	}
	k := kindOf(t.si.Nr)
	if pd := th.held; pd != nil {
		th.held = nil
		if k == kRestart || int(t.si.Nr) == pd.c.Nr && t.si.Args == pd.c.Args {
			// The kernel restarted the interrupted call (or the program
			// made it again at once, as Python does after EINTR): it goes
			// on as the same call, already announced.
			th.call = pd
			t.stats.restarted.Add(1)
			ptraceSyscall(th.tid, 0)
			return
		}
		t.interrupted(th, pd)
	}
	pd := t.entry(th, k, now)
	if pd == nil {
		ptraceCont(th.tid, 0)
		return
	}
	th.call = pd
	if err := ptraceSyscall(th.tid, 0); err != nil {
		return // killed meanwhile: its death ends the call
	}
	if pd.c.MayBlock {
		c := *pd.c
		t.emit(Event{Kind: CallStart, Time: now, Proc: th.p.process(t), Tid: th.tid, Call: &c})
	}
}

// exitStop is the return of the call th is in.
func (t *tracer) exitStop(th *thread) {
	now := time.Now()
	pd := th.call
	th.call = nil
	if pd == nil {
		ptraceCont(th.tid, 0)
		return
	}
	c := pd.c
	c.End = now
	if err := getSyscallInfo(th.tid, &t.si); err == nil && t.si.Op == unix.PTRACE_SYSCALL_INFO_EXIT {
		c.Ret, c.Errno = t.si.rval(), "" // (a restarted call's first return was a restart code)
		if t.si.isError() {
			c.Errno = errnoName(-c.Ret)
			if isRestart(-c.Ret) {
				// A signal interrupted the call; whether the program sees
				// EINTR or the kernel restarts the call is decided after
				// this stop. The thread's next traced call tells.
				if pd.dup >= 0 {
					unix.Close(pd.dup)
					pd.dup = -1
				}
				th.held = pd
				ptraceCont(th.tid, 0)
				return
			}
		}
		t.exit(th, pd)
	} else {
		c.Unfinished = true
	}
	if pd.dup >= 0 {
		unix.Close(pd.dup)
	}
	ptraceCont(th.tid, 0)
	t.stats.calls.Add(1)
	t.emit(Event{Kind: CallEnd, Time: now, Proc: th.p.process(t), Tid: th.tid, Call: c})
}

// isRestart says an errno is one of the kernel's restart codes, which a
// program never sees: the call is restarted, or fails with EINTR.
func isRestart(e int64) bool { return e >= 512 && e <= 516 }

// interrupted reports a held call that was not restarted: the program got
// EINTR (what every restart code becomes when the call is not restarted).
// Its state is read now, the first moment the tracer knows.
func (t *tracer) interrupted(th *thread, pd *pending) {
	c := pd.c
	c.Ret, c.Errno = -int64(unix.EINTR), "EINTR"
	t.exit(th, pd)
	if pd.dup >= 0 {
		unix.Close(pd.dup)
	}
	t.stats.calls.Add(1)
	t.emit(Event{Kind: CallEnd, Time: c.End, Proc: th.p.process(t), Tid: th.tid, Call: c})
}

// endCall reports th's call as unfinished: the thread died (or was
// removed by an exec) inside it, or before a held call was restarted.
func (t *tracer) endCall(th *thread, now time.Time) {
	pd := th.call
	if pd == nil {
		pd, th.held = th.held, nil
	}
	if pd == nil {
		return
	}
	th.call = nil
	if pd.dup >= 0 {
		unix.Close(pd.dup)
	}
	pd.c.End = now
	pd.c.Unfinished = true
	pd.c.Ret, pd.c.Errno = 0, ""
	pd.c.State = noState
	t.stats.calls.Add(1)
	t.emit(Event{Kind: CallEnd, Time: now, Proc: th.p.process(t), Tid: th.tid, Call: pd.c})
}

// entry decides whether the call is reported and reads what it passes;
// nil means let it go unrecorded.
func (t *tracer) entry(th *thread, k sysKind, now time.Time) *pending {
	a := t.si.Args
	p := th.p
	switch k {
	case kNone, kRestart:
		return nil
	case kDup2, kDup3:
		t.forget(p, int(int32(a[1])))
		return nil
	case kCloseRange:
		t.forgetRange(p, a[0]&0xffffffff, a[1]&0xffffffff)
		return nil
	}
	t.nextID++
	c := &Call{ID: t.nextID, Name: k.String(), Nr: int(t.si.Nr), Args: a, Start: now, FD: -1, Timeout: -1, State: noState}
	pd := &pending{c: c, kind: k, dup: -1, ins: -1}
	switch {
	case k == kSocket || k == kSocketpair:
		c.Family, c.Type, c.Protocol = int(int32(a[0])), int(int32(a[1])), int(int32(a[2]))
	case k.pollFamily():
		if !t.pollEntry(th, pd) {
			t.nextID--
			t.stats.notSocket.Add(1)
			return nil
		}
		c.MayBlock = c.Timeout != 0
	default:
		fd := int(int32(a[0])) // sendfile's out_fd: the socket it writes to
		e := t.fdKind(p, fd)
		isSock := e != nil && e.socket
		if k == kClose {
			t.forget(p, fd)
		}
		if k.onAnyFD() && !isSock {
			t.nextID--
			t.stats.notSocket.Add(1)
			return nil
		}
		c.FD = fd
		if isSock {
			c.Inode = e.inode
			pd.entry = e
			if k != kClose {
				if !e.sock.nbKnown { // once per socket: the traced calls keep it since
					pd.dup = t.dup(p, fd)
					e.sock.nonblock, e.sock.nbKnown = t.nonblocking(p, fd, pd.dup)
				}
				c.Nonblocking = e.sock.nonblock
			}
		}
		t.entryArgs(th, pd)
		if k.waits() && !c.Nonblocking {
			c.MayBlock = true
		}
	}
	if c.MayBlock {
		pd.ins = t.switchIns(th)
	}
	return pd
}

// nonblocking reads O_NONBLOCK of the socket's open file: from the
// tracer's duplicate (which shares it), else from /proc/pid/fdinfo.
func (t *tracer) nonblocking(p *proc, fd, dup int) (nonblock, known bool) {
	if dup >= 0 {
		fl, err := unix.FcntlInt(uintptr(dup), unix.F_GETFL, 0)
		return err == nil && fl&unix.O_NONBLOCK != 0, err == nil
	}
	fl, ok := t.fdinfoFlags(p, fd)
	return ok && fl&unix.O_NONBLOCK != 0, ok
}

// entryArgs reads what a call on one socket passes.
func (t *tracer) entryArgs(th *thread, pd *pending) {
	c, a, tid, max := pd.c, t.si.Args, th.tid, t.opts.MaxData
	switch pd.kind {
	case kBind, kConnect:
		c.Addr = parseSockaddr(t.mem.read(tid, a[1], int(min(a[2]&0xffffffff, 128))))
	case kAccept4:
		c.Flags = int(int32(a[3]))
	case kSendto:
		c.Flags = int(int32(a[3]))
		c.Len = int(min(a[2], 1<<31))
		c.Data = t.mem.read(tid, a[1], min(c.Len, max))
		if a[4] != 0 {
			c.Addr = parseSockaddr(t.mem.read(tid, a[4], int(min(a[5]&0xffffffff, 128))))
		}
	case kRecvfrom:
		c.Flags = int(int32(a[3]))
		c.Len = int(min(a[2], 1<<31))
	case kSendmsg, kRecvmsg, kSendmmsg, kRecvmmsg:
		if pd.kind == kSendmmsg || pd.kind == kRecvmmsg {
			c.Flags = int(int32(a[3]))
			c.Msgs = int(a[2] & 0xffffffff)
			if pd.kind == kRecvmmsg {
				c.Timeout = time.Duration(t.mem.timeout(tid, a[4], false))
			}
		} else {
			c.Flags = int(int32(a[2]))
		}
		m, ok := t.mem.msghdr(tid, a[1])
		if !ok {
			break
		}
		iovs := t.mem.iovecs(tid, m.iov, int(min(m.iovlen, 1024)))
		c.Len = sum(iovs)
		if pd.kind.sends() {
			c.Data = t.mem.gather(tid, iovs, max)
			if m.name != 0 && m.namelen > 0 {
				c.Addr = parseSockaddr(t.mem.read(tid, m.name, int(min(m.namelen, 128))))
			}
		} else {
			pd.iovs, pd.msgName = iovs, m.name
		}
	case kRead, kWrite:
		c.Len = int(min(a[2], 1<<31))
		if pd.kind == kWrite {
			c.Data = t.mem.read(tid, a[1], min(c.Len, max))
		}
	case kReadv, kWritev:
		iovs := t.mem.iovecs(tid, a[1], int(a[2]&0xffffffff))
		c.Len = sum(iovs)
		if pd.kind == kWritev {
			c.Data = t.mem.gather(tid, iovs, max)
		} else {
			pd.iovs = iovs
		}
	case kSendfile:
		c.Len = int(min(a[3], 1<<31))
	case kSetsockopt:
		c.Level, c.Option = int(int32(a[1])), int(int32(a[2]))
		c.OptVal = t.mem.read(tid, a[3], int(min(a[4]&0xffffffff, 256)))
		setOptInt(c)
	case kGetsockopt:
		c.Level, c.Option = int(int32(a[1])), int(int32(a[2]))
	case kIoctl: // FIONBIO: int *argp
		if v, ok := t.mem.u32(tid, a[2]); ok {
			c.OptInt, c.HasOptInt = int64(int32(v)), true
		}
	}
	if (pd.kind.sends() || pd.kind.recvs()) && c.Flags&msgDontwait != 0 {
		c.Nonblocking = true
	}
}

func setOptInt(c *Call) {
	if len(c.OptVal) == 4 {
		c.OptInt, c.HasOptInt = int64(int32(le.Uint32(c.OptVal))), true
	}
}

// exit reads a returned call's results and its socket's state.
func (t *tracer) exit(th *thread, pd *pending) {
	c, a, tid, p, max := pd.c, pd.c.Args, th.tid, th.p, t.opts.MaxData
	ok := c.Errno == ""
	ret := c.Ret
	stateFD, state := c.FD, pd.entry // whose state is read after the call
	// newSocket records a descriptor the call made; nonblock is its
	// O_NONBLOCK (the new socket's flags, which the kernel gives it).
	newSocket := func(fd int, nonblock bool) {
		c.NewFDs = append(c.NewFDs, fd)
		t.forget(p, fd)
		e := t.fdKind(p, fd)
		if e == nil || !e.socket {
			return
		}
		e.sock.nonblock, e.sock.nbKnown = nonblock, true
		if len(c.NewFDs) == 1 {
			stateFD, state = fd, e
			c.NewInode = e.inode
			if pd.dup >= 0 { // the listener's
				unix.Close(pd.dup)
				pd.dup = -1
			}
		}
	}
	var si *sockInfo
	if pd.entry != nil {
		si = pd.entry.sock
	}
	switch pd.kind {
	case kSocket:
		if ok {
			newSocket(int(ret), c.Type&sockNonblock != 0)
		}
	case kSocketpair:
		if ok {
			if b := t.mem.read(tid, a[3], 8); len(b) == 8 {
				newSocket(int(int32(le.Uint32(b))), c.Type&sockNonblock != 0)
				newSocket(int(int32(le.Uint32(b[4:]))), c.Type&sockNonblock != 0)
			}
		}
	case kAccept, kAccept4:
		if ok {
			if a[1] != 0 && a[2] != 0 {
				if n, ok := t.mem.u32(tid, a[2]); ok {
					c.Addr = parseSockaddr(t.mem.read(tid, a[1], int(min(n, 128))))
				}
			}
			// accept's socket is blocking whatever the listener's flags;
			// accept4 sets what SOCK_NONBLOCK says.
			newSocket(int(ret), pd.kind == kAccept4 && c.Flags&sockNonblock != 0)
		}
	case kFcntl:
		switch {
		case !ok || si == nil:
		case a[1] == fDupfd || a[1] == fDupfdCloexec:
			c.NewFDs = []int{int(ret)}
			t.forget(p, int(ret))
			p.fds[int(ret)] = &fdEntry{socket: true, inode: pd.entry.inode, sock: t.sockOf(pd.entry.inode)}
		case a[1] == fSetfl:
			si.nonblock, si.nbKnown = a[2]&oNonblock != 0, true
		case a[1] == fGetfl:
			si.nonblock, si.nbKnown = ret&oNonblock != 0, true
		}
	case kIoctl: // FIONBIO
		if ok && si != nil && c.HasOptInt {
			si.nonblock, si.nbKnown = c.OptInt != 0, true
		}
	case kSetsockopt:
		if ok && si != nil {
			si.bufsOK = false // SO_SNDBUF, SO_RCVBUF, or anything that changes them
		}
	case kSendto, kSendmsg, kWrite, kWritev:
		if ok {
			c.DataLen = int(ret)
			c.Data = c.Data[:min(len(c.Data), int(ret))]
		} else {
			c.Data = nil
		}
	case kSendmmsg:
		if ok && ret > 0 {
			if n, ok := t.mem.u32(tid, a[1]+msghdrSize); ok {
				c.DataLen = int(n)
				c.Data = c.Data[:min(len(c.Data), int(n))]
			}
		} else {
			c.Data = nil
		}
	case kRecvfrom:
		if ok {
			c.DataLen = int(ret)
			c.Data = t.mem.read(tid, a[1], min(int(ret), c.Len, max))
			if a[4] != 0 && a[5] != 0 {
				if n, ok := t.mem.u32(tid, a[5]); ok && n > 0 {
					c.Addr = parseSockaddr(t.mem.read(tid, a[4], int(min(n, 128))))
				}
			}
		}
	case kRead, kReadv:
		if ok {
			c.DataLen = int(ret)
			if pd.kind == kRead {
				c.Data = t.mem.read(tid, a[1], min(int(ret), max))
			} else {
				c.Data = t.mem.gather(tid, pd.iovs, min(int(ret), max))
			}
		}
	case kRecvmsg, kRecvmmsg:
		if !ok || ret <= 0 && pd.kind == kRecvmmsg {
			break
		}
		n := int(ret)
		if pd.kind == kRecvmmsg { // ret is the messages; the first one's length follows its msghdr
			n = 0
			if l, ok := t.mem.u32(tid, a[1]+msghdrSize); ok {
				n = int(l)
			}
		}
		c.DataLen = n
		c.Data = t.mem.gather(tid, pd.iovs, min(n, max))
		if m, ok := t.mem.msghdr(tid, a[1]); ok {
			c.MsgFlags = int(m.flags)
			if pd.msgName != 0 && m.namelen > 0 {
				c.Addr = parseSockaddr(t.mem.read(tid, pd.msgName, int(min(m.namelen, 128))))
			}
		}
	case kGetsockopt:
		if ok {
			if n, ok := t.mem.u32(tid, a[4]); ok {
				c.OptVal = t.mem.read(tid, a[3], int(min(n, 256)))
				setOptInt(c)
			}
		}
	case kGetsockname, kGetpeername:
		if ok {
			if n, ok := t.mem.u32(tid, a[2]); ok {
				c.Addr = parseSockaddr(t.mem.read(tid, a[1], int(min(n, 128))))
			}
		}
	case kPoll, kPpoll, kSelect, kPselect6, kEpollWait, kEpollPwait, kEpollPwait2:
		if ok {
			t.pollExit(th, pd)
		}
	}
	if c.MayBlock && pd.ins >= 0 {
		// Stopped at entry, the thread was switched in once to run the
		// call; more means it left the CPU during the call.
		if v := t.switchIns(th); v >= 0 {
			c.Slept = v-pd.ins >= 2
		}
	}
	if pd.kind != kClose && !pd.kind.pollFamily() && state != nil && state.socket {
		dup := pd.dup
		if dup < 0 || stateFD != c.FD {
			dup = t.dup(p, stateFD)
		} else {
			pd.dup = -1 // closed below
		}
		if dup >= 0 {
			c.State = readState(dup, state.sock, !pd.kind.dataCall())
			unix.Close(dup)
		}
		if c.Family == 0 && c.State.Valid {
			c.Family, c.Type, c.Protocol = c.State.Domain, c.State.Type, c.State.Protocol
		}
	}
}

// errnoName names an errno, including the restart codes a traced call can
// return when a signal interrupts it.
func errnoName(e int64) string {
	switch e {
	case 512:
		return "ERESTARTSYS"
	case 513:
		return "ERESTARTNOINTR"
	case 514:
		return "ERESTARTNOHAND"
	case 516:
		return "ERESTART_RESTARTBLOCK"
	}
	if n := unix.ErrnoName(unix.Errno(e)); n != "" {
		return n
	}
	return "errno " + strconv.FormatInt(e, 10)
}
