//go:build linux

package main

// Live output of the real binary: `capture -i lo` in a fresh network
// namespace (internal/netns), one UDP datagram sent on 127.0.0.1, and its
// line must arrive while the capture is still running — into a pipe, on a
// terminal (a pty), into -w (timed flush, and -U), and after dropping root
// (-Z). In the namespace lo carries nothing but what these tests send, so
// the first packet printed is the datagram.
//
// The deadlines below only guard against hanging; the time each line took
// is logged, not asserted.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sockscope/sockscope/internal/ptytest"

	"github.com/sockscope/sockscope/capture"
	"github.com/sockscope/sockscope/internal/netns"
)

// arrival bounds every wait for something that must come.
const arrival = 5 * time.Second

// liveCapture is a running `sockscope capture`.
type liveCapture struct {
	t      *testing.T
	cmd    *exec.Cmd
	lines  chan string // stdout, line by line (nil when stdout is not read here)
	stderr *syncBuffer
}

// startCapture runs the binary with args and env (the test's environment
// without SUDO_USER, plus env), stdout given or read through a pipe, and
// returns once it says "listening on": the socket is open and the sink
// ready.
func startCapture(t *testing.T, stdout *os.File, env []string, args ...string) *liveCapture {
	t.Helper()
	cmd := exec.Command(sockscopeBinary(t), append([]string{"capture"}, args...)...)
	cmd.Env = append(envWithout("SUDO_USER", "SUDO_UID", "SUDO_GID"), env...)
	c := &liveCapture{t: t, cmd: cmd, stderr: newSyncBuffer()}
	// An os.Pipe, not StderrPipe: Wait would close that one's reading end
	// and lose the lines after SIGINT.
	errR, errW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer errW.Close()
	cmd.Stderr = errW
	if stdout != nil {
		cmd.Stdout = stdout
	} else {
		r, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		c.lines = readLines(r)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	errW.Close()
	go c.stderr.copyFrom(errR)
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	if !c.stderr.waitFor("listening on", arrival) {
		t.Fatalf("capture %v: no \"listening on\" (within %v, or before it ended); stderr:\n%s", args, arrival, c.stderr)
	}
	return c
}

// line waits for the next line on stdout.
func (c *liveCapture) line(lines <-chan string, what string) string {
	c.t.Helper()
	start := time.Now()
	select {
	case l, ok := <-lines:
		if !ok {
			c.t.Fatalf("%s: stdout ended without a line; stderr:\n%s", what, c.stderr)
		}
		c.t.Logf("%s: the line arrived %v after the datagram was sent", what, time.Since(start).Round(time.Microsecond))
		return l
	case <-time.After(arrival):
		c.t.Fatalf("%s: no line within %v while the capture runs (output held in a buffer?); stderr:\n%s", what, arrival, c.stderr)
	}
	return ""
}

// interrupt stops the capture with SIGINT, as Ctrl-C does, and checks that
// it ends normally.
func (c *liveCapture) interrupt() {
	c.t.Helper()
	c.cmd.Process.Signal(os.Interrupt)
	if err := c.cmd.Wait(); err != nil {
		c.t.Fatalf("capture after SIGINT: %v; stderr:\n%s", err, c.stderr)
	}
	c.stderr.waitFor("\x00", arrival) // the end: all of stderr is in
}

// sendDatagram sends payload from one UDP socket on 127.0.0.1 to another,
// and returns the ports. The receiving socket exists, so no ICMP error
// follows the datagram.
func sendDatagram(t *testing.T, payload string) (src, dst int) {
	t.Helper()
	rx, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rx.Close() })
	tx, err := net.DialUDP("udp4", nil, rx.LocalAddr().(*net.UDPAddr))
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Close()
	if _, err := tx.Write([]byte(payload)); err != nil {
		t.Fatal(err)
	}
	return tx.LocalAddr().(*net.UDPAddr).Port, rx.LocalAddr().(*net.UDPAddr).Port
}

// wantTextLine checks a tcpdump-style line for the datagram.
func wantTextLine(t *testing.T, line string, src, dst, n int) {
	t.Helper()
	want := fmt.Sprintf(" IP 127.0.0.1.%d > 127.0.0.1.%d: UDP, length %d", src, dst, n)
	if !strings.HasSuffix(line, want) {
		t.Errorf("line %q, want one ending %q", line, want)
	}
}

