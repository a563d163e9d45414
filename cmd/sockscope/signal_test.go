//go:build linux

package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/sockscope/sockscope/internal/ptytest"

	"golang.org/x/sys/unix"

	"github.com/sockscope/sockscope/capture"
)

// Ctrl-C and SIGTERM end a replay that waits for bytes: a FIFO nobody
// writes to, a FIFO whose writer sent three packets and went quiet, and
// "replay -" reading a terminal. The real binary runs; the test waits for
// an event that says it is waiting (it opened the FIFO or the terminal —
// inotify; it read the bytes written — inotify), signals it, and wants it
// gone within exitLimit with status 0 and what it read printed and written.

const exitLimit = 5 * time.Second

// pipeBuf is PIPE_BUF on Linux: a write of at most this many bytes to a
// pipe is atomic.
const pipeBuf = 4096

// threePacketCapture returns a classic pcap of the first three packets of
// testdata/tcp-echo.pcapng and the --no-ui lines replay prints for it.
func threePacketCapture(t *testing.T, bin string, extra ...string) (pcap []byte, want string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "three.pcap")
	if out, err := exec.Command(bin, "replay", "testdata/tcp-echo.pcapng", "-c", "3", "-w", path).CombinedOutput(); err != nil {
		t.Fatalf("making three.pcap: %v\n%s", err, out)
	}
	pcap, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(pcap) > pipeBuf {
		t.Fatalf("three.pcap is %d bytes: more than one atomic pipe write", len(pcap))
	}
	out, err := exec.Command(bin, append([]string{"replay", path}, extra...)...).Output()
	if err != nil || !strings.HasSuffix(string(out), "\n") {
		t.Fatalf("replay three.pcap %v: %v\n%s", extra, err, out)
	}
	return pcap, string(out)
}

// watcher reports inotify events on one path.
type watcher struct {
	t  *testing.T
	fd int
}

func watch(t *testing.T, path string, mask uint32) *watcher {
	t.Helper()
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	if _, err := unix.InotifyAddWatch(fd, path, mask); err != nil {
		t.Fatalf("inotify %s: %v", path, err)
	}
	return &watcher{t: t, fd: fd}
}

// wait waits for an event in mask (at most exitLimit).
func (w *watcher) wait(what string, mask uint32) {
	w.t.Helper()
	deadline := time.Now().Add(exitLimit)
	buf := make([]byte, 4096)
	for {
		left := time.Until(deadline)
		if left <= 0 {
			w.t.Fatalf("%s: no such event within %v", what, exitLimit)
		}
		pfd := []unix.PollFd{{Fd: int32(w.fd), Events: unix.POLLIN}}
		if n, err := unix.Poll(pfd, int(left/time.Millisecond)+1); err != nil && err != unix.EINTR {
			w.t.Fatal(err)
		} else if n == 0 {
			continue
		}
		n, err := unix.Read(w.fd, buf)
		if err != nil {
			w.t.Fatal(err)
		}
		for i := 0; i+unix.SizeofInotifyEvent <= n; {
			ev := (*unix.InotifyEvent)(unsafe.Pointer(&buf[i]))
			if ev.Mask&mask != 0 {
				return
			}
			i += unix.SizeofInotifyEvent + int(ev.Len)
		}
	}
}

// started is a running sockscope with its output captured.
type started struct {
	cmd            *exec.Cmd
	stdout, stderr bytes.Buffer
	waited         chan error
}

func start(t *testing.T, bin string, stdin *os.File, args ...string) *started {
	t.Helper()
	s := &started{cmd: exec.Command(bin, args...), waited: make(chan error, 1)}
	s.cmd.Stdin = stdin
	s.cmd.Stdout, s.cmd.Stderr = &s.stdout, &s.stderr
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.waited <- s.cmd.Wait() }()
	t.Cleanup(func() {
		if s.cmd.ProcessState == nil {
			s.cmd.Process.Kill()
			<-s.waited
		}
	})
	return s
}

