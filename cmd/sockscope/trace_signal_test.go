//go:build linux

package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// End-to-end tests of how `sockscope trace` ends: Ctrl-C while the traced
// program waits in accept (a program that lets SIGINT end it, and one that
// ignores it and is killed 2 s later), and a program killed by another
// one in the middle of a recv. The real binary runs in its own lab.

// traceStopLimit bounds how long sockscope may take to end after Ctrl-C
// once the traced program has ended.
const traceStopLimit = 5 * time.Second

// liveTrace is a `sockscope trace --json -w OUT` still running: its
// standard error comes line by line as it is written.
type liveTrace struct {
	cmd    *exec.Cmd
	pcap   string
	stdout bytes.Buffer
	lines  chan string // standard error, line by line; closed at its end

	mu     sync.Mutex
	stderr strings.Builder
}

func startTrace(t *testing.T, args ...string) *liveTrace {
	t.Helper()
	lt := &liveTrace{pcap: filepath.Join(t.TempDir(), "trace.pcapng"), lines: make(chan string, 1024)}
	lt.cmd = exec.Command(sockscopeBinary(t), append([]string{"trace", "--json", "-w", lt.pcap}, args...)...)
	lt.cmd.Stdout = &lt.stdout
	// Its own process group, as a shell gives a foreground job: Ctrl-C
	// at a terminal is SIGINT to that group.
	lt.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	errPipe, err := lt.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := lt.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if lt.cmd.ProcessState == nil { // the test failed before it ended
			syscall.Kill(-lt.cmd.Process.Pid, syscall.SIGKILL)
			lt.cmd.Wait()
		}
	})
	go func() {
		sc := bufio.NewScanner(errPipe)
		for sc.Scan() {
			lt.mu.Lock()
			lt.stderr.WriteString(sc.Text() + "\n")
			lt.mu.Unlock()
			lt.lines <- sc.Text()
		}
		close(lt.lines)
	}()
	return lt
}

// waitLine returns the first line of standard error that contains want,
// or fails the test when sockscope ends or 30 s pass without it.
func (lt *liveTrace) waitLine(t *testing.T, want string) string {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		select {
		case line, ok := <-lt.lines:
			if !ok {
				lt.cmd.Wait()
				skipWithoutLabOrPtrace(t, lt.cmd.ProcessState.ExitCode(), lt.errText())
				t.Fatalf("sockscope ended (%v) before it printed %q:\n%s", lt.cmd.ProcessState, want, lt.errText())
			}
			if strings.Contains(line, want) {
				return line
			}
		case <-deadline:
			t.Fatalf("no %q on sockscope's standard error within 30 s:\n%s", want, lt.errText())
		}
	}
}

// wait waits for sockscope to end (at most limit) and returns its
// status and its objects. Its standard error is read to its end first
// (every process that held it has ended), as os/exec wants before Wait.
func (lt *liveTrace) wait(t *testing.T, limit time.Duration) (int, *demoRun) {
	t.Helper()
	deadline := time.After(limit)
	for open := true; open; {
		select {
		case _, open = <-lt.lines:
		case <-deadline:
			syscall.Kill(lt.cmd.Process.Pid, syscall.SIGQUIT) // its goroutines, on its standard error
			for grace := time.After(2 * time.Second); open; {
				select {
				case _, open = <-lt.lines:
				case <-grace:
					open = false
				}
			}
			t.Fatalf("sockscope (or a program it ran) still ran %v after it was told to stop:\n%s", limit, lt.errText())
		}
	}
	var xe *exec.ExitError
	if err := lt.cmd.Wait(); err != nil && !errors.As(err, &xe) {
		t.Fatal(err)
	}
	return lt.cmd.ProcessState.ExitCode(), parseDemoJSON(t, "trace", lt.stdout.Bytes())
}

func (lt *liveTrace) errText() string {
	lt.mu.Lock()
	defer lt.mu.Unlock()
	return lt.stderr.String()
}

// pidAfter reads the pid a program printed after word: "listening 412".
func pidAfter(t *testing.T, line, word string) int {
	t.Helper()
	_, rest, _ := strings.Cut(line, word+" ")
	pid, err := strconv.Atoi(strings.TrimSpace(rest))
	if err != nil {
		t.Fatalf("no pid after %q in %q", word, line)
	}
	return pid
}