const payload = "flush me"

func TestLiveOutputFlushes(t *testing.T) {
	if netns.ReexecTest(t) {
		return
	}
	t.Run("text into a pipe", func(t *testing.T) {
		c := startCapture(t, nil, nil, "-i", "lo", "--no-ui")
		src, dst := sendDatagram(t, payload)
		wantTextLine(t, c.line(c.lines, "--no-ui into a pipe"), src, dst, len(payload))
		c.interrupt()
		if !strings.Contains(c.stderr.String(), "1 packets captured") {
			t.Errorf("stderr lacks \"1 packets captured\":\n%s", c.stderr)
		}
	})
	t.Run("json into a pipe", func(t *testing.T) {
		c := startCapture(t, nil, nil, "-i", "lo", "--json")
		src, dst := sendDatagram(t, payload)
		line := c.line(c.lines, "--json into a pipe")
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		if m["frame.number"] != 1.0 || m["udp.srcport"] != float64(src) || m["udp.dstport"] != float64(dst) {
			t.Errorf("line %q, want frame 1 from port %d to %d", line, src, dst)
		}
		c.interrupt()
	})
	t.Run("text on a terminal", func(t *testing.T) {
		master, slave := ptytest.Open(t)
		c := startCapture(t, slave, nil, "-i", "lo", "--no-ui")
		slave.Close() // the child has its copy
		lines := readLines(master)
		src, dst := sendDatagram(t, payload)
		wantTextLine(t, strings.TrimSuffix(c.line(lines, "--no-ui on a terminal"), "\r"), src, dst, len(payload))
		c.interrupt()
	})
	t.Run("-w flushed on a timer survives SIGKILL", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "live.pcapng")
		c := startCapture(t, nil, nil, "-i", "lo", "-w", out)
		sendDatagram(t, payload)
		start := time.Now()
		for frames := readCapture(t, out); len(frames) == 0; frames = readCapture(t, out) {
			if time.Since(start) > arrival {
				t.Fatalf("-w %s: no packet in the file %v after it was sent, capture still running", out, arrival)
			}
			time.Sleep(20 * time.Millisecond) // polling a file: there is no event to wait for
		}
		t.Logf("-w: the packet was in the file %v after it was sent", time.Since(start).Round(time.Millisecond))
		c.cmd.Process.Kill()
		c.cmd.Wait()
		wantDatagram(t, readCapture(t, out), payload)
	})
	t.Run("-U: the packet is in -w once its line is printed", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "live.pcap")
		c := startCapture(t, nil, nil, "-i", "lo", "--no-ui", "-U", "-w", out)
		src, dst := sendDatagram(t, payload)
		wantTextLine(t, c.line(c.lines, "-U --no-ui"), src, dst, len(payload))
		wantDatagram(t, readCapture(t, out), payload)
		c.cmd.Process.Kill()
		c.cmd.Wait()
	})
	t.Run("-Z drops root", func(t *testing.T) {
		nobody := lookupNobody(t)
		dir, err := os.MkdirTemp("", "sockscope-drop")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.RemoveAll(dir) })
		if err := os.Chmod(dir, 0o777); err != nil { // nobody creates -w here
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name string
			env  []string
			args []string
			uid  int
			gid  int
		}{
			{"-Z nobody", nil, []string{"-Z", "nobody"}, nobody.uid, nobody.gid},
			{"sudo's user by default", []string{"SUDO_USER=nobody"}, nil, nobody.uid, nobody.gid},
			{"-Z root keeps root", []string{"SUDO_USER=nobody"}, []string{"-Z", "root"}, 0, 0},
			{"no sudo keeps root", nil, nil, 0, 0},
		} {
			t.Run(tc.name, func(t *testing.T) {
				out := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_")+".pcapng")
				c := startCapture(t, nil, tc.env, append([]string{"-i", "lo", "--no-ui", "-w", out}, tc.args...)...)
				uid, gid := procIDs(t, c.cmd.Process.Pid)
				for i := range uid {
					if uid[i] != tc.uid || gid[i] != tc.gid {
						t.Fatalf("capture %v: /proc status Uid %v Gid %v, want all %d and %d", tc.args, uid, gid, tc.uid, tc.gid)
					}
				}
				src, dst := sendDatagram(t, payload)
				wantTextLine(t, c.line(c.lines, tc.name), src, dst, len(payload))
				c.interrupt()
				fi, err := os.Stat(out)
				if err != nil {
					t.Fatal(err)
				}
				if st := fi.Sys().(*syscall.Stat_t); int(st.Uid) != tc.uid {
					t.Errorf("-w %s belongs to uid %d, want %d (created after the drop)", out, st.Uid, tc.uid)
				}
				wantDatagram(t, readCapture(t, out), payload)
			})
		}
	})
}