// stop sends sig and wants the process to exit with status 0 within
// exitLimit.
func (s *started) stop(t *testing.T, sig syscall.Signal) {
	t.Helper()
	select {
	case err := <-s.waited:
		t.Fatalf("exited before %v: %v\nstderr: %s", sig, err, s.stderr.String())
	default:
	}
	signalAndWait(t, s.cmd, s.waited, &s.stderr, sig, "")
}

// signalAndWait sends sig to cmd and wants it to exit with status 0 (its
// result arrives on waited) within exitLimit, logging how long it took;
// when names the situation in the messages (" with stdout full").
func signalAndWait(t *testing.T, cmd *exec.Cmd, waited <-chan error, stderr *bytes.Buffer, sig syscall.Signal, when string) {
	t.Helper()
	at := time.Now()
	if err := cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-waited:
		t.Logf("exited %v after %v%s", time.Since(at).Round(time.Microsecond), sig, when)
		if err != nil {
			t.Fatalf("after %v%s: %v (want status 0)\nstderr: %s", sig, when, err, stderr.String())
		}
	case <-time.After(exitLimit):
		t.Fatalf("still running %v after %v%s", exitLimit, sig, when)
	}
}

func mkfifo(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "fifo")
	if err := unix.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// No writer ever comes: the open must not hold Ctrl-C up.
func TestSignalFIFONoWriter(t *testing.T) {
	bin := sockscopeBinary(t)
	for _, args := range [][]string{{"--no-ui"}, {"--json"}, {"--conversations"}} {
		t.Run(args[0], func(t *testing.T) {
			fifo := mkfifo(t)
			w := watch(t, fifo, unix.IN_OPEN)
			s := start(t, bin, nil, append([]string{"replay", fifo}, args...)...)
			w.wait("sockscope opens the FIFO", unix.IN_OPEN)
			s.stop(t, syscall.SIGINT)
			if s.stdout.Len() != 0 || s.stderr.Len() != 0 {
				t.Errorf("stdout %q, stderr %q", s.stdout.String(), s.stderr.String())
			}
		})
	}
}

