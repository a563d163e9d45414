package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// pythonBin prefers the system's python3: a python3 found first on PATH
// may be a version manager's shell shim, slow to start and private to its
// owner.
func pythonBin(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat("/usr/bin/python3"); err == nil {
		return "/usr/bin/python3"
	}
	return python(t)
}

// traceCalls are a trace's calls, by the program they came from.
type traceCalls struct {
	r     *demoRun
	lanes map[string][]map[string]any // "server", "client" → calls
}

func byProgram(r *demoRun, first, second string) traceCalls {
	tc := traceCalls{r: r, lanes: map[string][]map[string]any{}}
	for _, c := range r.calls {
		ep := str(c["call.endpoint"])
		switch {
		case strings.Contains(ep, first+" ["):
			tc.lanes["first"] = append(tc.lanes["first"], c)
		case strings.Contains(ep, second+" ["):
			tc.lanes["second"] = append(tc.lanes["second"], c)
		}
	}
	return tc
}

// ops lists a lane's calls' ops, "socket bind recvfrom …".
func (tc traceCalls) ops(lane string) string {
	var ops []string
	for _, c := range tc.lanes[lane] {
		ops = append(ops, str(c["call.op"]))
	}
	return strings.Join(ops, " ")
}

// sum adds the results of a lane's calls whose op starts with prefix.
func (tc traceCalls) sum(lane, prefix string) int {
	n := 0
	for _, c := range tc.lanes[lane] {
		if strings.HasPrefix(str(c["call.op"]), prefix) && num(c["call.ret"]) > 0 {
			n += num(c["call.ret"])
		}
	}
	return n
}

func (tc traceCalls) find(lane string, keep func(c map[string]any) bool) map[string]any {
	for _, c := range tc.lanes[lane] {
		if keep(c) {
			return c
		}
	}
	return nil
}