func TestCaptureUnknownUser(t *testing.T) {
	cmd := exec.Command(sockscopeBinary(t), "capture", "-i", "lo", "-Z", "no-such-user-sockscope")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 {
		t.Fatalf("exit %v, want status 2; stderr: %s", err, stderr.String())
	}
	want := "sockscope: capture: -Z: unknown user \"no-such-user-sockscope\"\n"
	if stderr.String() != want || stdout.Len() != 0 {
		t.Errorf("stdout %q stderr %q, want stderr %q", stdout.String(), stderr.String(), want)
	}
}

// TestReplayPipeFlushes: replay from a pipe that stays open prints each
// packet as it comes, as `tcpdump -w - | sockscope replay -` needs.
func TestReplayPipeFlushes(t *testing.T) {
	cmd := exec.Command(sockscopeBinary(t), "replay", "-", "--no-ui")
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := newSyncBuffer()
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
	}()
	lines := readLines(out)
	for i, want := range []string{"IP 10.0.0.1.1000 > 10.0.0.2.2000: UDP, length 3", "IP 10.0.0.1.1000 > 10.0.0.2.2000: UDP, length 4"} {
		var b bytes.Buffer
		if i == 0 {
			b.Write(pcapHeader())
		}
		b.Write(pcapUDPRecord(int64(i+1), strings.Repeat("x", 3+i)))
		start := time.Now()
		if _, err := in.Write(b.Bytes()); err != nil {
			t.Fatal(err)
		}
		select {
		case l := <-lines:
			t.Logf("packet %d: its line arrived after %v", i+1, time.Since(start).Round(time.Microsecond))
			if !strings.HasSuffix(l, want) {
				t.Errorf("line %q, want one ending %q", l, want)
			}
		case <-time.After(arrival):
			t.Fatalf("packet %d written into the pipe: no line within %v while stdin stays open; stderr:\n%s", i+1, arrival, stderr)
		}
	}
	in.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("replay after stdin closed: %v; stderr:\n%s", err, stderr)
	}
}

// pcapHeader is a classic pcap header, microsecond, Ethernet.
func pcapHeader() []byte {
	h := make([]byte, 24)
	le := binaryLE{h}
	le.u32(0, 0xa1b2c3d4)
	le.u16(4, 2)
	le.u16(6, 4)
	le.u32(16, 65535)
	le.u32(20, 1)
	return h
}

// pcapUDPRecord is one record: Ethernet, IPv4 10.0.0.1 → 10.0.0.2, UDP
// 1000 → 2000 carrying payload.
func pcapUDPRecord(sec int64, payload string) []byte {
	udp := make([]byte, 8, 8+len(payload))
	be := binaryBE{udp}
	be.u16(0, 1000)
	be.u16(2, 2000)
	be.u16(4, uint16(8+len(payload)))
	udp = append(udp, payload...)
	ip := make([]byte, 20, 20+len(udp))
	ip[0], ip[8], ip[9] = 0x45, 64, 17
	be = binaryBE{ip}
	be.u16(2, uint16(20+len(udp)))
	copy(ip[12:], []byte{10, 0, 0, 1, 10, 0, 0, 2})
	var sum uint32
	for i := 0; i < 20; i += 2 {
		sum += uint32(ip[i])<<8 | uint32(ip[i+1])
	}
	for sum > 0xffff {
		sum = sum>>16 + sum&0xffff
	}
	be.u16(10, ^uint16(sum))
	ip = append(ip, udp...)
	eth := append([]byte{2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 8, 0}, ip...)
	rec := make([]byte, 16, 16+len(eth))
	le := binaryLE{rec}
	le.u32(0, uint32(sec))
	le.u32(8, uint32(len(eth)))
	le.u32(12, uint32(len(eth)))
	return append(rec, eth...)
}

type binaryLE struct{ b []byte }

