package trace

import (
	"strconv"
	"strings"

	"github.com/sockscope/sockscope/demos/sockcall"
)

// Op is the call's name as the lessons write it: send and recv for
// sendto and recvfrom without an address (what libc's send and recv make),
// accept for accept4; otherwise Name.
func (c *Call) Op() string {
	switch c.Name {
	case "sendto":
		if c.Args[4] == 0 {
			return "send"
		}
	case "recvfrom":
		if c.Args[4] == 0 {
			return "recv"
		}
	case "accept4":
		return "accept"
	}
	return c.Name
}

// Describe writes the call's arguments as a person reads them, in the
// lessons' form: "AF_INET, SOCK_STREAM", "127.0.0.1:7001", "\"hello\"",
// "SOL_SOCKET, SO_REUSEADDR, 1", "SHUT_WR", "F_SETFL, O_RDWR|O_NONBLOCK",
// "fd 3 POLLIN, 1000 ms".
func (c *Call) Describe() string {
	a := c.Args
	var parts []string
	add := func(s string) {
		if s != "" {
			parts = append(parts, s)
		}
	}
	switch c.Name {
	case "socket", "socketpair":
		add(sockcall.FamilyName(c.Family))
		add(sockcall.TypeName(c.Type))
		if c.Protocol != 0 {
			add(strconv.Itoa(c.Protocol))
		}
	case "bind", "connect":
		add(c.Addr.String())
	case "listen":
		add(strconv.Itoa(int(int32(a[1]))))
	case "accept4":
		if c.Flags != 0 {
			add(sockcall.TypeName(c.Flags)[strings.IndexByte(sockcall.TypeName(c.Flags), '|')+1:])
		}
	case "sendto", "sendmsg", "sendmmsg", "write", "writev":
		add(quote(c.Data))
		if c.Name == "sendto" || c.Name == "sendmsg" || c.Name == "sendmmsg" {
			add(c.Addr.String())
			add(sockcall.MsgFlagNames(c.Flags &^ msgNosignal))
		}
	case "recvfrom", "recvmsg", "recvmmsg", "read", "readv":
		add(strconv.Itoa(c.Len))
		add(sockcall.MsgFlagNames(c.Flags))
	case "sendfile":
		add("in fd " + strconv.Itoa(int(int32(a[1]))))
		add(strconv.Itoa(c.Len))
	case "shutdown":
		add(sockcall.ShutName(int(int32(a[1]))))
	case "setsockopt":
		s := sockcall.OptName(c.Level, c.Option)
		if c.HasOptInt {
			s += ", " + strconv.FormatInt(c.OptInt, 10)
		} else {
			s += ", " + quote(c.OptVal)
		}
		add(s)
	case "getsockopt":
		add(sockcall.OptName(c.Level, c.Option))
	case "fcntl":
		cmd := int(int32(a[1]))
		add(sockcall.FcntlName(cmd))
		switch cmd {
		case fSetfl:
			add(sockcall.OpenFlagNames(int(a[2])))
		case fDupfd, fDupfdCloexec, fSetfd:
			add(strconv.Itoa(int(int32(a[2]))))
		}
	case "ioctl":
		add("FIONBIO")
		if c.HasOptInt {
			add(strconv.FormatInt(c.OptInt, 10))
		}
	case "poll", "ppoll", "select", "pselect6", "epoll_wait", "epoll_pwait", "epoll_pwait2":
		if strings.HasPrefix(c.Name, "epoll") {
			add("epfd " + strconv.Itoa(int(int32(a[0]))))
		}
		for _, p := range c.PollFDs {
			add("fd " + strconv.Itoa(p.FD) + " " + sockcall.PollNames(p.Events))
		}
		if c.OtherFDs > 0 {
			add("+" + strconv.Itoa(c.OtherFDs) + " other fds")
		}
		switch {
		case c.Timeout < 0:
			add("no timeout")
		default:
			add(sockcall.FormatDuration(c.Timeout))
		}
	}
	return strings.Join(parts, ", ")
}

