package main

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// runTraceJSON runs `sockscope trace --json ARGS` (in its own lab) and
// returns its objects, its standard error and its exit status.
func runTraceJSON(t *testing.T, args ...string) (*demoRun, string, int) {
	t.Helper()
	python(t)
	pcap := filepath.Join(t.TempDir(), "trace.pcapng")
	cmd := exec.Command(sockscopeBinary(t), append([]string{"trace", "--json", "-w", pcap}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	var xe *exec.ExitError
	switch {
	case errors.As(err, &xe):
		code = xe.ExitCode()
	case err != nil:
		t.Fatalf("sockscope trace: %v", err)
	}
	if strings.Contains(stderr.String(), "user namespaces") {
		t.Skipf("no private network namespace here: %s", stderr.String())
	}
	r := parseDemoJSON(t, "trace", stdout.Bytes())
	r.pcap = pcap
	return r, stderr.String(), code
}

// python returns the path of python3, or skips the test.
func python(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed: the trace tests run Python programs")
	}
	return p
}

// writeProgram writes a Python program into dir and returns its path.
func writeProgram(t *testing.T, dir, name, src string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const traceServer = `import socket
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', 7199))
s.listen(5)
conn, addr = s.accept()
while True:
    data = conn.recv(1024)
    if not data:
        break
    conn.sendall(data.upper())
conn.close()
s.close()
`

const traceClient = `import socket
c = socket.create_connection(('127.0.0.1', 7199))
c.sendall(b'hello ')
c.sendall(b'world')
got = b''
while len(got) < 11:
    got += c.recv(1024)
print('got', got)
c.close()
`

// TestTraceEcho traces a Python server and its client, started in order
// by -e, and checks that the calls are the programs' own (their bytes and
// results), that the data segments are tied to the sends and recvs by byte
// range, and that the handshake and both FINs are there.
func TestTraceEcho(t *testing.T) {
	dir := t.TempDir()
	srv := writeProgram(t, dir, "server.py", traceServer)
	cli := writeProgram(t, dir, "client.py", traceClient)
	r, stderr, code := runTraceJSON(t, "-e", "python3 "+srv, "-e", "python3 "+cli)
	if code != 0 {
		t.Fatalf("exit status %d\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "client.py │ got b'HELLO WORLD'") {
		t.Errorf("the client's output is not shown:\n%s", stderr)
	}
	if len(r.steps) != 2 {
		t.Errorf("%d steps, want one per program", len(r.steps))
	}
	lane := func(c map[string]any) string {
		ep, _ := c["call.endpoint"].(string)
		switch {
		case strings.Contains(ep, "server.py ["):
			return "server"
		case strings.Contains(ep, "client.py ["):
			return "client"
		}
		return ep
	}
	payload := map[int][]byte{} // frame number → TCP payload
	var syn, fins int
	for _, p := range r.packets {
		flags := num(p["tcp.flags"])
		if flags&0x02 != 0 && flags&0x10 == 0 {
			syn++
		}
		if flags&0x01 != 0 {
			fins++
		}
		if b, err := hex.DecodeString(str(p["data.data"])); err == nil && len(b) > 0 {
			payload[num(p["frame.number"])] = b
		}
	}
	if syn != 1 || fins != 2 {
		t.Errorf("on the wire: %d SYN, %d FIN; want the handshake and a FIN each way", syn, fins)
	}
	// carried is what the frames tied to a call carried.
	carried := func(c map[string]any) []byte {
		var b []byte
		frames, _ := c["call.frames"].([]any)
		for _, f := range frames {
			b = append(b, payload[num(f)]...)
		}
		return b
	}
	var sent, onWire, echoed, read []byte
	ops := map[string][]string{}
	for _, c := range r.calls {
		who, op := lane(c), c["call.op"].(string)
		ops[who] = append(ops[who], op)
		if num(c["call.ret"]) <= 0 {
			continue
		}
		switch {
		case who == "client" && strings.HasPrefix(op, "send"):
			arg, err := strconv.Unquote(str(c["call.args"]))
			if err != nil || c["call.bytes"] == nil {
				t.Errorf("client %s(%s): bytes %v", op, c["call.args"], c["call.bytes"])
			}
			sent = append(sent, arg...)
			onWire = append(onWire, carried(c)...)
		case who == "server" && strings.HasPrefix(op, "send"):
			echoed = append(echoed, carried(c)...)
		case who == "client" && strings.HasPrefix(op, "recv"):
			read = append(read, carried(c)...)
		}
	}
	for _, want := range []struct{ who, ops string }{
		{"server", "socket setsockopt bind listen accept"},
		{"client", "socket connect"},
	} {
		if got := strings.Join(ops[want.who], " "); !strings.HasPrefix(got, want.ops) {
			t.Errorf("%s's calls: %s; want them to begin %s", want.who, got, want.ops)
		}
	}
	if string(sent) != "hello world" || string(onWire) != "hello world" || string(echoed) != "HELLO WORLD" || string(read) != "HELLO WORLD" {
		t.Errorf("bytes: the client sent %q (frames tied to its sends: %q), the server's sends' frames %q, the client's recvs' frames %q", sent, onWire, echoed, read)
	}
	if fi, err := os.Stat(r.pcap); err != nil || fi.Size() == 0 {
		t.Errorf("-w wrote nothing: %v", err)
	}
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// TestTraceBadCommands: a program that does not exist, and one that makes
// no socket call, each give one line, and the program's own status.
func TestTraceBadCommands(t *testing.T) {
	python(t)
	_, stderr, code := runTraceJSON(t, "--", "no-such-program-here", "x")
	if code == 0 || !strings.Contains(stderr, "no-such-program-here") || strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
		t.Errorf("missing command: status %d, stderr %q; want one line naming it", code, stderr)
	}
	// The program looks its user up, so a glibc that asks nscd first makes
	// socket calls of its own, which are marked as the C library's and do
	// not count as the program's.
	r, stderr, code := runTraceJSON(t, "--", "python3", "-c", "import os, pwd, sys; pwd.getpwuid(os.getuid()); sys.exit(3)")
	if code != 3 || !strings.Contains(stderr, "made no socket calls") || !strings.Contains(stderr, "exit status 3") || strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
		t.Errorf("no socket calls: status %d, stderr %q; want 3 and a line saying so", code, stderr)
	}
	for _, c := range r.calls {
		t.Errorf("a call of a program that makes none: %v", c)
	}
	if want := fmt.Sprintf("only the C library's %d to nscd", len(r.libc)); len(r.libc) > 0 && !strings.Contains(stderr, want) {
		t.Errorf("stderr %q: want it to say %q", stderr, want)
	}
}

// TestTraceUsage: bad command lines are refused before anything runs.
func TestTraceUsage(t *testing.T) {
	for _, args := range [][]string{
		{"trace"},
		{"trace", "-e", "python3 'x.py"},
		{"trace", "-e", "  "},
		{"trace", "--no-ui", "--json", "--", "true"},
		{"trace", "--lang", "fr", "--", "true"},
	} {
		_, stderr, code := runBinary(t, args...)
		if code != 2 || strings.Count(strings.TrimSpace(stderr), "\n") != 0 || !strings.HasPrefix(stderr, "sockscope: trace") {
			t.Errorf("%q: status %d, stderr %q; want 2 and one line", args, code, stderr)
		}
	}
}

func TestSplitWords(t *testing.T) {
	for in, want := range map[string][]string{
		`python3 server.py`:          {"python3", "server.py"},
		`  a   b  `:                  {"a", "b"},
		`python3 -c 'print("a b")'`:  {"python3", "-c", `print("a b")`},
		`echo "x \"y\" \\z" w\ v`:    {"echo", `x "y" \z`, "w v"},
		`a''b ""`:                    {"ab", ""},
		`prog --name='two words'!`:   {"prog", "--name=two words!"},
		"tab\tsep\nnewline":          {"tab", "sep", "newline"},
		`python3 "/tmp/my dir/s.py"`: {"python3", "/tmp/my dir/s.py"},
	} {
		got, err := splitWords(in)
		if err != nil || strings.Join(got, "|") != strings.Join(want, "|") || len(got) != len(want) {
			t.Errorf("splitWords(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{`'open`, `"open`, `a "b`} {
		if _, err := splitWords(bad); err == nil {
			t.Errorf("splitWords(%q): no error", bad)
		}
	}
}
