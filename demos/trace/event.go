package trace

import (
	"io"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/sockscope/sockscope/demos/sockcall"
)

// Options say what to run and where its events go.
type Options struct {
	// Args is the command and its arguments. Args[0] is looked up in the
	// PATH of Env (as a shell would) unless it contains a slash.
	Args []string
	// Env is the command's environment; nil means the tracer's own.
	Env []string
	// Dir is the command's working directory; "" means the tracer's.
	Dir string
	// Stdin, Stdout and Stderr are the command's standard streams, as in
	// os/exec: an *os.File is passed as it is, any other reader or writer
	// through a pipe; nil is /dev/null.
	Stdin          io.Reader
	Stdout, Stderr io.Writer

	// ShimPath is the program started under ptrace that installs the
	// seccomp filter and then executes Args (see ShimMain). "" means
	// /proc/self/exe: the running program, whose main (or TestMain) must
	// call ShimMain first thing.
	ShimPath string

	// OnEvent receives every event, one at a time and in the order the
	// tracer saw them, from one goroutine that is not the tracer's (see the
	// package documentation). Every event's slices are its own: OnEvent
	// may keep them. nil discards the events (Stats still counts them).
	OnEvent func(Event)
	// Buffer is about how many events may wait for OnEvent (default 1024;
	// they are handed over in batches of up to 128, each at most 2 ms
	// after its first event). When it is full the tracer waits, and so do
	// the traced programs: memory stays bounded by Buffer events (plus a
	// batch) of at most MaxData bytes each.
	Buffer int
	// MaxData bounds the bytes copied per call (default 64 KiB); the
	// call's full length is reported all the same.
	MaxData int
}

// Kind says what an Event reports.
type Kind uint8

const (
	// CallStart: a thread entered a call that may wait (accept, connect,
	// recv and read on a blocking socket, send and write on a blocking
	// socket, poll, select and epoll_wait with a timeout that is not 0).
	// Call holds what was known at entry; the same Call.ID comes back in
	// a CallEnd.
	CallStart Kind = iota + 1
	// CallEnd: a call returned, with its full record (or the thread died
	// inside it: Call.Unfinished).
	CallEnd
	// Exec: a process started running a program (the command itself, or
	// a later execve); Proc names it.
	Exec
	// Fork: a new process appeared (fork, vfork or clone without
	// CLONE_THREAD); Parent is the pid that made it.
	Fork
	// Exit: a process ended; Status says how.
	Exit
	// Notice: something the person should know once (Note), such as
	// socket state being unavailable.
	Notice
)

func (k Kind) String() string {
	switch k {
	case CallStart:
		return "start"
	case CallEnd:
		return "end"
	case Exec:
		return "exec"
	case Fork:
		return "fork"
	case Exit:
		return "exit"
	case Notice:
		return "notice"
	}
	return "kind" + strconv.Itoa(int(k))
}

// Event is one thing the tracer saw. Events are values; the pointers in
// them are never changed after the event is sent.
type Event struct {
	Kind Kind
	// Time is when the tracer saw it (for calls: the entry stop for
	// CallStart, the exit stop for CallEnd), on the realtime clock that
	// packet timestamps use.
	Time time.Time
	// Proc is the process (never nil); Tid the thread (= Proc.Pid for a
	// single-threaded process).
	Proc *Process
	Tid  int

	Call   *Call      // CallStart, CallEnd
	Parent int        // Fork
	Status ExitStatus // Exit
	Note   string     // Notice
}

// Process is a traced process: its pid and the command line it was
// running when the event was made.
type Process struct {
	Pid int
	// Argv is /proc/pid/cmdline, one string per argument, with bytes
	// that are not printable UTF-8 written as \xNN (and a backslash as
	// \\), so it can go on a terminal as it is.
	Argv []string
}

