//go:build linux

package main

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// End-to-end tests of `sockscope trace` on native programs (issue 11's
// "a C program built in the test, and a Go program"): the real binary
// runs them in its own lab with --json -w, and the tests line the calls
// up with the bytes they moved and the frames tied to them.

// traceIn runs `sockscope trace --json -w OUT ARGS` with dir as its
// working directory and returns its objects, its standard error and its
// exit status. It skips the test where no lab or no ptrace can be had.
func traceIn(t *testing.T, dir string, args ...string) (*demoRun, string, int) {
	t.Helper()
	pcap := filepath.Join(t.TempDir(), "trace.pcapng")
	cmd := exec.Command(sockscopeBinary(t), append([]string{"trace", "--json", "-w", pcap}, args...)...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	code := 0
	var xe *exec.ExitError
	switch err := cmd.Run(); {
	case errors.As(err, &xe):
		code = xe.ExitCode()
	case err != nil:
		t.Fatalf("sockscope trace: %v", err)
	}
	skipWithoutLabOrPtrace(t, code, stderr.String())
	r := parseDemoJSON(t, "trace", stdout.Bytes())
	r.pcap = pcap
	return r, stderr.String(), code
}

// skipWithoutLabOrPtrace skips when sockscope said it could make no
// private network namespace, or may not use ptrace here.
func skipWithoutLabOrPtrace(t *testing.T, code int, stderr string) {
	t.Helper()
	if code == 0 {
		return
	}
	for _, why := range []string{"private network namespace", "ptrace is not allowed"} {
		if strings.Contains(stderr, why) {
			t.Skipf("sockscope trace cannot run here: %s", strings.TrimSpace(stderr))
		}
	}
}

// gccBuild compiles testdata/trace/SRC into dir/NAME with gcc -O0, or
// skips the test when gcc is missing.
func gccBuild(t *testing.T, dir, name, src string) {
	t.Helper()
	gcc, err := exec.LookPath("gcc")
	if err != nil {
		t.Skip("gcc is not installed: this test traces a C program built here")
	}
	abs, err := filepath.Abs(filepath.Join("testdata", "trace", src))
	if err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(gcc, "-O0", "-Wall", "-o", filepath.Join(dir, name), abs).CombinedOutput(); err != nil {
		t.Fatalf("gcc %s: %v\n%s", src, err, out)
	}
}

// lane is one process's (or thread's) calls, as the JSON names it:
// "server [412]", "python3 x.py [413] thread 414".
type lane struct {
	name  string // "server"
	pid   int
	calls []map[string]any // in the output's order
}

var laneRE = regexp.MustCompile(`^(.+) \[(\d+)\]( thread \d+)?$`)

// lanesOf groups the calls by call.endpoint, in the order each endpoint
// first appears.
func lanesOf(t *testing.T, r *demoRun) []*lane {
	t.Helper()
	var lanes []*lane
	byEndpoint := map[string]*lane{}
	for _, c := range r.calls {
		ep := str(c["call.endpoint"])
		l := byEndpoint[ep]
		if l == nil {
			m := laneRE.FindStringSubmatch(ep)
			if m == nil {
				t.Fatalf("call %d: endpoint %q is not \"COMMAND [PID]\"", num(c["call.number"]), ep)
			}
			pid, _ := strconv.Atoi(m[2])
			l = &lane{name: m[1], pid: pid}
			byEndpoint[ep] = l
			lanes = append(lanes, l)
		}
		l.calls = append(l.calls, c)
	}
	return lanes
}

func (l *lane) ops() string {
	var ops []string
	for _, c := range l.calls {
		ops = append(ops, str(c["call.op"]))
	}
	return strings.Join(ops, " ")
}

// inOrder checks that a lane's calls, as printed, follow each other in
// time: one thread makes one call at a time.
func (l *lane) inOrder(t *testing.T) {
	t.Helper()
	var last int64
	for _, c := range l.calls {
		start := epochNS(t, c["call.start_epoch"])
		if start < last {
			t.Errorf("%s [%d]: call %d (%s) printed after a call that started later", l.name, l.pid, num(c["call.number"]), c["call.op"])
		}
		last = epochNS(t, c["call.time_epoch"])
	}
}

// epochNS reads "1796562608.280718804" as nanoseconds.
func epochNS(t *testing.T, v any) int64 {
	t.Helper()
	s := str(v)
	sec, frac, ok := strings.Cut(s, ".")
	if !ok || len(frac) != 9 {
		t.Fatalf("time %q is not seconds.nanoseconds", s)
	}
	a, err1 := strconv.ParseInt(sec, 10, 64)
	b, err2 := strconv.ParseInt(frac, 10, 64)
	if err1 != nil || err2 != nil {
		t.Fatalf("time %q: %v %v", s, err1, err2)
	}
	return a*1e9 + b
}

// wire is a trace's packets by frame number.
type wire map[int]map[string]any

func wireOf(r *demoRun) wire {
	w := wire{}
	for _, p := range r.packets {
		w[num(p["frame.number"])] = p
	}
	return w
}

func (w wire) payload(frame int) []byte {
	b, _ := hex.DecodeString(str(w[frame]["data.data"]))
	return b
}

// carried is the TCP payload of the frames tied to a call, in order.
func (w wire) carried(c map[string]any) []byte {
	var b []byte
	for _, f := range frames(c) {
		b = append(b, w.payload(f)...)
	}
	return b
}

func frames(c map[string]any) []int {
	fs, _ := c["call.frames"].([]any)
	var out []int
	for _, f := range fs {
		out = append(out, num(f))
	}
	return out
}

// sentBytes is what a send or write offered: call.args, a Go-quoted
// string for those calls.
func sentBytes(t *testing.T, c map[string]any) []byte {
	t.Helper()
	s, err := strconv.Unquote(str(c["call.args"]))
	if err != nil {
		t.Fatalf("call %d %s: args %q are not a quoted string: %v", num(c["call.number"]), c["call.op"], c["call.args"], err)
	}
	return []byte(s)
}

// streamOf is the tcp.stream of a call's tied frames (-1 without any);
// a call's frames all belong to one connection.
func (w wire) streamOf(t *testing.T, c map[string]any) int {
	t.Helper()
	s := -1
	for _, f := range frames(c) {
		p, ok := w[f]
		if !ok {
			t.Errorf("call %d %s is tied to frame %d, which is not in the output", num(c["call.number"]), c["call.op"], f)
			continue
		}
		if n := num(p["tcp.stream"]); s >= 0 && n != s {
			t.Errorf("call %d %s is tied to frames of streams %d and %d", num(c["call.number"]), c["call.op"], s, n)
		} else {
			s = n
		}
	}
	return s
}

// checkSegments: every frame that carries data is tied to exactly one
// call that sent it, whose bytes are the frame's payload (one write per
// segment in these programs), and to exactly one call that received it.
func checkSegments(t *testing.T, r *demoRun, w wire) {
	t.Helper()
	senders, receivers := map[int][]map[string]any{}, map[int]int{}
	for _, c := range r.calls {
		op := str(c["call.op"])
		for _, f := range frames(c) {
			switch {
			case op == "write" || strings.HasPrefix(op, "send"):
				senders[f] = append(senders[f], c)
			case op == "read" || strings.HasPrefix(op, "recv"):
				receivers[f]++
			}
		}
	}
	data := 0
	for n := range w {
		payload := w.payload(n)
		if len(payload) == 0 {
			if len(senders[n]) > 0 {
				t.Errorf("frame %d carries no data but is tied to %s call %d", n, senders[n][0]["call.op"], num(senders[n][0]["call.number"]))
			}
			continue
		}
		data++
		if len(senders[n]) != 1 || receivers[n] != 1 {
			t.Errorf("data frame %d (%q) is tied to %d sending and %d receiving calls, want one each", n, payload, len(senders[n]), receivers[n])
			continue
		}
		if sent := sentBytes(t, senders[n][0]); !bytes.Equal(sent, payload) {
			t.Errorf("data frame %d carries %q; the %s tied to it wrote %q", n, payload, senders[n][0]["call.op"], sent)
		}
	}
	if data == 0 {
		t.Errorf("no frame carried data")
	}
}

const (
	tcpFIN = 0x01
	tcpSYN = 0x02
	tcpACK = 0x10
)

// TestTraceCForkServer traces a C server that forks a process per client
// and a C client that talks to it with write() and read(), run as
// `sockscope trace --json -e ./server -e ./client`: a lane for the parent,
// one for each forked child (distinct pids) and one for the client; each
// child's recv reads, frame for frame, what the client's write wrote and
// sends it back in the frames the client's read reads; every data segment
// is one write's bytes; a handshake and a FIN each way per connection;
// exit status 0.
func TestTraceCForkServer(t *testing.T) {
	dir := t.TempDir()
	gccBuild(t, dir, "server", "fork_echo_server.c")
	gccBuild(t, dir, "client", "write_read_client.c")
	r, stderr, code := traceIn(t, dir, "-e", "./server", "-e", "./client")
	if code != 0 {
		t.Fatalf("exit status %d, want 0\n%s", code, stderr)
	}
	msgs := [][]string{{"alpha:one", "alpha:two"}, {"bravo:three!", "bravo:four!!"}}
	for _, line := range []string{"./server │ listening on 127.0.0.1:7311", "./client │ echo alpha:one", "./client │ echo alpha:two", "./client │ echo bravo:three!", "./client │ echo bravo:four!!"} {
		if !strings.Contains(stderr, line+"\n") {
			t.Errorf("the programs' output lacks %q:\n%s", line, stderr)
		}
	}
	if len(r.steps) != 2 || str(r.steps[0]["step.title"]) != "1. ./server" || str(r.steps[1]["step.title"]) != "2. ./client" {
		t.Errorf("steps %v, want one per program", r.steps)
	}

	// The lanes: the parent server, its two children, the client.
	var parent, client *lane
	var children []*lane
	pids := map[int]bool{}
	for _, l := range lanesOf(t, r) {
		l.inOrder(t)
		if pids[l.pid] {
			t.Errorf("pid %d has two lanes", l.pid)
		}
		pids[l.pid] = true
		switch {
		case l.name == "client" && client == nil:
			client = l
		case l.name == "server" && strings.Contains(l.ops(), "listen"):
			parent = l
		case l.name == "server":
			children = append(children, l)
		default:
			t.Errorf("an unexpected lane %s [%d]: %s", l.name, l.pid, l.ops())
		}
	}
	if parent == nil || client == nil || len(children) != 2 {
		t.Fatalf("lanes: parent %v, client %v, %d children; want the server, its two children and the client", parent, client, len(children))
	}
	if got, want := parent.ops(), "socket setsockopt bind listen accept close accept close close"; got != want {
		t.Errorf("the parent's calls: %s\nwant %s", got, want)
	}
	for _, ch := range children {
		if got, want := ch.ops(), "close recv send recv send recv close"; got != want {
			t.Errorf("child %d's calls: %s\nwant %s (the listener closed, two echoes, the end of stream)", ch.pid, got, want)
		}
	}
	if got, want := client.ops(), "socket connect write read write read close socket connect write read write read close"; got != want {
		t.Fatalf("the client's calls: %s\nwant %s", got, want)
	}
	pc := parent.calls
	if str(pc[2]["call.args"]) != "127.0.0.1:7311" || num(pc[2]["call.ret"]) != 0 || str(pc[3]["call.tcp_state"]) != "LISTEN" {
		t.Errorf("bind(%s) = %d, listen leaves %s", pc[2]["call.args"], num(pc[2]["call.ret"]), pc[3]["call.tcp_state"])
	}

	// The handshakes and the FINs, per connection.
	w := wireOf(r)
	type conn struct{ syn, synack, finC, finS int }
	conns := map[int]*conn{}
	for n, p := range w {
		s := num(p["tcp.stream"])
		if conns[s] == nil {
			conns[s] = &conn{}
		}
		flags, fromServer := num(p["tcp.flags"]), num(p["tcp.srcport"]) == 7311
		switch {
		case flags&tcpSYN != 0 && flags&tcpACK == 0:
			conns[s].syn = n
		case flags&tcpSYN != 0:
			conns[s].synack = n
		case flags&tcpFIN != 0 && fromServer:
			conns[s].finS++
		case flags&tcpFIN != 0:
			conns[s].finC++
		}
	}
	if len(conns) != 2 {
		t.Errorf("%d TCP streams on the wire, want the client's two connections", len(conns))
	}
	for s, c := range conns {
		if c.syn == 0 || c.synack == 0 || c.finC != 1 || c.finS != 1 {
			t.Errorf("stream %d: SYN frame %d, SYN-ACK frame %d, %d FIN from the client, %d from the server; want a handshake and one FIN each way", s, c.syn, c.synack, c.finC, c.finS)
		}
	}

	// Each connection: the client's connect and the parent's accept tied
	// to its handshake; its child's recvs read the client's writes and
	// its sends are what the client's reads read.
	accepts := []map[string]any{pc[4], pc[6]}
	served := map[int]bool{}
	for i, cc := range [][]map[string]any{client.calls[:7], client.calls[7:]} {
		connect := cc[1]
		stream := w.streamOf(t, connect)
		if num(connect["call.ret"]) != 0 || stream < 0 || conns[stream] == nil || !hasFrame(connect, conns[stream].syn) {
			t.Errorf("connection %d: connect = %d, tied to frames %v; want 0 and its SYN", i+1, num(connect["call.ret"]), frames(connect))
			continue
		}
		if a := accepts[i]; num(a["call.ret"]) <= 0 || !hasFrame(a, conns[stream].syn) || !hasFrame(a, conns[stream].synack) {
			t.Errorf("connection %d: accept = %d tied to frames %v; want a descriptor and the handshake %d, %d", i+1, num(a["call.ret"]), frames(a), conns[stream].syn, conns[stream].synack)
		}
		var child *lane
		for _, ch := range children {
			if len(ch.calls) > 1 && w.streamOf(t, ch.calls[1]) == stream {
				child = ch
			}
		}
		if child == nil || served[child.pid] || child.pid == parent.pid {
			t.Errorf("connection %d (stream %d): no child of its own serves it", i+1, stream)
			continue
		}
		served[child.pid] = true
		if len(child.calls) != 7 {
			continue // reported above
		}
		for j, msg := range msgs[i] {
			write, read := cc[2+2*j], cc[3+2*j]
			recv, send := child.calls[1+2*j], child.calls[2+2*j]
			got := map[string][]byte{
				"the client's write (args)":   sentBytes(t, write),
				"the client's write (frames)": w.carried(write),
				"the child's recv (frames)":   w.carried(recv),
				"the child's send (args)":     sentBytes(t, send),
				"the child's send (frames)":   w.carried(send),
				"the client's read (frames)":  w.carried(read),
			}
			for what, b := range got {
				if string(b) != msg {
					t.Errorf("connection %d, message %d: %s %q, want %q", i+1, j+1, what, b, msg)
				}
			}
			for _, c := range []map[string]any{write, recv, send, read} {
				if num(c["call.ret"]) != len(msg) || str(c["call.errno"]) != "" || w.streamOf(t, c) != stream {
					t.Errorf("connection %d: %s %d = %d %s on stream %d; want %d bytes on stream %d", i+1, c["call.op"], num(c["call.number"]), num(c["call.ret"]), c["call.errno"], w.streamOf(t, c), len(msg), stream)
				}
			}
		}
		if eof := child.calls[5]; num(eof["call.ret"]) != 0 || str(eof["call.outcome"]) != "b''" || len(frames(eof)) != 0 {
			t.Errorf("child %d's last recv = %d (%v, frames %v); want 0, the client's close", child.pid, num(eof["call.ret"]), eof["call.outcome"], frames(eof))
		}
	}
	checkSegments(t, r, w)
}

func hasFrame(c map[string]any, n int) bool {
	for _, f := range frames(c) {
		if f == n {
			return true
		}
	}
	return false
}

// goBuild builds testdata/trace/SRC as the main package of a module of
// its own into dir/NAME, or skips the test when the go tool is missing.
func goBuild(t *testing.T, dir, name, src string) {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go tool is not in PATH: this test traces a Go program built here")
	}
	code, err := os.ReadFile(filepath.Join("testdata", "trace", src))
	if err != nil {
		t.Fatal(err)
	}
	mod := t.TempDir()
	for file, b := range map[string][]byte{"main.go": code, "go.mod": []byte("module " + name + "\n\ngo 1.22\n")} {
		if err := os.WriteFile(filepath.Join(mod, file), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(goTool, "build", "-o", filepath.Join(dir, name), ".")
	cmd.Dir = mod
	// No cgo (no C toolchain needed), the flags of this module only, and
	// the toolchain that runs the test.
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=-mod=mod", "GOTOOLCHAIN=local", "GOWORK=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", src, err, out)
	}
}

// TestTraceGoNetpoller traces a Go program that dials itself and echoes
// over net.Conn: Go's sockets are non-blocking and it waits in
// epoll_pwait, so the trace shows SOCK_NONBLOCK, connect's EINPROGRESS, a
// read that fails with EAGAIN and the epoll_pwait that waited after it;
// Go moves the bytes with read and write (not send/recv), and each
// write's bytes are the payload of the frames tied to it and read by the
// reads tied to the same frames.
func TestTraceGoNetpoller(t *testing.T) {
	dir := t.TempDir()
	goBuild(t, dir, "netpoll", "netpoll.go.txt")
	r, stderr, code := traceIn(t, dir, "--", "./netpoll")
	if code != 0 {
		t.Fatalf("exit status %d, want 0\n%s", code, stderr)
	}
	const msg = "go says hello over the netpoller"
	if !strings.Contains(stderr, "./netpoll │ echoed "+strings.ToUpper(msg)+"\n") {
		t.Errorf("the program's output is not shown:\n%s", stderr)
	}
	threads := 0
	for _, l := range lanesOf(t, r) {
		l.inOrder(t)
		if l.name != "netpoll" {
			t.Errorf("a lane %s [%d]: %s", l.name, l.pid, l.ops())
		}
		threads++
	}
	byOp := map[string][]map[string]any{}
	for _, c := range r.calls {
		byOp[str(c["call.op"])] = append(byOp[str(c["call.op"])], c)
	}
	for _, s := range byOp["socket"] {
		if !strings.Contains(str(s["call.args"]), "SOCK_NONBLOCK") {
			t.Errorf("socket(%s): Go makes its sockets non-blocking", s["call.args"])
		}
	}
	if cs := byOp["connect"]; len(cs) != 1 || str(cs[0]["call.errno"]) != "EINPROGRESS" || str(cs[0]["call.args"]) != "127.0.0.1:7314" {
		t.Errorf("connects %v; want one to 127.0.0.1:7314 returning EINPROGRESS", cs)
	}
	// The accepted socket: the one the reads before and after the data
	// use.
	accepted := -1
	for _, a := range append(byOp["accept"], byOp["accept4"]...) {
		if num(a["call.ret"]) > 0 {
			accepted = num(a["call.ret"])
		}
	}
	eagain := false
	for _, c := range byOp["read"] {
		if str(c["call.errno"]) == "EAGAIN" {
			eagain = true
			if num(c["call.fd"]) != accepted || c["call.nonblocking"] != true || len(frames(c)) != 0 {
				t.Errorf("read EAGAIN on fd %d (nonblocking %v, frames %v); want the accepted socket %d, non-blocking, no frame", num(c["call.fd"]), c["call.nonblocking"], frames(c), accepted)
			}
		}
	}
	if !eagain {
		t.Errorf("no read failed with EAGAIN: the read before any data should")
	}
	epolls := append(byOp["epoll_pwait"], byOp["epoll_wait"]...)
	var ready, waited bool
	for _, e := range epolls {
		ready = ready || num(e["call.ret"]) > 0
		waited = waited || e["call.waited"] == true
	}
	if !ready || !waited {
		t.Errorf("%d epoll_pwait calls; want one that found a socket ready (%v) and one that waited (%v)", len(epolls), ready, waited)
	}

	// The bytes: two writes (the message, its echo), each read whole by
	// the reads tied to its frames.
	w := wireOf(r)
	var wrote, onWire, read []byte
	for _, c := range byOp["write"] {
		b := sentBytes(t, c)
		if num(c["call.ret"]) != len(b) || !bytes.Equal(w.carried(c), b) {
			t.Errorf("write %q = %d, its frames carried %q", b, num(c["call.ret"]), w.carried(c))
		}
		wrote = append(wrote, b...)
		onWire = append(onWire, w.carried(c)...)
	}
	for _, c := range byOp["read"] {
		if num(c["call.ret"]) > 0 {
			if got := w.carried(c); len(got) != num(c["call.ret"]) {
				t.Errorf("read = %d, its frames carried %q", num(c["call.ret"]), got)
			}
			read = append(read, w.carried(c)...)
		}
	}
	want := msg + strings.ToUpper(msg)
	if string(wrote) != want || string(onWire) != want || string(read) != want {
		t.Errorf("written %q\non the wire %q\nread %q\nwant %q each", wrote, onWire, read, want)
	}
	checkSegments(t, r, w)
	if testing.Verbose() {
		t.Logf("%d lanes (threads), %d calls: %v", threads, len(r.calls), opsCount(byOp))
	}
}

func opsCount(byOp map[string][]map[string]any) string {
	var parts []string
	for op, cs := range byOp {
		parts = append(parts, fmt.Sprintf("%s×%d", op, len(cs)))
	}
	return strings.Join(parts, " ")
}
