package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/sockscope/sockscope/capture"
)

var (
	buildOnce sync.Once
	binary    string
	buildErr  error
)

// sockscopeBinary builds the command once per test run, so that the demo
// tests drive it exactly as a person does: it makes its own lab.
func sockscopeBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "sockscope-test")
		if err != nil {
			buildErr = err
			return
		}
		binary = filepath.Join(dir, "sockscope")
		out, err := exec.Command("go", "build", "-buildvcs=false", "-o", binary, ".").CombinedOutput()
		if err != nil {
			buildErr = &buildFailure{out}
		}
	})
	if buildErr != nil {
		t.Fatalf("go build: %v", buildErr)
	}
	return binary
}

type buildFailure struct{ out []byte }

func (b *buildFailure) Error() string { return string(b.out) }

// demoRun is one demo's --json output, split by type.
type demoRun struct {
	steps, calls, packets []map[string]any
	buffers, outcomes     []map[string]any
	sockets               []map[string]any
	libc                  []map[string]any // calls the C library made for itself (call.libc), not in calls
	all                   []map[string]any // every object, in order
	pcap                  string
}

func runDemoJSON(t *testing.T, name string) *demoRun {
	t.Helper()
	pcap := filepath.Join(t.TempDir(), name+".pcapng")
	cmd := exec.Command(sockscopeBinary(t), "demo", name, "--json", "--pace", "0", "-w", pcap)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if strings.Contains(stderr.String(), "user namespaces") {
			t.Skipf("no private network namespace here: %s", stderr.String())
		}
		t.Fatalf("sockscope demo %s: %v\n%s", name, err, stderr.String())
	}
	r := parseDemoJSON(t, "demo "+name, out)
	r.pcap = pcap
	return r
}

// parseDemoJSON splits a demo's (or a trace's) --json output by type.
func parseDemoJSON(t *testing.T, what string, out []byte) *demoRun {
	t.Helper()
	r := &demoRun{}
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.UseNumber()
	for {
		m := map[string]any{}
		if err := dec.Decode(&m); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("%s: bad JSON: %v", what, err)
		}
		r.all = append(r.all, m)
		switch m["type"] {
		case "step":
			r.steps = append(r.steps, m)
		case "call":
			if m["call.libc"] == nil {
				r.calls = append(r.calls, m)
				break
			}
			// glibc's own calls to nscd (made when a traced program looks up
			// a user or host; Python does at start-up when HOME is not set,
			// as under CI) are not the program's. They are tagged, on an
			// AF_UNIX socket, and explained once, at the connect.
			op := m["call.op"]
			if m["call.libc"] != "nscd" || (op == "socket" || op == "connect") && m["call.proto"] != "unix" || op == "connect" && m["call.outcome"] == nil {
				t.Errorf("%s: a libc call, not nscd's, or not explained: %v", what, m)
			}
			r.libc = append(r.libc, m)
		case "buffer":
			r.buffers = append(r.buffers, m)
		case "outcome":
			r.outcomes = append(r.outcomes, m)
		case "socket":
			r.sockets = append(r.sockets, m)
		default:
			r.packets = append(r.packets, m)
		}
	}
	return r
}

func num(v any) int {
	n, _ := v.(json.Number).Int64()
	return int(n)
}

func ints(v any) []int {
	var out []int
	for _, x := range v.([]any) {
		out = append(out, num(x))
	}
	return out
}