// The writer sends a header and three packets and stays, silent: the
// three lines are printed, -w's file holds the three packets and is
// complete, for SIGINT and for SIGTERM.
func TestSignalFIFOQuietWriter(t *testing.T) {
	bin := sockscopeBinary(t)
	pcap, want := threePacketCapture(t, bin, "--no-ui")
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			fifo := mkfifo(t)
			out := filepath.Join(t.TempDir(), "out.pcapng")
			s := start(t, bin, nil, "replay", fifo, "--no-ui", "-w", out)
			quietWriter(t, fifo, pcap)
			s.stop(t, sig)
			if got := s.stdout.String(); got != want {
				t.Errorf("stdout:\n%s\nwant:\n%s", got, want)
			}
			if s.stderr.Len() != 0 {
				t.Errorf("stderr: %s", s.stderr.String())
			}
			r, err := capture.Open(out)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			var f capture.Frame
			n := 0
			for err = r.Next(&f); err == nil; err = r.Next(&f) {
				n++
			}
			if n != 3 || err != io.EOF {
				t.Errorf("%s: %d packets then %v; want 3 then EOF", out, n, err)
			}
		})
	}
	// The analysis views print what they found in the packets read.
	for _, view := range [][]string{{"--conversations"}, {"--follow", "tcp:0"}, {"--ladder", "tcp:0"}} {
		t.Run(view[0], func(t *testing.T) {
			_, want := threePacketCapture(t, bin, view...)
			fifo := mkfifo(t)
			s := start(t, bin, nil, append([]string{"replay", fifo}, view...)...)
			quietWriter(t, fifo, pcap)
			s.stop(t, syscall.SIGINT)
			if got := s.stdout.String(); got != want {
				t.Errorf("stdout:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

// quietWriter opens fifo for writing (that waits for sockscope to open it
// for reading), writes data in one write and waits until sockscope has
// read it; the write end stays open until the test ends.
func quietWriter(t *testing.T, fifo string, data []byte) {
	t.Helper()
	w := watch(t, fifo, unix.IN_ACCESS)
	opened := make(chan *os.File, 1)
	go func() {
		f, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err != nil {
			t.Error(err)
		}
		opened <- f
	}()
	var f *os.File
	select {
	case f = <-opened:
	case <-time.After(exitLimit):
		t.Fatalf("sockscope did not open %s within %v", fifo, exitLimit)
	}
	if f == nil {
		t.FailNow()
	}
	t.Cleanup(func() { f.Close() })
	if _, err := f.Write(data); err != nil { // one write of < PIPE_BUF bytes: one read takes it all
		t.Fatal(err)
	}
	w.wait("sockscope reads the FIFO", unix.IN_ACCESS)
}

// "replay -" with a terminal on standard input: nothing comes, Ctrl-C ends it.
func TestSignalStdinTerminal(t *testing.T) {
	bin := sockscopeBinary(t)
	_, pts := ptytest.Open(t)
	name := pts.Name()
	w := watch(t, name, unix.IN_OPEN)
	s := start(t, bin, pts, "replay", "-", "--no-ui")
	// sockscope opens the terminal anew (/proc/self/fd/0) to wait on it.
	w.wait("sockscope opens its terminal", unix.IN_OPEN)
	s.stop(t, syscall.SIGINT)
	if s.stdout.Len() != 0 || s.stderr.Len() != 0 {
		t.Errorf("stdout %q, stderr %q", s.stdout.String(), s.stderr.String())
	}
	fl, err := unix.FcntlInt(pts.Fd(), unix.F_GETFL, 0)
	if err != nil || fl&unix.O_NONBLOCK != 0 {
		t.Errorf("the terminal's shared description is non-blocking now (flags %#x, %v)", fl, err)
	}
}

// The inspector on a FIFO comes up before any byte is written, saying it
// waits for data, and q quits it — with no writer at all, and with a writer
// that sent three packets and stays open, silent.
func TestReplayUIFIFOTmux(t *testing.T) {
	if testing.Short() {
		t.Skip("drives the binary in tmux")
	}
	tmux, err := exec.LookPath("tmux")
	if err != nil {
		t.Skip("tmux is not installed")
	}
	bin := sockscopeBinary(t)
	pcap, _ := threePacketCapture(t, bin, "--no-ui")
	for _, write := range []bool{false, true} {
		t.Run("writer="+strconv.FormatBool(write), func(t *testing.T) {
			fifo := mkfifo(t)
			term := newTmux(t, tmux, 160, 40)
			term.waitFor("the prompt", paneHas("PROMPT$"))
			term.keys(bin+" replay "+fifo, "Enter")
			term.waitFor("the inspector, waiting", paneHas("Protocol", "0 packets", "waiting for data"))
			if write {
				quietWriter(t, fifo, pcap)
				term.waitFor("three packets", paneHas("3 packets", "reading", "not a regular file"))
			}
			at := time.Now()
			term.keys("q")
			s := term.waitFor("the shell prompt again", func(s string) bool {
				lines := strings.Split(strings.TrimRight(s, "\n "), "\n")
				return strings.TrimSpace(lines[len(lines)-1]) == "PROMPT$"
			})
			t.Logf("prompt back %v after q (tmux polled every 50 ms)", time.Since(at).Round(time.Millisecond))
			if strings.Contains(s, "Protocol") {
				t.Errorf("the UI is still on the screen after q:\n%s", s)
			}
			term.keys("echo status=$?", "Enter")
			term.waitFor("the exit status", paneHas("status=0"))
		})
	}
}

// "replay -" in the inspector, with the terminal on both stdin and stdout:
// the keys and the capture would come from the same terminal, so it is a
// usage error (exit 2), said in one line, before the screen is touched.
func TestReplayStdinTerminalInspectorIsUsageError(t *testing.T) {
	bin := sockscopeBinary(t)
	_, pts := ptytest.Open(t)
	cmd := exec.Command(bin, "replay", "-")
	cmd.Stdin, cmd.Stdout = pts, pts
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.WaitDelay = time.Second
	err := cmd.Run()
	var xe *exec.ExitError
	if !errors.As(err, &xe) || xe.ExitCode() != 2 || strings.Count(stderr.String(), "\n") != 1 || !strings.Contains(stderr.String(), "stdin is a terminal") {
		t.Fatalf("replay - on a terminal: %v, stderr %q; want exit 2 and one line", err, stderr.String())
	}
}
