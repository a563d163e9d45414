//go:build linux

package demos

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sockscope/sockscope/capture"
	"github.com/sockscope/sockscope/decode"
	"github.com/sockscope/sockscope/demos/sockcall"
)

// The demo tests run in the lab: a test re-executes the test binary in a
// fresh network namespace with -test.run naming itself (inLab), and the
// child runs the demo with a live capture on the namespace's lo.

func TestMain(m *testing.M) {
	MaybeChild()
	os.Exit(m.Run())
}

// labTest returns true in the lab child. In the parent it runs this test
// again in a new network namespace, reports the child's result, and returns
// false.
func labTest(t *testing.T) bool {
	t.Helper()
	if InLab() {
		return true
	}
	return !runTestInLab(t, LabOptions{})
}

// runTestInLab re-runs t in the lab; it reports whether it ran there (false
// when the lab is not available and the test was skipped).
func runTestInLab(t *testing.T, opts LabOptions) bool {
	t.Helper()
	name := regexp.QuoteMeta(t.Name())
	opts.Args = []string{"-test.run=^" + name + "$", "-test.count=1", "-test.v", "-test.timeout=60s"}
	var out bytes.Buffer
	opts.Stdout, opts.Stderr = &out, &out
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	err := RunIsolated(ctx, opts)
	if errors.Is(err, ErrNoNamespace) && os.Geteuid() != 0 {
		t.Skipf("no lab here: %v", err)
	}
	if err != nil {
		t.Fatalf("in the lab: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "--- PASS: "+t.Name()) {
		t.Fatalf("in the lab the test did not pass:\n%s", out.String())
	}
	if testing.Verbose() {
		t.Logf("in the lab:\n%s", out.String())
	}
	return true
}

// wirePacket is one frame captured on lo, decoded, with its payload.
type wirePacket struct {
	decode.Packet
	Payload []byte
}

func (p *wirePacket) time() time.Time { return time.Unix(p.Sec, p.Nsec) }

// result is everything one demo run produced.
type result struct {
	demo  *Demo
	calls []sockcall.Call
	steps []int // the steps entered, in order
	wire  []wirePacket
	err   error
	dir   string // Env.Dir
}

// sentinel marks the end of a capture: a datagram the test sends itself
// after the demo, read back from the capture when everything before it is.
const (
	sentinelAddr    = "127.0.0.1:9999"
	sentinelPayload = "sockscope-test-end"
)

// runDemo runs demo name at Pace 0 with a capture on lo (lab only).
func runDemo(t *testing.T, name string) *result {
	t.Helper()
	return runDemoAt(t, name, 0)
}

// runDemoAt is runDemo with a pace between steps, as `--pace` gives.
func runDemoAt(t *testing.T, name string, pace time.Duration) *result {
	t.Helper()
	d, ok := Get(name)
	if !ok {
		t.Fatalf("no demo %q", name)
	}
	src, err := capture.OpenLive(capture.LiveOptions{Interface: "lo"})
	if err != nil {
		t.Fatalf("capture on lo: %v", err)
	}
	defer src.Close()
	capCtx, stopCapture := context.WithCancel(context.Background())
	defer stopCapture()
	frames := make(chan []wirePacket, 1)
	go func() {
		var out []wirePacket
		dec := decode.NewDecoder()
		var f capture.Frame
		for n := 1; ; n++ {
			if err := src.Next(capCtx, &f); err != nil {
				frames <- out
				return
			}
			var w wirePacket
			dec.Decode(&f, n, &w.Packet)
			w.Payload = payload(&f, &w.Packet)
			if w.IsUDP() && w.DstPort == 9999 && string(w.Payload) == sentinelPayload {
				frames <- out
				return
			}
			out = append(out, w)
		}
	}()

	r := &result{demo: d, dir: t.TempDir()}
	env := &Env{
		Record: func(c sockcall.Call) { r.calls = append(r.calls, c) },
		OnStep: func(n int) { r.steps = append(r.steps, n) },
		Dir:    r.dir,
		Pace:   pace,
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second+time.Duration(len(d.Steps))*pace)
	defer cancel()
	r.err = d.Run(ctx, env)

	conn, err := net.Dial("udp", sentinelAddr)
	if err != nil {
		t.Fatal(err)
	}
	conn.Write([]byte(sentinelPayload))
	conn.Close()
	select {
	case r.wire = <-frames:
	case <-time.After(10 * time.Second):
		stopCapture()
		r.wire = <-frames
		t.Errorf("the capture never saw the end-of-test datagram")
	}
	if r.err != nil {
		t.Fatalf("%s: %v", name, r.err)
	}
	checkCommon(t, r)
	if testing.Verbose() {
		t.Logf("%s:\n%s", name, r.timeline())
	}
	return r
}

// timeline prints the calls and packets merged in time order (a call
// before the packets stamped at the same instant).
func (r *result) timeline() string {
	var b strings.Builder
	i, j := 0, 0
	for i < len(r.calls) || j < len(r.wire) {
		if j == len(r.wire) || i < len(r.calls) && !time.Unix(r.calls[i].Sec, r.calls[i].Nsec).After(r.wire[j].time()) {
			c := r.calls[i]
			i++
			tcp := ""
			if c.TCP != nil {
				tcp = " " + c.TCP.State
			}
			res := fmt.Sprint(c.Ret)
			if c.Errno != "" {
				res += " " + c.Errno
			}
			fmt.Fprintf(&b, "  #%-3d step %d %-10s fd %d %s(%s) = %s  Send-Q %d Recv-Q %d%s  local %v peer %v %s\n",
				c.Number, c.Step, c.Endpoint, c.FD, c.Op, c.Args, res, c.SendQ, c.RecvQ, tcp, c.Local, c.Peer, c.Path)
			continue
		}
		p := r.wire[j]
		j++
		proto := "?"
		switch {
		case p.IsTCP():
			proto = fmt.Sprintf("TCP flags %#03x seq %d ack %d win %d", p.TCPFlags, p.Seq, p.Ack, p.Window)
		case p.IsUDP():
			proto = "UDP"
		}
		fmt.Fprintf(&b, "      frame %-3d %v:%d > %v:%d %s len %d %q\n", p.Number, p.Src, p.SrcPort, p.Dst, p.DstPort, proto, p.PayloadLen, p.Payload)
	}
	return b.String()
}

// payload returns a copy of the transport payload of a frame on lo
// (Ethernet framing).
func payload(f *capture.Frame, p *decode.Packet) []byte {
	if f.LinkType != capture.LinkEthernet || p.IPVersion != 4 {
		return nil
	}
	off := 14 + int(p.IPHdrLen)
	switch {
	case p.IsTCP():
		off += int(p.TCPHdrLen)
	case p.IsUDP():
		off += 8
	default:
		return nil
	}
	if off > len(f.Data) {
		return nil
	}
	end := min(off+p.PayloadLen, len(f.Data))
	return append([]byte(nil), f.Data[off:end]...)
}

// checkCommon asserts what every run must satisfy: calls numbered 1..N in
// order, stamped with a time, an endpoint and a step; steps entered once
// each, in order.
func checkCommon(t *testing.T, r *result) {
	t.Helper()
	if len(r.calls) == 0 {
		t.Fatal("no calls recorded")
	}
	for i, c := range r.calls {
		if c.Number != i+1 {
			t.Errorf("call %d has Number %d", i+1, c.Number)
		}
		if c.Sec == 0 || c.Endpoint == "" || c.Op == "" || c.FD <= 0 && !(isNameCall(c.Op) && c.FD == -1) {
			t.Errorf("call %d incomplete: %+v", c.Number, c)
		}
		if c.Step < 1 || c.Step > len(r.demo.Steps) {
			t.Errorf("call %d (%s %s) has step %d, the demo has %d", c.Number, c.Endpoint, c.Op, c.Step, len(r.demo.Steps))
		}
		if (c.Errno == "") != (c.Ret >= 0) {
			t.Errorf("call %d: Ret %d with Errno %q", c.Number, c.Ret, c.Errno)
		}
		if c.Proto == "" && !isNameCall(c.Op) { // a name call has no socket
			t.Errorf("call %d: no Proto", c.Number)
		}
		if start := time.Unix(c.StartSec, c.StartNsec); c.StartSec == 0 || start.After(callTime(c)) {
			t.Errorf("call %d began at %v, after it returned at %v", c.Number, start, callTime(c))
		}
		if i > 0 && callTime(c).Before(callTime(r.calls[i-1])) {
			t.Errorf("call %d returned at %v, before call %d at %v", c.Number, callTime(c), c.Number-1, callTime(r.calls[i-1]))
		}
	}
	want := make([]int, len(r.demo.Steps))
	for i := range want {
		want[i] = i + 1
	}
	if !equalInts(r.steps, want) {
		t.Errorf("steps entered %v, want %v", r.steps, want)
	}
	// Within one endpoint, steps never go back.
	last := map[string]int{}
	for _, c := range r.calls {
		if c.Step < last[c.Endpoint] {
			t.Errorf("call %d: %s went back from step %d to %d", c.Number, c.Endpoint, last[c.Endpoint], c.Step)
		}
		last[c.Endpoint] = c.Step
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// of returns the calls of one endpoint.
func (r *result) of(endpoint string) []sockcall.Call {
	var out []sockcall.Call
	for _, c := range r.calls {
		if c.Endpoint == endpoint {
			out = append(out, c)
		}
	}
	return out
}

func ops(calls []sockcall.Call) string {
	s := make([]string, len(calls))
	for i, c := range calls {
		s[i] = c.Op
	}
	return strings.Join(s, " ")
}

// data concatenates the Data of the calls with op.
func data(calls []sockcall.Call, op string) []byte {
	var b []byte
	for _, c := range calls {
		if c.Op == op {
			b = append(b, c.Data...)
		}
	}
	return b
}

func first(t *testing.T, calls []sockcall.Call, op string) sockcall.Call {
	t.Helper()
	for _, c := range calls {
		if c.Op == op {
			return c
		}
	}
	t.Fatalf("no %s call in %s", op, ops(calls))
	return sockcall.Call{}
}

func wantOps(t *testing.T, r *result, endpoint, want string) []sockcall.Call {
	t.Helper()
	calls := r.of(endpoint)
	if got := ops(calls); got != want {
		t.Errorf("%s calls: %s\nwant: %s", endpoint, got, want)
	}
	return calls
}

// TestLabIsPrivate: inside the lab the only interface is lo, up, with
// 127.0.0.1, and the namespace is not the parent's.
func TestLabIsPrivate(t *testing.T) {
	if !labTest(t) {
		return
	}
	ifs, err := net.Interfaces()
	if err != nil {
		t.Fatal(err)
	}
	if len(ifs) != 1 || ifs[0].Name != "lo" || ifs[0].Flags&net.FlagUp == 0 {
		t.Fatalf("interfaces in the lab: %+v; want only lo, up", ifs)
	}
	addrs, _ := ifs[0].Addrs()
	found := false
	for _, a := range addrs {
		found = found || strings.HasPrefix(a.String(), "127.0.0.1/")
	}
	if !found {
		t.Errorf("lo has %v, no 127.0.0.1", addrs)
	}
	if _, ok := os.LookupEnv(LabEnv); ok {
		t.Errorf("%s still set in the child", LabEnv)
	}
}

// TestLabUserNamespace runs the lab through a user namespace even as root,
// the path an ordinary user takes.
func TestLabUserNamespace(t *testing.T) {
	if InLab() {
		if os.Getenv("SOCKSCOPE_TEST_USERNS") == "1" {
			if b, err := os.ReadFile("/proc/self/uid_map"); err != nil || strings.Fields(string(b))[0] != "0" {
				t.Errorf("uid_map %q (%v)", b, err)
			}
			r := runDemo(t, "tcp-echo")
			if len(r.wire) == 0 {
				t.Error("no packets captured in a user namespace")
			}
		}
		return
	}
	forceUserNS = true
	defer func() { forceUserNS = false }()
	runTestInLab(t, LabOptions{Env: []string{"SOCKSCOPE_TEST_USERNS=1"}})
}

// TestCancel: a demo stops soon after its context is cancelled, whatever
// step it is in, with the context's error.
func TestCancel(t *testing.T) {
	if !labTest(t) {
		return
	}
	check := func(name string, d *Demo, env *Env, ctx context.Context, cancel context.CancelFunc) {
		t.Helper()
		start := time.Now()
		err := d.Run(ctx, env)
		cancel()
		if took := time.Since(start); took > 2*time.Second {
			t.Errorf("%s, %s: took %v", d.Name, name, took)
		}
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s, %s: %v, want context.Canceled", d.Name, name, err)
		}
	}
	for _, d := range List() {
		// Cancelled as each step begins, at full speed.
		for step := 1; step <= len(d.Steps); step++ {
			ctx, cancel := context.WithCancel(context.Background())
			env := &Env{Dir: t.TempDir(), OnStep: func(n int) {
				if n == step {
					cancel()
				}
			}}
			check(fmt.Sprintf("cancelled in step %d", step), d, env, ctx, cancel)
		}
		// Cancelled from outside while endpoints wait in accept, recv or
		// the pause between steps.
		ctx, cancel := context.WithCancel(context.Background())
		env := &Env{Pace: time.Hour, Dir: t.TempDir(), OnStep: func(n int) {
			time.AfterFunc(50*time.Millisecond, cancel)
		}}
		check("cancelled while waiting", d, env, ctx, cancel)
	}
	// The fixed ports are free again: every socket was closed.
	for _, d := range List() {
		runDemo(t, d.Name)
	}
}

func TestRunIsolatedRefusesWithoutMaybeChild(t *testing.T) {
	if InLab() {
		return
	}
	t.Setenv(LabEnv, "v1:netns:1")
	err := RunIsolated(context.Background(), LabOptions{Args: []string{"-test.run=^$"}})
	if err == nil || !strings.Contains(err.Error(), "MaybeChild") {
		t.Fatalf("RunIsolated with %s set: %v", LabEnv, err)
	}
}

func TestNamespaceErrorIsOneLine(t *testing.T) {
	err := error(&NamespaceError{Why: "user namespaces are switched off (sysctl user.max_user_namespaces = 0)"})
	msg := err.Error()
	if strings.Contains(msg, "\n") || !strings.Contains(msg, "--host-net") || !strings.Contains(msg, "switched off") {
		t.Errorf("message: %q", msg)
	}
	if !errors.Is(err, ErrNoNamespace) {
		t.Error("not ErrNoNamespace")
	}
}
