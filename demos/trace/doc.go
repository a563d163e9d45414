// Package trace runs a command under ptrace and reports the socket calls of
// every process and thread it starts: the tracer core of `sockscope trace`
// (issue 11). It owns the traced processes (starting them, following their
// forks, clones and execs, stopping them when asked) and the reading of
// their calls; it does not own the lab, the capture, the timeline or the
// views, which take its events.
//
// # How a command is traced
//
// Start runs a shim — this same program (/proc/self/exe, or
// Options.ShimPath) with a marker in its environment — under
// PTRACE_TRACEME. The shim is recognised by ShimMain, which the program's
// main (and a test binary's TestMain) calls first: it sets
// PR_SET_NO_NEW_PRIVS, installs a seccomp-BPF filter on all its threads and
// execve's the command. The filter (filter_linux.go) returns
// SECCOMP_RET_TRACE for the socket calls (socket … epoll_pwait, the list in
// syscalls_amd64.go and syscalls_arm64.go, plus ioctl FIONBIO, which is
// Python's setblocking) and SECCOMP_RET_ALLOW for everything else, so the
// other calls never reach the tracer and cost nothing. A traced call stops
// the thread at entry (a seccomp stop); the tracer reads its arguments
// with PTRACE_GET_SYSCALL_INFO, and either lets it go (a read or write on a
// file, a poll on pipes: counted in Stats.NotSocket) or resumes it with
// PTRACE_SYSCALL to stop it again at this call's exit, where it reads the
// result, the bytes received and the socket's state, and lets it go on
// with PTRACE_CONT.
//
// Bytes are copied from the process with process_vm_readv (at most
// Options.MaxData per call). The socket's state after the call — SIOCOUTQ,
// SIOCINQ, SO_SNDBUF, SO_RCVBUF, TCP_INFO, its names, SO_DOMAIN, SO_TYPE,
// SO_PROTOCOL — is read from the tracer's own duplicate of the descriptor
// (pidfd_getfd), closed before the thread goes on. Which descriptors are
// sockets is learnt from /proc/pid/fd and kept per process until close,
// dup2, dup3, close_range or exec can change it.
//
// # Goroutines
//
// Start starts these goroutines:
//
//   - The tracer goroutine locks its OS thread for its whole life and never
//     unlocks it: that thread is the tracer of every traced thread, so every
//     ptrace request and every wait4 (with __WNOTHREAD: never another
//     goroutine's child) is made from it, and it alone owns the traced
//     processes' state. It adds each event to a batch.
//   - A flusher goroutine hands the batch to a bounded channel at most 2 ms
//     after its first event; the tracer hands it over itself when it holds
//     128 events. When the channel is full (Options.Buffer events) the
//     tracer waits, and the traced programs wait with it: memory stays
//     bounded and no event is dropped. (One goroutine wake-up per event
//     cost more than the rest of a traced call.)
//   - The forwarding goroutine takes the batches from the channel and calls
//     Options.OnEvent, one event at a time, in the order the tracer saw
//     them. So OnEvent is never called on the tracer's thread, may take its
//     time, and may call Stats or Pid, but must not wait for Wait.
//   - A goroutine watches ctx: when it is cancelled it sends SIGINT to
//     every traced process, and SIGKILL 2 s later to those left (and to any
//     process that appears after).
//   - Stdin, Stdout or Stderr that are not files get a copying goroutine
//     each, as in os/exec.
//
// Wait returns when every traced process has ended, OnEvent has returned
// for the last event, and the copying is done.
//
// # Limits
//
// Linux on amd64 and arm64 only (PTRACE_GET_SYSCALL_INFO: Linux 5.3;
// pidfd_getfd: 5.6; elsewhere Start returns ErrUnsupported). Calls made
// through another ABI (a 32-bit program) are not traced, and x32 calls are
// refused with ENOSYS. The tracer uses PTRACE_TRACEME, not PTRACE_SEIZE,
// so a traced program stopped by SIGSTOP or SIGTSTP is resumed at once
// (job control does not stop it). Set-uid programs run without their
// privileges (PR_SET_NO_NEW_PRIVS). Descriptors shared between processes
// with clone(CLONE_FILES) but not CLONE_THREAD, and descriptors changed
// through io_uring, may be misclassified until they are closed.
package trace