func (w binaryLE) u16(i int, v uint16) { w.b[i], w.b[i+1] = byte(v), byte(v>>8) }
func (w binaryLE) u32(i int, v uint32) {
	w.u16(i, uint16(v))
	w.u16(i+2, uint16(v>>16))
}

type binaryBE struct{ b []byte }

func (w binaryBE) u16(i int, v uint16) { w.b[i], w.b[i+1] = byte(v>>8), byte(v) }

// readCapture reads what a capture file holds now; a file not yet written
// or ending mid-record gives the frames before that.
func readCapture(t *testing.T, path string) [][]byte {
	t.Helper()
	r, err := capture.Open(path)
	if err != nil {
		return nil
	}
	defer r.Close()
	var frames [][]byte
	var f capture.Frame
	for r.Next(&f) == nil {
		frames = append(frames, append([]byte(nil), f.Data...))
	}
	return frames
}

// wantDatagram checks that the capture is exactly the one datagram.
func wantDatagram(t *testing.T, frames [][]byte, payload string) {
	t.Helper()
	if len(frames) != 1 || !bytes.HasSuffix(frames[0], []byte(payload)) {
		t.Fatalf("capture file holds %d frames %x, want one ending in %q", len(frames), frames, payload)
	}
}

type ids struct{ uid, gid int }

// lookupNobody finds the user nobody, and skips where this process cannot
// become it: dropping root needs real root, not the root of a user
// namespace that maps only the caller's uid.
func lookupNobody(t *testing.T) ids {
	t.Helper()
	m, err := os.ReadFile("/proc/self/uid_map")
	if err != nil || len(strings.Fields(string(m))) < 3 || strings.Fields(string(m))[2] != "4294967295" || os.Geteuid() != 0 {
		t.Skipf("not root with every uid mapped (uid_map %q): cannot switch to another user", m)
	}
	u, err := user.Lookup("nobody")
	if err != nil {
		t.Skipf("no user nobody here: %v", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return ids{uid, gid}
}

// procIDs reads the real, effective, saved and filesystem uids and gids of
// a process.
func procIDs(t *testing.T, pid int) (uid, gid []int) {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Fields(l)
		if len(f) != 5 || (f[0] != "Uid:" && f[0] != "Gid:") {
			continue
		}
		for _, s := range f[1:] {
			n, _ := strconv.Atoi(s)
			if f[0] == "Uid:" {
				uid = append(uid, n)
			} else {
				gid = append(gid, n)
			}
		}
	}
	if len(uid) != 4 || len(gid) != 4 {
		t.Fatalf("/proc/%d/status: no Uid and Gid lines:\n%s", pid, b)
	}
	return uid, gid
}

// readLines sends r's lines to a channel, closed at EOF or error.
func readLines(r io.Reader) chan string {
	lines := make(chan string, 100)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	return lines
}

// envWithout is this process's environment without the named variables.
func envWithout(names ...string) []string {
	var env []string
next:
	for _, kv := range os.Environ() {
		for _, n := range names {
			if strings.HasPrefix(kv, n+"=") {
				continue next
			}
		}
		env = append(env, kv)
	}
	return env
}

// syncBuffer collects a child's stderr and lets a test wait for a string in
// it: each write, and the end, signal the waiters.
type syncBuffer struct {
	mu      sync.Mutex
	b       bytes.Buffer
	ended   bool          // copyFrom reached the end of its reader
	changed chan struct{} // closed and replaced on every write
}

// copyFrom copies r into s until r ends (the child exited).
func (s *syncBuffer) copyFrom(r io.ReadCloser) {
	io.Copy(s, r)
	r.Close()
	s.mu.Lock()
	s.ended = true
	close(s.changed)
	s.changed = make(chan struct{})
	s.mu.Unlock()
}

func newSyncBuffer() *syncBuffer { return &syncBuffer{changed: make(chan struct{})} }

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	close(s.changed)
	s.changed = make(chan struct{})
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitFor reports whether want appears within d and before the end.
func (s *syncBuffer) waitFor(want string, d time.Duration) bool {
	deadline := time.After(d)
	for {
		s.mu.Lock()
		found, ended, changed := strings.Contains(s.b.String(), want), s.ended, s.changed
		s.mu.Unlock()
		if found || ended {
			return found
		}
		select {
		case <-changed:
		case <-deadline:
			return false
		}
	}
}