// TestDemoTCPEcho runs the real binary: the handshake, the three sends
// carried by segments that cover exactly their bytes, one recv reading all
// of them, a FIN from each side, and the -w file carrying the comments.
func TestDemoTCPEcho(t *testing.T) {
	r := runDemoJSON(t, "tcp-echo")
	if len(r.steps) != 7 {
		t.Errorf("%d steps, want 7", len(r.steps))
	}
	var flags []int
	for _, p := range r.packets {
		flags = append(flags, num(p["tcp.flags"]))
	}
	if len(flags) < 3 || flags[0] != 0x02 || flags[1] != 0x12 || flags[2] != 0x10 {
		t.Fatalf("handshake flags %#x, want SYN, SYN/ACK, ACK", flags)
	}
	fins := map[string]int{}
	for _, p := range r.packets {
		if num(p["tcp.flags"])&0x01 != 0 {
			fins[p["tcp.srcport"].(json.Number).String()]++
		}
	}
	if len(fins) != 2 {
		t.Errorf("FINs by source port %v, want one from each side", fins)
	}
	byFrame := map[int]map[string]any{}
	for _, p := range r.packets {
		byFrame[num(p["frame.number"])] = p
	}
	var sends, recvs int
	for _, c := range r.calls {
		if c["call.endpoint"] == "client" && c["call.op"] == "send" {
			sends++
			var first, last int
			if _, err := fmt.Sscanf(c["call.bytes"].(string), "%d-%d", &first, &last); err != nil {
				t.Fatalf("call %v: bytes %q", c["call.number"], c["call.bytes"])
			}
			covered := 0
			for _, f := range ints(c["call.frames"]) {
				p := byFrame[f]
				seq, n := num(p["tcp.seq"]), num(p["tcp.len"])
				if seq > first || seq+n-1 < last {
					t.Errorf("send %v (bytes %d-%d): frame %d covers %d-%d", c["call.number"], first, last, f, seq, seq+n-1)
				}
				covered++
			}
			if covered == 0 || c["call.ack_frame"] == nil {
				t.Errorf("send %v: frames %v, ack %v", c["call.number"], c["call.frames"], c["call.ack_frame"])
			}
		}
		if c["call.endpoint"] == "server" && c["call.op"] == "recv" && num(c["call.ret"]) > 0 {
			recvs++
			if num(c["call.ret"]) != 16 || c["call.bytes"] != "1-16" || len(ints(c["call.peers"])) != 3 {
				t.Errorf("server recv: ret %v bytes %v peers %v; want all 16 bytes of the 3 sends", c["call.ret"], c["call.bytes"], c["call.peers"])
			}
		}
	}
	if sends != 3 || recvs != 1 {
		t.Errorf("%d client sends and %d server recvs with data, want 3 and 1", sends, recvs)
	}

	// The socket table as each step ended: at the end, the client's side
	// of the connection in TIME-WAIT with no descriptor (no endpoint) and
	// a timer; while the server listened, its listener with backlog 5.
	var timeWait, listener bool
	for _, m := range r.sockets {
		if m["socket.state"] == "TIME-WAIT" && m["socket.endpoint"] == nil && m["socket.timer"] == "timewait" && num(m["socket.step"]) == 7 {
			timeWait = true
		}
		if m["socket.state"] == "LISTEN" && m["socket.endpoint"] == "server" && num(m["socket.sendq"]) == 5 {
			listener = true
		}
	}
	if !timeWait || !listener {
		t.Errorf("socket tables: TIME-WAIT at the end %v, the server's listener %v:\n%v", timeWait, listener, r.sockets)
	}

	// The byte journey: before the server's recv, its receive buffer holds
	// 5, 11 and then 16 bytes, after the frames that carried them; the
	// last buffer object shows the bytes waiting.
	var recvqs []int
	var data16 string
	for _, m := range r.all {
		if m["type"] == "call" && m["call.endpoint"] == "server" && m["call.op"] == "recv" {
			break
		}
		if m["type"] == "buffer" && m["buffer.endpoint"] == "server" && m["buffer.listener"] == nil && num(m["buffer.recvq"]) > 0 {
			if !strings.HasPrefix(m["buffer.after"].(string), "frame ") {
				t.Errorf("server buffer changed after %v, want after a frame", m["buffer.after"])
			}
			recvqs = append(recvqs, num(m["buffer.recvq"]))
			if num(m["buffer.recvq"]) == 16 {
				data16, _ = m["buffer.recv_data"].(string)
				if k, ok := m["buffer.kernel_recvq"]; ok && num(k) != 16 {
					t.Errorf("kernel Recv-Q %v at 16 bytes in the model: %v", k, m)
				}
			}
		}
	}
	if !slices.Equal(recvqs, []int{5, 11, 16}) || data16 != "hello你好world" {
		t.Errorf("server receive buffer before its recv: %v, bytes at 16 %q; want [5 11 16] and \"hello你好world\"", recvqs, data16)
	}
	for _, c := range r.calls {
		if c["call.op"] == "recv" && c["call.endpoint"] == "server" && num(c["call.ret"]) == 16 {
			if w, ok := c["call.wait_recvbuf_us"]; !ok || num(w) < 0 {
				t.Errorf("server recv: no call.wait_recvbuf_us: %v", c)
			}
		}
		if c["call.op"] == "send" && c["call.endpoint"] == "client" {
			if _, ok := c["call.wait_ack_us"]; !ok {
				t.Errorf("client send: no call.wait_ack_us: %v", c)
			}
		}
	}

	// -w: every packet, and the data segments commented with their calls.
	rd, err := capture.Open(r.pcap)
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	var f capture.Frame
	n := 0
	for rd.Next(&f) == nil {
		n++
	}
	raw, _ := os.ReadFile(r.pcap)
	if n != len(r.packets) || !bytes.Contains(raw, []byte(`client send("hello") = 5 (bytes 1–5)`)) {
		t.Errorf("-w: %d frames (want %d), comment found: %v", n, len(r.packets), bytes.Contains(raw, []byte("send(")))
	}
}