// Name is the lane name: the program's base name, its arguments (a path
// cut to its last element) and the pid, "python3 server.py [412]", cut to
// about 60 characters.
func (p *Process) Name() string {
	if p == nil {
		return "?"
	}
	var b strings.Builder
	for i, a := range p.Argv {
		// Paths are cut to their last element ("python3 server.py", not
		// "/usr/bin/python3 /home/me/socket-lessons/server.py"): the lane
		// names the program, and a long directory would crowd out the
		// script's name.
		if j := strings.LastIndexByte(a, '/'); j >= 0 && j < len(a)-1 && !strings.HasPrefix(a, "-") {
			a = a[j+1:]
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		if a == "" || strings.ContainsAny(a, " \t'\"") {
			a = strconv.Quote(a)
		}
		b.WriteString(a)
		if b.Len() > 60 {
			break
		}
	}
	s := b.String()
	if r := []rune(s); len(r) > 60 {
		s = string(r[:59]) + "…"
	}
	if s == "" {
		s = "?"
	}
	return s + " [" + strconv.Itoa(p.Pid) + "]"
}

// ExitStatus is how a process ended: Code for a normal exit, Signal
// (non-zero) when a signal killed it.
type ExitStatus struct {
	Code   int
	Signal int
	// CoreDump says the killing signal dumped core.
	CoreDump bool
}

// Success reports a normal exit with code 0.
func (s ExitStatus) Success() bool { return s.Signal == 0 && s.Code == 0 }

func (s ExitStatus) String() string {
	if s.Signal != 0 {
		return "killed by signal " + signalName(s.Signal)
	}
	return "exit status " + strconv.Itoa(s.Code)
}

// Call is one traced system call on a socket.
type Call struct {
	// ID ties a CallStart to its CallEnd (1, 2, … per Tracer).
	ID uint64
	// Name is the system call's name ("sendto", "accept4", "epoll_pwait",
	// "ioctl" for FIONBIO); Nr its number on this architecture; Args its
	// six raw arguments as the thread passed them.
	Name string
	Nr   int
	Args [6]uint64
	// Start is the entry stop, End the exit stop (zero in a CallStart).
	Start, End time.Time
	// Ret is the return value; Errno names the error when it failed, as
	// the program saw it ("EAGAIN"; "EINTR" when a signal interrupted it
	// and it was not restarted), "" otherwise. A call that a signal
	// interrupted and the kernel restarted is one record, with the
	// restarted call's result (Stats.Restarted counts them).
	Ret   int64
	Errno string
	// Unfinished says the thread never returned from the call: it was
	// killed, or another thread exec'd, while the call was in progress.
	// End is when the tracer learnt it; Ret and the state mean nothing.
	Unfinished bool

	// FD is the socket the call is on (-1 for socket, socketpair and the
	// poll family); Inode is its socket:[inode], 0 when unknown.
	FD    int
	Inode uint64
	// NewFDs are the descriptors the call made: socket and accept (one),
	// socketpair (two), fcntl F_DUPFD (one); NewInode is the first one's
	// socket inode.
	NewFDs   []int
	NewInode uint64
	// Family, Type and Protocol are socket(2)'s and socketpair(2)'s
	// arguments; for other calls SO_DOMAIN, SO_TYPE and SO_PROTOCOL when
	// the state could be read (0 otherwise).
	Family, Type, Protocol int

	// Flags are the call's flags: MSG_* for send and recv calls, accept4's
	// SOCK_* flags.
	Flags int
	// Len is the bytes offered (send, write: the length or the iovecs'
	// sum) or the room given (recv, read); sendfile's count.
	Len int
	// Data is a copy of the bytes sent or received, at most
	// Options.MaxData of them; DataLen is how many the call moved (Ret for
	// most calls, the first message's for sendmmsg and recvmmsg).
	Data    []byte
	DataLen int
	// Addr is the address argument or result: bind's and connect's, the
	// destination of sendto/sendmsg, the source of recvfrom/recvmsg, the
	// peer accept returned, getsockname's and getpeername's result.
	Addr Addr
	// Msgs is sendmmsg's and recvmmsg's vlen (Ret says how many messages
	// went); only the first message's bytes and address are copied.
	Msgs int
	// MsgFlags are recvmsg's msg_flags on return (MSG_TRUNC, MSG_CTRUNC).
	MsgFlags int

	// Level and Option are setsockopt's and getsockopt's; OptVal their
	// value's bytes (at most 256) and OptInt it as an int when it is 4
	// bytes long (HasOptInt). ioctl(FIONBIO) puts its int in OptInt too.
	Level, Option int
	OptVal        []byte
	OptInt        int64
	HasOptInt     bool

	// Nonblocking says the call could not wait: the socket had O_NONBLOCK
	// when it was made, or the call passed MSG_DONTWAIT.
	Nonblocking bool
	// MayBlock says a CallStart was sent for this call.
	MayBlock bool
	// Slept says the thread left the CPU during the call: it was switched
	// in more than once between the entry and exit stops (the switch-in
	// count of /proc/pid/task/tid/schedstat), which is nearly always
	// because it slept, waiting; a preemption inside the call would count
	// too. Only measured for calls that may block (MayBlock).
	Slept bool

	// PollFDs are the sockets a poll, ppoll, select, pselect6 or
	// epoll_wait waited on, with what it asked for and what it got
	// (POLLIN, POLLOUT, … bits; select's read, write and except sets as
	// POLLIN, POLLOUT, POLLPRI; epoll's EPOLL* bits, which are the same).
	// OtherFDs counts the descriptors that were not sockets.
	PollFDs  []PollFD
	OtherFDs int
	// Timeout is the poll family's timeout, -1 for none (wait forever).
	Timeout time.Duration

	// State is the socket right after the call (for accept: the new
	// connection's).
	State SockState
}

// Waited is how long the call took, from entry stop to exit stop.
func (c *Call) Waited() time.Duration {
	if c.End.IsZero() {
		return 0
	}
	return c.End.Sub(c.Start)
}

// PollFD is one descriptor a poll-family call waited on.
type PollFD struct {
	FD      int
	Inode   uint64
	Events  uint32
	Revents uint32
}

// Addr is a socket address as a call passed or got it.
type Addr struct {
	Family int // AF_INET, AF_INET6, AF_UNIX; 0 when there was none
	// AddrPort is set for AF_INET and AF_INET6 (with the scope id as the
	// zone when it is not 0).
	AddrPort netip.AddrPort
	// Path is set for AF_UNIX: a file path, "@name" for an abstract
	// address (NUL bytes in it as \x00), "" for an unnamed socket.
	Path string
}

// IsZero reports that no address was given or returned.
func (a Addr) IsZero() bool { return a.Family == 0 }

func (a Addr) String() string {
	switch {
	case a.Family == 0:
		return ""
	case a.AddrPort.IsValid():
		return a.AddrPort.String()
	case a.Family == afUnix && a.Path == "":
		return "(unnamed)"
	case a.Family == afUnix:
		return a.Path
	}
	return sockcall.FamilyName(a.Family)
}

// SockState is what the kernel said about the socket right after the
// call, read through a duplicate of its descriptor (pidfd_getfd). Valid is
// false when it could not be read (closed sockets, pidfd_getfd not
// allowed); the numbers are then -1.
type SockState struct {
	Valid bool
	// SendQ is SIOCOUTQ and RecvQ SIOCINQ (for a TCP listener, like ss:
	// RecvQ the accept queue and SendQ the backlog).
	SendQ, RecvQ int
	// SndBuf and RcvBuf are SO_SNDBUF and SO_RCVBUF.
	SndBuf, RcvBuf int
	// TCP is TCP_INFO, TCP sockets only.
	TCP *sockcall.TCPInfo
	// Local and Peer are getsockname and getpeername.
	Local, Peer Addr
	// Domain, Type and Protocol are SO_DOMAIN, SO_TYPE and SO_PROTOCOL.
	Domain, Type, Protocol int
}

// noState is a SockState that says nothing.
var noState = SockState{SendQ: -1, RecvQ: -1, SndBuf: -1, RcvBuf: -1}

// Stats count what the tracer did; read them with Tracer.Stats at any
// time.
type Stats struct {
	// Stops is every seccomp stop (each a system call the filter sent to
	// the tracer).
	Stops uint64
	// Calls is the socket calls reported (CallEnd events).
	Calls uint64
	// NotSocket is the calls dropped because their descriptor was not a
	// socket (file reads and writes, a poll on pipes only).
	NotSocket uint64
	// Shim is the stops of the shim itself before it exec'd the command,
	// let through unrecorded.
	Shim uint64
	// Restarted is the calls a signal interrupted that went on as the
	// same call (restarted by the kernel, or made again at once by the
	// program, as Python does after EINTR): one record each.
	Restarted uint64
	// Events is the events handed to OnEvent.
	Events uint64
}
