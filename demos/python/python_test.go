// Package python holds the Python programs a learner starts from (see
// README.md); this test runs each server and its client with python3 and
// checks what they print.
//
// TestPairs runs every pair on this machine's loopback with a free port
// (or a socket file in a temporary directory) passed as arguments.
// TestDefaultsInNamespace runs them again with no arguments at all, on the
// default ports and paths, in a fresh network namespace as `sockscope
// trace` does; it is skipped where namespaces cannot be created.
package python

import (
	"bufio"
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sockscope/sockscope/internal/netns"
)

// pair is one demo: a server, the client started once the server printed
// its readiness line, and what their output must show.
type pair struct {
	name           string
	server, client string // file names in this directory
	ready          string // the server prints a line containing this when it can be reached
	udp            bool   // the port to pick is a UDP one
	unix           bool   // the address is a socket file, not HOST PORT
	// args, for the run on the host: the server's and the client's
	// arguments, given a free port (or a directory for a socket file).
	args  func(port int, dir string) (server, client []string)
	check func(t *testing.T, server, client []string)
}

func hostPort(host string) func(int, string) ([]string, []string) {
	return func(port int, _ string) ([]string, []string) {
		p := strconv.Itoa(port)
		return []string{host, p}, []string{"127.0.0.1", p}
	}
}

var pairs = []pair{
	{
		name: "echo", server: "echo_server.py", client: "echo_client.py", ready: "listening on",
		args: hostPort("127.0.0.1"),
		check: func(t *testing.T, srv, cli []string) {
			echoes(t, cli, 2)
			want(t, "server", srv, "recv -> b''")
		},
	},
	{
		name: "threaded", server: "threaded_server.py", client: "threaded_client.py", ready: "listening on",
		args: func(port int, _ string) ([]string, []string) {
			p := strconv.Itoa(port)
			return []string{"127.0.0.1", p, "3"}, []string{"127.0.0.1", p, "3"}
		},
		check: func(t *testing.T, srv, cli []string) {
			echoes(t, cli, 3)
			want(t, "client", cli, "done: 3 of 3 echoes correct")
			want(t, "server", srv, "[MainThread] served 3 clients")
			if n := count(srv, "connected by"); n != 3 {
				t.Errorf("the server accepted %d connections, want 3", n)
			}
			for i := 1; i <= 3; i++ {
				want(t, "server", srv, "[handler-"+strconv.Itoa(i)+"] recv -> b''")
			}
		},
	},
	{
		name: "udp", server: "udp_server.py", client: "udp_client.py", ready: "bound to", udp: true,
		args: hostPort("127.0.0.1"),
		check: func(t *testing.T, srv, cli []string) {
			for i := 1; i <= 3; i++ {
				n := strconv.Itoa(i)
				want(t, "server", srv, "recvfrom -> b'ping "+n+"' from ('127.0.0.1', ")
				want(t, "client", cli, "recvfrom -> b'PING "+n+"' from ('127.0.0.1', ")
			}
			want(t, "client", cli, "our address, picked by the kernel: ('0.0.0.0', ")
		},
	},
	{
		// The receiver binds '' (every address); the sender sends to the
		// loopback network's broadcast address.
		name: "broadcast", server: "broadcast_receiver.py", client: "broadcast_sender.py", ready: "bound to", udp: true,
		args: func(port int, _ string) ([]string, []string) {
			p := strconv.Itoa(port)
			return []string{"", p}, []string{"127.255.255.255", p}
		},
		check: func(t *testing.T, srv, cli []string) {
			want(t, "sender", cli, "-> 15 bytes")
			want(t, "receiver", srv, "recvfrom -> b'hello, everyone' from ('127.0.0.1', ")
		},
	},
	{
		name: "unix", server: "unix_server.py", client: "unix_client.py", ready: "listening on", unix: true,
		args: func(_ int, dir string) ([]string, []string) {
			path := filepath.Join(dir, "echo.sock")
			return []string{path}, []string{path}
		},
		check: func(t *testing.T, srv, cli []string) {
			echoes(t, cli, 2)
			want(t, "server", srv, "connected by ''")
			want(t, "server", srv, "unlinked ")
		},
	},
	{
		name: "mistake_two_recvs", server: "mistake_two_recvs_server.py", client: "mistake_two_recvs_client.py", ready: "listening on",
		args: hostPort("127.0.0.1"),
		check: func(t *testing.T, srv, cli []string) {
			// Glued or not (timing decides), every byte arrives, in order.
			m := find(t, "server", srv, `^got b'helloworld' in (\d+) recv call\(s\) for 2 messages$`)
			if m != nil {
				t.Logf("the server's recv calls returned data %s time(s)", m[1])
				if n, _ := strconv.Atoi(m[1]); n < 1 || n > 10 {
					t.Errorf("%d recv calls for 10 bytes", n)
				}
			}
		},
	},
	{
		name: "mistake_no_close", server: "mistake_no_close_server.py", client: "mistake_no_close_client.py", ready: "listening on",
		args: hostPort("127.0.0.1"),
		check: func(t *testing.T, srv, cli []string) {
			want(t, "client", cli, "recv -> b'the answer to my question'")
			want(t, "client", cli, "timed out after 1.0 s waiting for b'': the server never closed")
			if has(cli, "the server closed: answer complete") {
				t.Error("the client saw the server close")
			}
			want(t, "server", srv, "recv -> b'' (the client closed; we still never close our side)")
			want(t, "server", srv, "exiting without conn.close()")
		},
	},
	{
		name: "mistake_ignored_send", server: "mistake_ignored_send_server.py", client: "mistake_ignored_send_client.py", ready: "listening on",
		args: hostPort("127.0.0.1"),
		check: func(t *testing.T, srv, cli []string) {
			want(t, "client", cli, "send() called with 1048576 bytes; its return value ignored")
			m := find(t, "server", srv, `^received (\d+) of 1048576 bytes; shortfall (\d+) bytes$`)
			if m == nil {
				return
			}
			got, _ := strconv.Atoi(m[1])
			short, _ := strconv.Atoi(m[2])
			t.Logf("received %d bytes, shortfall %d", got, short)
			if got <= 0 || short <= 0 || got+short != 1048576 {
				t.Errorf("received %d, shortfall %d: want some bytes received and some missing", got, short)
			}
		},
	},
}