// waitAsleep waits until process pid sleeps in a system call (state S in
// /proc/PID/stat), as sockscope's own -e does: no event says that a
// thread has gone to sleep in accept. The lab has no pid namespace of its
// own, so the pid a traced program prints is the host's.
func waitAsleep(t *testing.T, pid int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(2 * time.Millisecond) {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil {
			t.Fatalf("the traced program %d: %v", pid, err)
		}
		if i := bytes.LastIndexByte(b, ')'); i > 0 && i+2 < len(b) && b[i+2] == 'S' {
			return
		}
	}
	t.Fatalf("the traced program %d never went to sleep in accept", pid)
}

// checkCapture: `sockscope replay OUT` reads the -w file to its end
// (exit status 0) and finds the frames the JSON showed, with their bytes;
// some unless the capture may have none.
func checkCapture(t *testing.T, pcap string, r *demoRun, some bool) {
	t.Helper()
	stdout, stderr, code := runBinary(t, "replay", pcap, "--json")
	if code != 0 {
		t.Fatalf("replay of the -w file: status %d\n%s", code, stderr)
	}
	file := parseDemoJSON(t, "replay", []byte(stdout))
	if len(file.packets) != len(r.packets) {
		t.Errorf("the -w file holds %d frames, the JSON showed %d; want the same", len(file.packets), len(r.packets))
		return
	}
	if some && len(r.packets) == 0 {
		t.Errorf("no frames in the JSON nor in the -w file")
	}
	for i, p := range file.packets {
		q := r.packets[i]
		if num(p["frame.number"]) != num(q["frame.number"]) || str(p["data.data"]) != str(q["data.data"]) || num(p["tcp.flags"]) != num(q["tcp.flags"]) {
			t.Errorf("frame %d in the file: flags %d data %q; in the JSON frame %d: flags %d data %q", num(p["frame.number"]), num(p["tcp.flags"]), p["data.data"], num(q["frame.number"]), num(q["tcp.flags"]), q["data.data"])
		}
	}
}

// wantUnfinished checks how a call the program died in is shown: no
// result (= -1 UNFINISHED), explained.
func wantUnfinished(t *testing.T, c map[string]any) {
	t.Helper()
	if num(c["call.ret"]) != -1 || str(c["call.errno"]) != "UNFINISHED" || str(c["call.outcome"]) != "UNFINISHED" || str(c["call.meaning"]) == "" {
		t.Errorf("the %s the program died in (call %d): = %d %s, outcome %q; want -1 UNFINISHED, explained", c["call.op"], num(c["call.number"]), num(c["call.ret"]), c["call.errno"], c["call.outcome"])
	}
}

// ctrlCServer binds, listens, connects to itself and moves a few bytes
// (so the capture has frames), says it is listening with its pid, and
// waits in accept for a client that never comes. ignoreSIGINT is
// replaced by a line that ignores SIGINT, or by nothing.
const ctrlCServer = `import os, signal, socket
ignoreSIGINT
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', 7321))
s.listen(4)
c = socket.socket()
c.connect(('127.0.0.1', 7321))
conn, _ = s.accept()
c.sendall(b'before ctrl-c')
conn.recv(64)
print('listening', os.getpid(), flush=True)
s.accept()
print('accept returned', flush=True)
`

