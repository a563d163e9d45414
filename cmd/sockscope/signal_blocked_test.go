//go:build linux

package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sockscope/sockscope/capture"
	"github.com/sockscope/sockscope/internal/flowgen"
)

// Ctrl-C and SIGTERM end sockscope while nobody reads its output: stdout
// is a pipe the test never reads, so it fills and the writer sits in
// write(2). The real binary runs; the test waits for the event that says
// the pipe is full (FIONREAD reaches the pipe's capacity), signals, and
// wants the process gone within exitLimit (a hang detector: the rule is
// outputGrace, about 100 ms) with status 0, and -w's file complete.

// blockedFrames is enough UDP frames for several MiB of --no-ui lines:
// more than the pipe and the three 1 MiB output buffers hold.
const blockedFrames = 50000

// blockedCapture returns a classic pcap of blockedFrames UDP datagrams of
// one flow (udp:0), and its path.
func blockedCapture(t *testing.T) (data []byte, path string) {
	t.Helper()
	var b bytes.Buffer
	b.Write(pcapHeader())
	payload := strings.Repeat("p", 32)
	for i := 0; i < blockedFrames; i++ {
		b.Write(pcapUDPRecord(int64(i), payload))
	}
	path = filepath.Join(t.TempDir(), "udp.pcap")
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return b.Bytes(), path
}

// blockedRun is sockscope with stdout a pipe nobody reads.
type blockedRun struct {
	cmd    *exec.Cmd
	r      *os.File // the pipe's read end, never read
	stderr bytes.Buffer
	waited chan error
}

func startBlocked(t *testing.T, bin string, stdin io.Reader, args ...string) *blockedRun {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	b := &blockedRun{cmd: exec.Command(bin, args...), r: r, waited: make(chan error, 1)}
	b.cmd.Stdin, b.cmd.Stdout, b.cmd.Stderr = stdin, w, &b.stderr
	if err := b.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	go func() { b.waited <- b.cmd.Wait() }()
	t.Cleanup(func() {
		if b.cmd.ProcessState == nil {
			b.cmd.Process.Kill()
			<-b.waited
		}
		r.Close()
	})
	return b
}

// waitFull waits until sockscope's writer is blocked in write(2) on its
// stdout with the pipe full: it holds the pipe's capacity, or within a
// page of it while a thread sits in write(2) on fd 1. (A pipe takes a
// write's tail into its last, partly filled page only when all of it
// fits there, so writes of some sizes block with a few hundred bytes of
// that page free.)
func (b *blockedRun) waitFull(t *testing.T) {
	t.Helper()
	fd := int(b.r.Fd())
	capacity, err := unix.FcntlInt(uintptr(fd), unix.F_GETPIPE_SZ, 0)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(exitLimit)
	for {
		n, err := unix.IoctlGetInt(fd, unix.TIOCINQ) // FIONREAD
		if err != nil {
			t.Fatal(err)
		}
		if n >= capacity || n > capacity-os.Getpagesize() && inWrite(b.cmd.Process.Pid, 1) {
			return
		}
		select {
		case err := <-b.waited:
			t.Fatalf("exited before the pipe filled (%d of %d bytes): %v\nstderr: %s", n, capacity, err, b.stderr.String())
		case <-time.After(time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("the pipe holds %d of %d bytes after %v", n, capacity, exitLimit)
		}
	}
}

// inWrite reports whether a thread of process pid is in write(2) on fd
// (/proc/PID/task/TID/syscall: the call's number, then its arguments).
func inWrite(pid, fd int) bool {
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/syscall", pid))
	want := fmt.Sprintf("%d %#x ", unix.SYS_WRITE, fd)
	for _, task := range tasks {
		if b, err := os.ReadFile(task); err == nil && strings.HasPrefix(string(b), want) {
			return true
		}
	}
	return false
}

// stop sends sig and wants the process to exit with status 0 within
// exitLimit, its stdout still full.
func (b *blockedRun) stop(t *testing.T, sig syscall.Signal) {
	t.Helper()
	signalAndWait(t, b.cmd, b.waited, &b.stderr, sig, " with stdout full")
}

// countFrames reads path to its end and returns how many frames it holds.
func countFrames(t *testing.T, path string) int {
	t.Helper()
	r, err := capture.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var f capture.Frame
	n := 0
	for err = r.Next(&f); err == nil; err = r.Next(&f) {
		n++
	}
	if err != io.EOF {
		t.Fatalf("%s: %d frames, then %v", path, n, err)
	}
	return n
}

var stopSignals = []syscall.Signal{syscall.SIGINT, syscall.SIGTERM}

// The packet list, text and JSON, from a regular file (no flusher) and
// with -w: the file is closed and holds every frame taken.
func TestSignalStdoutBlocked(t *testing.T) {
	bin := sockscopeBinary(t)
	_, path := blockedCapture(t)
	for _, args := range [][]string{{"--no-ui"}, {"--json"}, {"--no-ui", "-w"}} {
		for _, sig := range stopSignals {
			t.Run(strings.Join(args, "")+"/"+sig.String(), func(t *testing.T) {
				args := append([]string{"replay", path}, args...)
				var out string
				if args[len(args)-1] == "-w" {
					out = filepath.Join(t.TempDir(), "out.pcapng")
					args = append(args, out)
				}
				b := startBlocked(t, bin, nil, args...)
				b.waitFull(t)
				b.stop(t, sig)
				if out != "" {
					n := countFrames(t, out)
					t.Logf("%s: %d frames", out, n)
					if n == 0 {
						t.Errorf("%s holds no frame", out)
					}
				}
			})
		}
	}
}

// "replay -" from a pipe that stays open: the input may pause, so the
// sink has its flusher and its lock.
func TestSignalStdoutBlockedStdinPipe(t *testing.T) {
	bin := sockscopeBinary(t)
	data, _ := blockedCapture(t)
	for _, sig := range stopSignals {
		t.Run(sig.String(), func(t *testing.T) {
			in, feed, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(t.TempDir(), "out.pcapng")
			b := startBlocked(t, bin, in, "replay", "-", "--no-ui", "-w", out)
			in.Close()
			fed := make(chan struct{})
			go func() {
				defer close(fed)
				feed.Write(data) // EPIPE once sockscope is gone; the end stays open until then
			}()
			t.Cleanup(func() { feed.Close(); <-fed })
			b.waitFull(t)
			b.stop(t, sig)
			t.Logf("%s: %d frames", out, countFrames(t, out))
		})
	}
}

// The conversation views: a table of 200,000 conversations, and the
// ladder and payload of one conversation of 50,000 datagrams.
func TestSignalStdoutBlockedAnalysis(t *testing.T) {
	bin := sockscopeBinary(t)
	flows := filepath.Join(t.TempDir(), "flows.pcap")
	if err := flowgen.WriteSYNFlowsFile(flows, 200000, false); err != nil {
		t.Fatal(err)
	}
	_, udp := blockedCapture(t)
	for _, args := range [][]string{
		{flows, "--conversations"},
		{flows, "--conversations", "--json"},
		{udp, "--ladder", "udp:0"},
		{udp, "--follow", "udp:0"},
	} {
		for _, sig := range stopSignals {
			t.Run(strings.Join(args[1:], "")+"/"+sig.String(), func(t *testing.T) {
				b := startBlocked(t, bin, nil, append([]string{"replay"}, args...)...)
				b.waitFull(t)
				b.stop(t, sig)
			})
		}
	}
}