// TestPairs runs each pair on this machine's loopback, on a free port.
func TestPairs(t *testing.T) {
	py := python3(t)
	for _, p := range pairs {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			port := 0
			if !p.unix {
				port = freePort(t, p.udp)
			}
			srvArgs, cliArgs := p.args(port, t.TempDir())
			srv, cli := runPair(t, py, p, srvArgs, cliArgs, nil)
			p.check(t, srv, cli)
			if p.unix {
				if _, err := os.Stat(srvArgs[0]); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("the socket file %s is still there after the server exited (%v)", srvArgs[0], err)
				}
			}
		})
	}
}

// TestDefaultsInNamespace runs each pair with no arguments (ports 7101 to
// 7107, the socket file under TMPDIR) in a fresh network namespace, where
// the fixed ports cannot collide with anything.
func TestDefaultsInNamespace(t *testing.T) {
	if netns.ReexecTest(t) {
		return
	}
	py := python3(t)
	for _, p := range pairs {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			tmp := t.TempDir()
			env := append(os.Environ(), "TMPDIR="+tmp)
			srv, cli := runPair(t, py, p, nil, nil, env)
			p.check(t, srv, cli)
			if p.unix {
				want(t, "server", srv, "listening on '"+filepath.Join(tmp, "sockscope-echo.sock")+"'")
			}
		})
	}
}

// python3 returns the interpreter to run, or skips the test. /usr/bin/python3
// comes first: a version manager's python3 on PATH may be a shell-script shim
// (slow to start) or in a directory another user cannot read.
func python3(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat("/usr/bin/python3"); err == nil {
		return "/usr/bin/python3"
	}
	p, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed; the demos in demos/python need it")
	}
	return p
}