// TestTraceCtrlC: Ctrl-C (SIGINT to sockscope alone, or to its process
// group as a terminal sends it) while the traced program waits in accept.
// sockscope ends within a few seconds with status 0 (as the other
// commands do on Ctrl-C); the calls made before are all in its JSON, the
// accept that was waiting among them; and -w leaves a file that replay
// reads whole, frame for frame as the JSON showed them. A program that
// lets SIGINT end it (Python's KeyboardInterrupt) sees its accept fail
// with EINTR; one that ignores SIGINT is killed 2 s later, inside accept.
func TestTraceCtrlC(t *testing.T) {
	py := pythonBin(t)
	for _, tc := range []struct {
		name   string
		ignore bool
		group  bool
	}{
		{"handled/sockscope", false, false},
		{"handled/group", false, true},
		{"ignored/sockscope", true, false},
		{"ignored/group", true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			src := strings.Replace(ctrlCServer, "ignoreSIGINT\n", "", 1)
			if tc.ignore {
				src = strings.Replace(ctrlCServer, "ignoreSIGINT", "signal.signal(signal.SIGINT, signal.SIG_IGN)", 1)
			}
			server := writeProgram(t, t.TempDir(), "server.py", src)
			lt := startTrace(t, "--", py, server)
			pid := pidAfter(t, lt.waitLine(t, "server.py │ listening "), "listening")
			waitAsleep(t, pid)
			sent := time.Now()
			target := lt.cmd.Process.Pid
			if tc.group {
				target = -target
			}
			if err := syscall.Kill(target, syscall.SIGINT); err != nil {
				t.Fatal(err)
			}
			limit := traceStopLimit
			if tc.ignore {
				limit += 2 * time.Second // SIGKILL 2 s after SIGINT
			}
			code, r := lt.wait(t, limit)
			took := time.Since(sent)
			stderr := lt.errText()
			if code != 0 {
				t.Errorf("exit status %d after Ctrl-C, want 0\n%s", code, stderr)
			}
			if tc.ignore && took < 2*time.Second {
				t.Errorf("sockscope ended %v after SIGINT; a program that ignores SIGINT is killed only 2 s later", took)
			}
			if strings.Contains(stderr, "accept returned") {
				t.Errorf("the program's accept returned:\n%s", stderr)
			}
			// Python's traceback ends "KeyboardInterrupt". At a terminal
			// (the group) the program gets SIGINT twice, from the terminal
			// and from sockscope's tracer, and the second one may cut the
			// traceback short ("lost sys.stderr", still naming the
			// KeyboardInterrupt object): look for the word only.
			if got := strings.Contains(stderr, "server.py (stderr) │ ") && strings.Contains(stderr, "KeyboardInterrupt"); got == tc.ignore {
				t.Errorf("KeyboardInterrupt in the program's output: %v, want %v\n%s", got, !tc.ignore, stderr)
			}
			if len(r.steps) != 1 {
				t.Errorf("%d steps, want 1", len(r.steps))
			}

			// The calls before Ctrl-C, all there.
			var calls []map[string]any
			var ops []string
			for _, c := range r.calls {
				if ep := str(c["call.endpoint"]); ep == fmt.Sprintf("python3 server.py [%d]", pid) {
					calls = append(calls, c)
					ops = append(ops, str(c["call.op"]))
				} else {
					t.Errorf("call %d from %q, want only the server's", num(c["call.number"]), ep)
				}
			}
			want := "socket setsockopt bind listen socket connect accept"
			if got := strings.Join(ops, " "); !strings.HasPrefix(got, want) {
				t.Fatalf("the server's calls: %s\nwant them to begin %s", got, want)
			}
			if str(calls[2]["call.args"]) != "127.0.0.1:7321" || str(calls[3]["call.tcp_state"]) != "LISTEN" || num(calls[6]["call.ret"]) <= 0 {
				t.Errorf("bind(%s), listen → %s, accept = %d", calls[2]["call.args"], calls[3]["call.tcp_state"], num(calls[6]["call.ret"]))
			}
			w := wireOf(r)
			var sendCall, recvCall, waiting map[string]any
			for _, c := range calls {
				switch op := str(c["call.op"]); {
				case strings.HasPrefix(op, "send") && sendCall == nil:
					sendCall = c
				case op == "recv" && recvCall == nil:
					recvCall = c
				case op == "accept" && epochNS(t, c["call.start_epoch"]) > epochNS(t, calls[6]["call.time_epoch"]):
					waiting = c
				}
			}
			// The calls keep their bytes, and the frames that carried
			// them are there: the capture goes on until the programs
			// have ended and its queue is drained.
			const before = "before ctrl-c"
			if sendCall == nil || recvCall == nil || string(sentBytes(t, sendCall)) != before ||
				num(sendCall["call.ret"]) != len(before) || str(sendCall["call.bytes"]) != "1-13" ||
				num(recvCall["call.ret"]) != len(before) || str(recvCall["call.bytes"]) != "1-13" {
				t.Errorf("the bytes before Ctrl-C: send %v, recv %v; want %q sent and read, bytes 1-13", sendCall, recvCall, before)
			} else if len(frames(sendCall)) == 0 || len(frames(recvCall)) == 0 {
				t.Errorf("the frame that carried the bytes before Ctrl-C is missing\n%s", wireSummary(r))
			} else if string(w.carried(sendCall)) != before || string(w.carried(recvCall)) != before {
				t.Errorf("the frames tied to the send carried %q, to the recv %q; want %q\n%s", w.carried(sendCall), w.carried(recvCall), before, wireSummary(r))
			}
			fins := 0
			for _, p := range r.packets {
				if num(p["tcp.flags"])&tcpFIN != 0 {
					fins++
				}
			}
			if fins == 0 {
				t.Errorf("no FIN although the program's sockets were closed as it ended\n%s", wireSummary(r))
			}

			// The accept that waited when Ctrl-C came: made before the
			// signal, ended after it, no connection.
			if waiting == nil {
				t.Fatalf("no second accept in the JSON: %s", strings.Join(ops, " "))
			}
			start, end := epochNS(t, waiting["call.start_epoch"]), epochNS(t, waiting["call.time_epoch"])
			if start >= sent.UnixNano() || end < sent.UnixNano() || len(frames(waiting)) != 0 || num(waiting["call.ret"]) > 0 {
				t.Errorf("the waiting accept: made %v before SIGINT, ended %v after it, = %d, frames %v; want made before, ended after, no connection",
					time.Duration(sent.UnixNano()-start), time.Duration(end-sent.UnixNano()), num(waiting["call.ret"]), frames(waiting))
			}
			if tc.ignore {
				// Killed 2 s after SIGINT, inside accept.
				if time.Duration(end-sent.UnixNano()) < 2*time.Second {
					t.Errorf("the accept ended %v after SIGINT; the program ignored it and is killed 2 s later", time.Duration(end-sent.UnixNano()))
				}
				wantUnfinished(t, waiting)
			} else {
				// Python's handler runs: the accept fails with EINTR,
				// after it slept, and is explained.
				if num(waiting["call.ret"]) != -1 || str(waiting["call.errno"]) != "EINTR" || waiting["call.waited"] != true || str(waiting["call.outcome"]) != "EINTR" || str(waiting["call.meaning"]) == "" {
					t.Errorf("the interrupted accept: = %d %s, waited %v, outcome %q; want -1 EINTR after a wait, explained", num(waiting["call.ret"]), waiting["call.errno"], waiting["call.waited"], waiting["call.outcome"])
				}
			}
			checkCapture(t, lt.pcap, r, false)
		})
	}
}

