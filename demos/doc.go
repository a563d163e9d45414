// Package demos holds sockscope's built-in socket lessons and the isolated
// lab they run in.
//
// A Demo is a short script of real socket calls — socket, setsockopt, bind,
// listen, accept, connect, send, recv, sendto, recvfrom, shutdown, close —
// made by a few endpoints (goroutines) against the kernel through
// golang.org/x/sys/unix, so that it reads like the BSD API and Python's
// socket module that the tutorials teach. Each call goes through a Sock,
// which performs the system call and records a sockcall.Call: the time it
// returned, the endpoint, fd, arguments, result or errno name, a copy of the
// bytes, the addresses, and right after the call the socket's send and
// receive queues (SIOCOUTQ, SIOCINQ) and, for TCP, TCP_INFO. sockcall.Correlate
// ties these calls to the packets a capture sees.
//
// The demos, simplest first (List):
//
//	tcp-echo       handshake, data and ACKs, 粘包 (three sends, one recv), teardown from both sides
//	tcp-multi      a thread (goroutine) per client; three connections interleaved on the wire
//	udp-echo       sendto/recvfrom: no handshake, one datagram per call, boundaries kept
//	udp-broadcast  SO_BROADCAST to 127.255.255.255: one datagram, three receivers
//	unix-stream    AF_UNIX over a socket file: calls and buffers, no packets at all
//	partial-send   non-blocking send takes part, then EAGAIN; sendall waits for the reader (zero window, window update)
//	slow-reader    sendall blocks on a busy reader: both buffers full, zero window, persist probes, reading at its pace
//	udp-overflow   200 datagrams at a small receive buffer: no flow control, the kernel drops and counts
//	message-boundaries  recv(4) × 3 on one send, one recv for two sends; length prefix, delimiter; UDP cuts datagrams
//	nagle          write, write, read: Nagle waits for the delayed ACK (about 40 ms); TCP_NODELAY does not
//
// Each has per-step explanations in English and 简体中文. Endpoints order
// their steps with channels, never timers; Env.Pace only adds a pause
// between steps for a person to follow, and at Pace 0 a demo finishes in
// milliseconds.
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
// # Goroutines
//
// A demo's endpoints are goroutines; Env serialises their Record and
// OnStep callbacks, and Session serialises those with the capture
// goroutine's frames, so a Sink is never called concurrently. Every
// blocking socket call wakes when the demo's context is cancelled.
package demos