// TestTracePythonPrograms runs every pair of demos/python under the real
// binary's trace and checks the facts each pair is there to show, in the
// calls and on the wire.
func TestTracePythonPrograms(t *testing.T) {
	py := pythonBin(t)
	dir, err := filepath.Abs("../../demos/python")
	if err != nil {
		t.Fatal(err)
	}
	for _, pair := range []struct {
		first, second string
		check         func(t *testing.T, tc traceCalls, stderr string)
	}{
		{"echo_server.py", "echo_client.py", func(t *testing.T, tc traceCalls, stderr string) {
			if got := tc.ops("first"); !strings.HasPrefix(got, "socket setsockopt bind listen") || !strings.Contains(got, " accept ") {
				t.Errorf("server: %s", got)
			}
			sent, echoed := tc.sum("second", "send"), tc.sum("first", "send")
			if sent == 0 || sent != echoed || tc.sum("first", "recv") != sent || tc.sum("second", "recv") != sent {
				t.Errorf("client sent %d, server read %d and sent %d, client read %d", sent, tc.sum("first", "recv"), echoed, tc.sum("second", "recv"))
			}
			if eof := tc.find("first", func(c map[string]any) bool {
				return str(c["call.op"]) == "recv" && num(c["call.ret"]) == 0 && str(c["call.outcome"]) == "b''"
			}); eof == nil {
				t.Errorf("the server's last recv returns b'' (explained): %s", tc.ops("first"))
			}
		}},
		{"threaded_server.py", "threaded_client.py", func(t *testing.T, tc traceCalls, stderr string) {
			threads := map[string]bool{}
			accepts := 0
			for _, c := range tc.lanes["first"] {
				ep := str(c["call.endpoint"])
				if str(c["call.op"]) == "recv" && strings.Contains(ep, " thread ") {
					threads[ep] = true
				}
				if strings.HasPrefix(str(c["call.op"]), "accept") && num(c["call.ret"]) > 0 {
					accepts++
				}
			}
			if len(threads) != 3 || accepts != 3 {
				t.Errorf("%d accepts, recvs on %d threads %v; want 3 and 3", accepts, len(threads), threads)
			}
		}},
		{"udp_server.py", "udp_client.py", func(t *testing.T, tc traceCalls, stderr string) {
			if tc.sum("second", "sendto") == 0 || tc.sum("first", "recvfrom") != tc.sum("second", "sendto") {
				t.Errorf("client sendto %d bytes, server recvfrom %d", tc.sum("second", "sendto"), tc.sum("first", "recvfrom"))
			}
			udp := 0
			for _, p := range tc.r.packets {
				if num(p["ip.proto"]) == 17 {
					udp++
				}
			}
			if udp != 6 {
				t.Errorf("%d datagrams on the wire, want 3 each way", udp)
			}
		}},
		{"broadcast_receiver.py", "broadcast_sender.py", func(t *testing.T, tc traceCalls, stderr string) {
			if tc.find("second", func(c map[string]any) bool {
				return str(c["call.op"]) == "setsockopt" && strings.Contains(str(c["call.args"]), "SO_BROADCAST")
			}) == nil {
				t.Errorf("no SO_BROADCAST: %s", tc.ops("second"))
			}
			bcast := false
			for _, p := range tc.r.packets {
				bcast = bcast || str(p["ip.dst"]) == "127.255.255.255"
			}
			if !bcast || tc.sum("first", "recvfrom") != 15 {
				t.Errorf("broadcast on the wire %v, received %d bytes; want the datagram and its 15 bytes", bcast, tc.sum("first", "recvfrom"))
			}
		}},
		{"unix_server.py", "unix_client.py", func(t *testing.T, tc traceCalls, stderr string) {
			for _, c := range append(tc.lanes["first"], tc.lanes["second"]...) {
				if p := str(c["call.proto"]); p != "unix" && p != "" {
					t.Errorf("call %d %s on %s", num(c["call.number"]), c["call.op"], p)
				}
			}
			if len(tc.r.packets) != 0 || tc.sum("second", "send") == 0 || tc.sum("first", "recv") != tc.sum("second", "send") {
				t.Errorf("%d packets, client sent %d, server read %d; want no packets and every byte read", len(tc.r.packets), tc.sum("second", "send"), tc.sum("first", "recv"))
			}
		}},
		{"mistake_two_recvs_server.py", "mistake_two_recvs_client.py", func(t *testing.T, tc traceCalls, stderr string) {
			if tc.sum("first", "recv") != len("helloworld") || tc.sum("second", "send") != len("helloworld") {
				t.Errorf("server read %d bytes, client sent %d; want 10", tc.sum("first", "recv"), tc.sum("second", "send"))
			}
		}},
		{"mistake_no_close_server.py", "mistake_no_close_client.py", func(t *testing.T, tc traceCalls, stderr string) {
			// settimeout: a non-blocking socket and poll; the poll ends
			// with nothing ready after the timeout.
			if tc.find("second", func(c map[string]any) bool {
				return strings.Contains(str(c["call.op"]), "poll") && num(c["call.ret"]) == 0
			}) == nil {
				t.Errorf("no poll that timed out in the client: %s", tc.ops("second"))
			}
			if !strings.Contains(stderr, "timed out") {
				t.Errorf("the client's output does not say it timed out:\n%s", stderr)
			}
		}},
		{"mistake_ignored_send_server.py", "mistake_ignored_send_client.py", func(t *testing.T, tc traceCalls, stderr string) {
			send := tc.find("second", func(c map[string]any) bool { return strings.HasPrefix(str(c["call.op"]), "send") })
			if send == nil || num(send["call.len"]) != 1<<20 || num(send["call.ret"]) <= 0 || num(send["call.ret"]) >= 1<<20 {
				t.Fatalf("the client's send: %v; want 1 MiB offered and less taken", send)
			}
			if got := tc.sum("first", "recv"); got != num(send["call.ret"]) {
				t.Errorf("the server read %d bytes; the send took %d", got, num(send["call.ret"]))
			}
		}},
	} {
		t.Run(strings.TrimSuffix(pair.first, ".py"), func(t *testing.T) {
			t.Parallel()
			r, stderr, code := runTraceJSON(t,
				"-e", py+" "+filepath.Join(dir, pair.first),
				"-e", py+" "+filepath.Join(dir, pair.second))
			if code != 0 {
				t.Fatalf("exit status %d\n%s", code, stderr)
			}
			tc := byProgram(r, pair.first, pair.second)
			if len(tc.lanes["first"]) == 0 || len(tc.lanes["second"]) == 0 {
				t.Fatalf("calls: %d from %s, %d from %s", len(tc.lanes["first"]), pair.first, len(tc.lanes["second"]), pair.second)
			}
			pair.check(t, tc, stderr)
		})
	}
}