// freePort returns a port that was free on 127.0.0.1 (TCP) or on every
// address (UDP) a moment ago.
func freePort(t *testing.T, udp bool) int {
	t.Helper()
	if udp {
		c, err := net.ListenPacket("udp4", ":0")
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		return c.LocalAddr().(*net.UDPAddr).Port
	}
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// runPair starts the server, waits for its readiness line (an event, not a
// delay), runs the client to the end, waits for the server to exit, and
// returns both outputs' lines. Either exiting with a status other than 0
// fails the test. env nil means this process's environment.
func runPair(t *testing.T, py string, p pair, srvArgs, cliArgs []string, env []string) (server, client []string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	srv := exec.CommandContext(ctx, py, append([]string{p.server}, srvArgs...)...)
	srv.Env = env
	var srvErr strings.Builder
	srv.Stderr = &srvErr
	out, err := srv.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatalf("starting %s: %v", p.server, err)
	}
	var (
		mu    sync.Mutex
		lines []string
	)
	ready := make(chan struct{})
	eof := make(chan struct{})
	go func() {
		defer close(eof)
		sc := bufio.NewScanner(out)
		seen := false
		for sc.Scan() {
			mu.Lock()
			lines = append(lines, sc.Text())
			mu.Unlock()
			if !seen && strings.Contains(sc.Text(), p.ready) {
				seen = true
				close(ready)
			}
		}
	}()
	serverLines := func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), lines...)
	}
	select {
	case <-ready:
	case <-eof:
		srv.Wait()
		t.Fatalf("%s ended before printing %q; stdout:\n%s\nstderr:\n%s", p.server, p.ready, strings.Join(serverLines(), "\n"), srvErr.String())
	case <-ctx.Done():
		t.Fatalf("%s did not print %q in time; stdout:\n%s\nstderr:\n%s", p.server, p.ready, strings.Join(serverLines(), "\n"), srvErr.String())
	}

	cli := exec.CommandContext(ctx, py, append([]string{p.client}, cliArgs...)...)
	cli.Env = env
	var cliErr strings.Builder
	cli.Stderr = &cliErr
	cliOut, cliRunErr := cli.Output()
	client = strings.Split(strings.TrimRight(string(cliOut), "\n"), "\n")

	<-eof // the server's stdout is closed when it exits (or is killed at the deadline)
	srvWaitErr := srv.Wait()
	server = serverLines()
	t.Logf("%s:\n\t%s", p.server, strings.Join(server, "\n\t"))
	t.Logf("%s:\n\t%s", p.client, strings.Join(client, "\n\t"))
	if cliRunErr != nil {
		t.Errorf("%s: %v; stderr:\n%s", p.client, cliRunErr, cliErr.String())
	}
	if srvWaitErr != nil {
		t.Errorf("%s: %v; stderr:\n%s", p.server, srvWaitErr, srvErr.String())
	}
	if t.Failed() {
		t.FailNow()
	}
	return server, client
}

func has(lines []string, s string) bool { return count(lines, s) > 0 }

func count(lines []string, s string) int {
	n := 0
	for _, l := range lines {
		if strings.Contains(l, s) {
			n++
		}
	}
	return n
}

// want fails t unless a line of who's output contains s.
func want(t *testing.T, who string, lines []string, s string) {
	t.Helper()
	if !has(lines, s) {
		t.Errorf("the %s printed no line containing %q", who, s)
	}
}

// find returns the submatches of the first of who's lines matching expr,
// or fails t and returns nil.
func find(t *testing.T, who string, lines []string, expr string) []string {
	t.Helper()
	re := regexp.MustCompile(expr)
	for _, l := range lines {
		if m := re.FindStringSubmatch(l); m != nil {
			return m
		}
	}
	t.Errorf("the %s printed no line matching %s", who, expr)
	return nil
}

// echoes checks the client's "sent X, echo Y" lines: n of them, each with
// Y equal to X.
func echoes(t *testing.T, client []string, n int) {
	t.Helper()
	re := regexp.MustCompile(`sent (b'.*'), echo (b'.*')$`)
	got := 0
	for _, l := range client {
		if m := re.FindStringSubmatch(l); m != nil {
			got++
			if m[1] != m[2] {
				t.Errorf("echo differs: %s", l)
			}
		}
	}
	if got != n {
		t.Errorf("the client reported %d echoes, want %d", got, n)
	}
}