// One broadcast datagram on the wire, read by three receivers; AF_UNIX
// puts nothing on the wire.
func TestDemoBroadcastAndUnix(t *testing.T) {
	r := runDemoJSON(t, "udp-broadcast")
	var bcast []int
	for _, p := range r.packets {
		if p["ip.dst"] == "127.255.255.255" {
			bcast = append(bcast, num(p["frame.number"]))
		}
	}
	if len(bcast) != 1 {
		t.Fatalf("broadcast datagrams on the wire: %v, want one", bcast)
	}
	readers := map[string]bool{}
	for _, c := range r.calls {
		if c["call.op"] == "recvfrom" {
			if fr := ints(c["call.frames"]); len(fr) == 1 && fr[0] == bcast[0] {
				readers[c["call.endpoint"].(string)] = true
			}
		}
	}
	if len(readers) != 3 {
		t.Errorf("receivers tied to the broadcast datagram: %v, want 3", readers)
	}

	u := runDemoJSON(t, "unix-stream")
	if len(u.packets) != 0 {
		t.Errorf("unix-stream put %d packets on the wire", len(u.packets))
	}
	if len(u.calls) == 0 {
		t.Errorf("unix-stream recorded no calls")
	}
}

func TestDemoListAndUsage(t *testing.T) {
	out, _, code := runCmd(t, nil, "demo", "list")
	for _, name := range []string{"tcp-echo", "tcp-multi", "udp-echo", "udp-broadcast", "unix-stream"} {
		if code != 0 || !strings.Contains(out, name) {
			t.Errorf("demo list: exit %d, %q lacks %s", code, out, name)
		}
	}
	_, errOut, code := runCmd(t, nil, "demo", "no-such-demo")
	if code != 2 || !strings.Contains(errOut, "tcp-echo") {
		t.Errorf("unknown demo: exit %d, %q", code, errOut)
	}
}

// A -w path that cannot be written fails before the lesson runs: one line
// naming the flag and the file, and no timeline.
func TestDemoBadOutputFailsFirst(t *testing.T) {
	cmd := exec.Command(sockscopeBinary(t), "demo", "slow-reader", "--no-ui", "--pace", "0", "-w", "/nonexistent-dir/x.pcapng")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if strings.Contains(stderr.String(), "user namespaces") {
		t.Skipf("no private network namespace here: %s", stderr.String())
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Fatalf("exit %v, want 1; stderr %q", err, stderr.String())
	}
	msg := strings.TrimSpace(stderr.String())
	if strings.Count(msg, "\n") != 0 || !strings.Contains(msg, "-w") || !strings.Contains(msg, "/nonexistent-dir/x.pcapng") {
		t.Errorf("stderr %q, want one line naming -w and the file", msg)
	}
	if strings.Contains(stdout.String(), "── 1/") {
		t.Errorf("the lesson ran before -w failed:\n%s", stdout.String())
	}
}