// The killed-mid-call pair: the client sends its pid and waits in recv;
// the server, once the client sleeps there, kills it with SIGKILL, then
// reads the end of the stream the kernel's close of the client's socket
// sent.
const (
	killerServer = `import os, signal, socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', 7322))
s.listen(1)
conn, _ = s.accept()
pid = int(conn.recv(64))
# No event says that the client sleeps in its recv: /proc does (state S).
for _ in range(10000):
    with open('/proc/%d/stat' % pid) as f:
        if f.read().rsplit(')', 1)[1].split()[0] == 'S':
            break
    time.sleep(0.001)
else:
    sys.exit('the client never slept in recv')
print('killing', pid, flush=True)
os.kill(pid, signal.SIGKILL)
print('then read', conn.recv(64), flush=True)
conn.close()
s.close()
`
	killedClient = `import os, socket
c = socket.socket()
c.connect(('127.0.0.1', 7322))
c.sendall(str(os.getpid()).encode())
print('sent my pid', os.getpid(), flush=True)
c.recv(64)
print('recv returned', flush=True)
`
)

// TestTraceKilledMidCall: a client killed (SIGKILL, by the traced server)
// while it waits in recv. sockscope exits with 128+9 and says which
// program was killed by what; the calls the client made before are kept
// with their bytes and frames, the recv it died in is its last call and
// moved nothing, and the server's next recv reads the end of stream that
// the kernel's close of the dead client's socket sent (its FIN).
func TestTraceKilledMidCall(t *testing.T) {
	py := pythonBin(t)
	dir := t.TempDir()
	srv := writeProgram(t, dir, "server.py", killerServer)
	cli := writeProgram(t, dir, "client.py", killedClient)
	r, stderr, code := traceIn(t, dir, "-e", py+" "+srv, "-e", py+" "+cli)
	if code != 128+9 {
		t.Errorf("exit status %d, want 137 (128 + SIGKILL, the client's)\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "\nsockscope: trace: exit status 0, killed by signal SIGKILL\n") {
		t.Errorf("no line saying the server exited 0 and the client was killed by SIGKILL:\n%s", stderr)
	}
	if strings.Contains(stderr, "recv returned") {
		t.Errorf("the client's recv returned:\n%s", stderr)
	}
	var server, client *lane
	for _, l := range lanesOf(t, r) {
		l.inOrder(t)
		switch l.name {
		case "python3 server.py":
			server = l
		case "python3 client.py":
			client = l
		default:
			t.Errorf("a lane %s [%d]", l.name, l.pid)
		}
	}
	if server == nil || client == nil {
		t.Fatalf("lanes: server %v client %v", server, client)
	}
	pid := strconv.Itoa(client.pid)
	for _, line := range []string{"client.py │ sent my pid " + pid, "server.py │ killing " + pid, "server.py │ then read b''"} {
		if !strings.Contains(stderr, line+"\n") {
			t.Errorf("the programs' output lacks %q:\n%s", line, stderr)
		}
	}

	// The client's calls, kept up to the recv it died in.
	if got, want := client.ops(), "socket connect send recv"; got != want {
		t.Fatalf("the client's calls: %s\nwant %s", got, want)
	}
	w := wireOf(r)
	connect, send, recv := client.calls[1], client.calls[2], client.calls[3]
	stream := w.streamOf(t, connect)
	if num(connect["call.ret"]) != 0 || stream < 0 {
		t.Errorf("connect = %d, frames %v; want 0 and the handshake", num(connect["call.ret"]), frames(connect))
	}
	if string(sentBytes(t, send)) != pid || num(send["call.ret"]) != len(pid) || string(w.carried(send)) != pid {
		t.Errorf("send(%s) = %d, its frames carried %q; want the client's pid %s", send["call.args"], num(send["call.ret"]), w.carried(send), pid)
	}
	if num(recv["call.ret"]) > 0 || len(frames(recv)) != 0 || recv["call.bytes"] != nil {
		t.Errorf("the recv the client died in: = %d, frames %v, bytes %v; want nothing moved", num(recv["call.ret"]), frames(recv), recv["call.bytes"])
	}
	wantUnfinished(t, recv)

	// The server read the pid, then the end of stream: the dead client's
	// FIN, sent by its kernel, after the pid's segment.
	var reads []map[string]any
	for _, c := range server.calls {
		if str(c["call.op"]) == "recv" {
			reads = append(reads, c)
		}
	}
	if len(reads) != 2 || string(w.carried(reads[0])) != pid || num(reads[1]["call.ret"]) != 0 || str(reads[1]["call.outcome"]) != "b''" {
		t.Fatalf("the server's recvs %v; want the pid, then b''", reads)
	}
	fin := 0
	for n, p := range w {
		if num(p["tcp.stream"]) == stream && num(p["tcp.dstport"]) == 7322 && num(p["tcp.flags"])&tcpFIN != 0 {
			fin = n
		}
	}
	if fin == 0 || len(frames(send)) == 0 || fin < frames(send)[0] || epochNS(t, w[fin]["frame.time_epoch"]) > epochNS(t, reads[1]["call.time_epoch"]) {
		t.Errorf("the client's FIN: frame %d; want one after its data (frame %v) and before the server's last recv returned", fin, frames(send))
	}
	checkCapture(t, r.pcap, r, true)
}

// wireSummary lists the frames and calls, for a failure's message.
func wireSummary(r *demoRun) string {
	var b strings.Builder
	for _, m := range r.all {
		switch {
		case m["type"] == "call":
			fmt.Fprintf(&b, "call %d %s %s(%s) = %d %s frames %v at %s–%s\n", num(m["call.number"]), m["call.endpoint"], m["call.op"], m["call.args"], num(m["call.ret"]), m["call.errno"], frames(m), m["call.start_epoch"], m["call.time_epoch"])
		case m["frame.number"] != nil:
			fmt.Fprintf(&b, "frame %d %s:%d > %s:%d flags %#x len %d at %s\n", num(m["frame.number"]), m["ip.src"], num(m["tcp.srcport"]), m["ip.dst"], num(m["tcp.dstport"]), num(m["tcp.flags"]), num(m["tcp.len"]), m["frame.time_epoch"])
		}
	}
	return b.String()
}