// Result writes the outcome: "7", "-1 EAGAIN", "unfinished", with the
// poll family's ready descriptors ("1: fd 3 POLLIN").
func (c *Call) Result() string {
	switch {
	case c.Unfinished:
		return "unfinished"
	case c.Errno != "":
		return "-1 " + c.Errno
	}
	s := strconv.FormatInt(c.Ret, 10)
	var ready []string
	for _, p := range c.PollFDs {
		if p.Revents != 0 {
			ready = append(ready, "fd "+strconv.Itoa(p.FD)+" "+sockcall.PollNames(p.Revents))
		}
	}
	if len(ready) > 0 {
		s += ": " + strings.Join(ready, ", ")
	}
	return s
}

// Record is the call as the lessons' record (sockcall.Call), for the
// timeline, the correlator and the views: Endpoint is the lane name
// (Process.Name, with the thread id when it is not the process's), Op the
// lessons' name, Args Describe. Number, Step and the Kernel samples are the
// caller's to fill. The zero Call for events that are not calls.
func (e Event) Record() sockcall.Call {
	c := e.Call
	if c == nil {
		return sockcall.Call{}
	}
	r := sockcall.Call{
		Sec: c.End.Unix(), Nsec: int64(c.End.Nanosecond()),
		StartSec: c.Start.Unix(), StartNsec: int64(c.Start.Nanosecond()),
		Endpoint: e.Proc.Name(),
		FD:       c.FD,
		Op:       c.Op(),
		Args:     c.Describe(),
		Len:      c.Len,
		Ret:      int(c.Ret),
		Errno:    c.Errno,
		Data:     c.Data,
		Proto:    protoName(c),
		SendQ:    c.State.SendQ, RecvQ: c.State.RecvQ,
		SndBuf: c.State.SndBuf, RcvBuf: c.State.RcvBuf,
		TCP:         c.State.TCP,
		Flags:       sockcall.MsgFlagNames(c.Flags &^ msgNosignal),
		Waited:      c.Slept,
		Nonblocking: c.Nonblocking,
	}
	if e.Tid != 0 && e.Proc != nil && e.Tid != e.Proc.Pid {
		r.Endpoint += " thread " + strconv.Itoa(e.Tid)
	}
	if c.End.IsZero() { // a CallStart: not returned yet
		r.Sec, r.Nsec = 0, 0
	}
	if c.Errno != "" {
		r.Ret = -1
	}
	if c.Unfinished { // the thread died inside the call: it has no result
		r.Ret, r.Errno = -1, sockcall.Unfinished
	}
	if c.FD < 0 && len(c.NewFDs) > 0 {
		r.FD = c.NewFDs[0]
	}
	if !strings.HasPrefix(c.Name, "send") && !strings.HasPrefix(c.Name, "recv") &&
		c.Name != "accept" && c.Name != "accept4" {
		r.Flags = ""
	}
	r.Local, r.Peer = c.State.Local.AddrPort, c.State.Peer.AddrPort
	r.Path = c.State.Local.Path
	if r.Path == "" {
		r.Path = c.State.Peer.Path
	}
	switch c.Op() {
	case "sendto", "recvfrom", "sendmsg", "recvmsg", "sendmmsg", "recvmmsg":
		if c.Addr.AddrPort.IsValid() { // the datagram's destination or source
			r.Peer = c.Addr.AddrPort
		} else if c.Addr.Path != "" {
			r.Path = c.Addr.Path
		}
	}
	return r
}

// protoName is "tcp", "udp" or "unix" (the lessons' Proto), "" otherwise.
func protoName(c *Call) string {
	fam, typ := c.Family, c.Type&0xf
	if fam == 0 {
		fam, typ = c.State.Domain, c.State.Type&0xf
	}
	switch {
	case fam == afUnix:
		return "unix"
	case (fam == afInet || fam == afInet6) && typ == sockStream:
		return "tcp"
	case (fam == afInet || fam == afInet6) && typ == sockDgram:
		return "udp"
	}
	return ""
}
