// Package demos holds sockscope's built-in socket lessons and the isolated
// lab they run in.
//
// A Demo is a short script of real socket calls — socket, setsockopt, bind,
// listen, accept, connect, send, recv, sendto, recvfrom, shutdown, close —
// made by a few endpoints (goroutines) against the kernel through
// golang.org/x/sys/unix, so that it reads like the BSD API and Python's
// socket module that the tutorials teach. Each call goes through a Sock,
// which performs the system call and records a sockcall.Call: when it was
// made and when it returned, the endpoint, fd, arguments, flags, result or
// errno name, a copy of the bytes, the addresses, and right after the call
// the socket's send and receive queues (SIOCOUTQ, SIOCINQ), SO_SNDBUF and
// SO_RCVBUF and, for TCP, TCP_INFO — and the queues of every other socket of
// the lesson too (the bytes of a send wait in the peer's receive buffer,
// which only the peer's socket can tell). sockcall.Correlate ties these
// calls to the packets a capture sees; demos/timeline models the run.
//
// The demos, simplest first (List; Topics groups them as the tutorials
// teach them):
//
//	tcp-echo            handshake, data and ACKs, 粘包 (three sends, one recv), teardown from both sides
//	tcp-multi           a thread (goroutine) per client; three connections open at once; getsockname, getpeername; the listener closed, the connections go on
//	blocking            a blocking recv waits; non-blocking: EAGAIN; a 0.5 s timeout; non-blocking connect: EINPROGRESS, poll, SO_ERROR
//	ipv6                the echo over ::1: (host, port, flowinfo, scope_id), IPv6 headers; a dual-stack listener sees IPv4 as ::ffff:127.0.0.1
//	udp-echo            sendto/recvfrom: no handshake, one datagram per call, boundaries kept
//	udp-broadcast       SO_BROADCAST to 127.255.255.255: one datagram, three receivers
//	unix-stream         AF_UNIX over a socket file: calls and buffers, no packets at all
//	socket-types        SOCK_SEQPACKET: one recv per send; SOCK_RAW: an ICMP echo request by hand; gethostbyname: the hosts file, then one DNS query and answer
//	partial-send        non-blocking send takes part, then EAGAIN; sendall waits for the reader (zero window, window update)
//	slow-reader         sendall blocks on a busy reader: both buffers full, zero window, persist probes, reading at its pace
//	udp-overflow        200 datagrams at a small receive buffer: no flow control, the kernel drops and counts
//	message-boundaries  recv(4) × 3 on one send, one recv for two sends 0.1 s apart; length prefix, delimiter, makefile's readline; UDP cuts datagrams
//	nagle               write, write, read: Nagle waits for the delayed ACK (about 40 ms); TCP_NODELAY does not
//	peer-close          recv returns b'' after the peer's FIN; a send draws RST, the next fails with EPIPE; close with unread data sends RST: ECONNRESET
//	refused             connect to a closed port: SYN, RST/ACK, ECONNREFUSED; connected UDP learns of ICMP port unreachable, unconnected does not
//	time-wait           the side that closes first holds TIME-WAIT, without a descriptor; bind fails with EADDRINUSE, SO_REUSEADDR gets past it
//	backlog             listen(1), no accept: two connections queued (Recv-Q 2, Send-Q 1), the third SYN dropped and retransmitted until accept
//	half-close          shutdown(SHUT_WR) sends FIN, the server reads to b'' and answers; the client still receives in FIN-WAIT-2
//
// Each has per-step explanations in English and 简体中文. Endpoints order
// their steps with channels, never with timers as synchronisation (a pause
// that is the lesson, like slow-reader's busy reader, is not); Env.Pace
// only adds a pause between steps for a person to follow. At Pace 0 a
// lesson finishes in well under a second, except where a kernel timer is
// the lesson (slow-reader's persist timer, nagle's delayed ACK, backlog's
// SYN retransmission: about 1 s, 0.2 s and 1 s) or a wait is (blocking's
// busy peer and its 0.5 s timeout: 0.8 s in all).
//
// # A new lesson
//
// A lesson is one file plus its registration and its tests:
//
//  1. demos/NAME.go: a *Demo with Name (what `sockscope demo NAME` takes),
//     Title/TitleZH, Summary/SummaryZH and its Steps, each with
//     Title/TitleZH and Explain/ExplainZH in English and 简体中文, naming
//     the Python call the tutorials use. Run starts the endpoints (newGroup,
//     one goroutine each, a Sock per socket from env.NewSock), orders them
//     with signals (newSignal, fire, wait), and enters each step with
//     env.Step once the previous step's calls have returned. Fixed ports
//     of its own (see the other lessons; the lab gives every run a
//     namespace, so they never collide with the host's).
//  2. Words: Explain says only what is true of every run. Whatever depends
//     on what the kernel did this time (how many bytes a send took, how the
//     close went, how long a segment waited) goes in Step.Outcome, computed
//     from the sockcall.Run, saying nothing until its facts are in
//     (lesson_facts.go has the helpers). Compare frames with frames and
//     calls with calls: a frame's capture time can trail the call that
//     caused it by tens of microseconds. Demo.Check verifies each fixed
//     claim against a finished run.
//  3. Register it in List (catalog.go), in teaching order.
//  4. demos/NAME_test.go: run it in the lab (runDemo) and assert the calls
//     and the wire it teaches — bytes, flags, states, expert flags, times.
//     TestLessonClaims already runs every registered lesson
//     SOCKSCOPE_LESSON_RUNS times through Check and the Outcomes,
//     TestOutcomesWaitForFacts feeds its Outcomes every part of a run, and
//     demos/timeline's TestKernelAgreement compares the buffer model with
//     the kernel's samples of it.
//  5. A line in the README's lesson table.
//
// Nothing else changes: the text and JSON printers and the demo view all
// render demos/timeline's model of the run, which knows calls, frames and
// buffers, not lessons.
//
// # The lab
//
// Demos use fixed ports, so they run in a network namespace of their own
// (RunIsolated): the program re-executes itself with CLONE_NEWUSER|
// CLONE_NEWNET as an ordinary user (uid and gid mapped to 0 inside), or
// CLONE_NEWNET as root; the child's main calls MaybeChild, which brings the
// namespace's loopback up, and then runs the demo (and the capture on lo).
// The host's network is never touched. The lab also has a mount namespace
// with a tmpfs of its own over the temporary directory, so a demo's files
// (unix-stream's socket file) vanish with the lab even if it is killed. A
// binary with file capabilities (the capture setup) first gives them up in
// a relay process, since the kernel refuses the lab's uid_map to a process
// holding them. Where user namespaces are switched off, RunIsolated returns
// a one-line *NamespaceError that names --host-net.
//
// main and TestMain start with:
//
//	demos.MaybeChild() // in the lab child: sets up lo; InLab() is now true
//
// and the demo command does:
//
//	if !demos.InLab() && !hostNet {
//		return demos.RunIsolated(ctx, demos.LabOptions{}) // same args, same stdio
//	}
//	d, _ := demos.Get(name)
//	s := &demos.Session{Demo: d, Pace: pace, Sink: func(e demos.Event) { … }}
//	return s.Run(ctx) // a live capture on lo, the demo, then every queued frame
//
// A Session hands its sink four kinds of events: a step begins, a call that
// may wait was just made (Started: accept, connect, recv, a blocking send —
// the views show it waiting until it returns), a call returned (with its
// result and the kernel's samples), and a frame was captured.
//
// # Traced programs
//
// NewTrace (traced.go) makes a Demo of the user's own programs for
// `sockscope trace`: each program is a step, run under demos/trace's
// ptrace tracer, and each call it reports goes through the same Env (its
// own start and return times, the tracer's record of the socket's state),
// so a Session, the timeline and the views take a trace as they take a
// lesson. The lab is the same, except that the host's temporary directory
// stays visible (LabOptions.SharedTmp: the programs may live there). The
// next program starts once the one before sleeps in a call that waits for
// a peer (accept, recv, recvfrom, poll: its thread's state in /proc), has
// exited, or after ReadyAfter. Traced programs get no kernel samples of
// other sockets; the socket table names the program holding each socket
// by the inodes the tracer saw.
//
// # Goroutines
//
// A demo's endpoints are goroutines; Env serialises their Record and
// OnStep callbacks, and Session serialises those with the capture
// goroutine's frames, so a Sink is never called concurrently. Every
// blocking socket call wakes when the demo's context is cancelled. A trace
// runs one tracer per program (each with its own goroutines, see
// demos/trace); their OnEvent callbacks record through the same Env, and a
// program's output goes to TraceOptions.Output from its output pipe's
// goroutine, serialised.
package demos
