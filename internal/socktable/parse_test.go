package socktable

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/sockscope/sockscope/internal/escape"
)

// recorded parses testdata/*.bin, the kernel's replies to List's five
// dumps recorded from the lab (SOCKTABLE_RECORD=1 go test -run TestRecord
// on Linux 6.18), as List would.
func recorded(t *testing.T) []Entry {
	t.Helper()
	var all []Entry
	for _, r := range requests {
		b, err := os.ReadFile(filepath.Join("testdata", r.String()+".bin"))
		if err != nil {
			t.Fatal(err)
		}
		es, done, err := Parse(b, r.family, r.protocol)
		if err != nil || !done {
			t.Fatalf("%s: done=%v, err=%v", r, done, err)
		}
		for _, e := range es {
			if r.family == afUnix != e.Proto.Unix() || r.protocol == ipprotoUDP != (e.Proto == UDP) {
				t.Errorf("%s reply holds a %s entry", r, e.Proto)
			}
		}
		all = append(all, es...)
	}
	ResolvePeers(all)
	return all
}

func TestRecorded(t *testing.T) {
	es := recorded(t)
	checkLab(t, es)
	if len(es) != 21 {
		t.Errorf("%d entries, the lab made 21:\n%s", len(es), AppendTable(nil, es))
	}
	t.Logf("\n%s", AppendTable(nil, es))
}

// TestParseTruncated cuts every recording at every length: Parse must
// return an error or fewer entries, never panic or invent one.
func TestParseTruncated(t *testing.T) {
	for _, r := range requests {
		b, err := os.ReadFile(filepath.Join("testdata", r.String()+".bin"))
		if err != nil {
			t.Fatal(err)
		}
		full, _, _ := Parse(b, r.family, r.protocol)
		for n := range len(b) {
			es, done, err := Parse(b[:n], r.family, r.protocol)
			if done && err == nil && len(es) != len(full) {
				t.Errorf("%s cut at %d: done with %d entries of %d", r, n, len(es), len(full))
			}
			if len(es) > len(full) {
				t.Errorf("%s cut at %d: %d entries, more than the %d of the whole", r, n, len(es), len(full))
			}
		}
	}
}

// TestParseError: the kernel refuses a dump with NLMSG_ERROR and an errno.
func TestParseError(t *testing.T) {
	// nlmsghdr {len 36, NLMSG_ERROR, flags 0, seq 1, pid 0}, error -EINVAL,
	// then the start of the refused request's header.
	b, _ := hex.DecodeString("24000000" + "0200" + "0000" + "01000000" + "00000000" +
		"eaffffff" + "4c000000140001030100000000000000")
	_, done, err := Parse(b, afInet, ipprotoTCP)
	var ke *KernelError
	if done || !errors.As(err, &ke) || !errors.Is(err, syscall.EINVAL) {
		t.Fatalf("Parse(NLMSG_ERROR -22) = done %v, %v; want a KernelError wrapping EINVAL", done, err)
	}
}

// TestEncode checks the request bytes against the kernel's layout.
func TestEncode(t *testing.T) {
	for _, c := range []struct {
		r    request
		want string
	}{
		// nlmsghdr: len 72, SOCK_DIAG_BY_FAMILY (20), NLM_F_REQUEST|NLM_F_DUMP
		// (0x301), seq 7, pid 0; inet_diag_req_v2: AF_INET, IPPROTO_TCP, no
		// extensions, every state; a zero socket id.
		{request{afInet, ipprotoTCP}, "48000000 1400 0103 07000000 00000000 02 06 00 00 ffffffff" + strings.Repeat("00", 48)},
		{request{afInet6, ipprotoUDP}, "48000000 1400 0103 07000000 00000000 0a 11 00 00 ffffffff" + strings.Repeat("00", 48)},
		// unix_diag_req: AF_UNIX, every state, any inode, show NAME|PEER|
		// RQLEN|UID (0x55), no cookie.
		{request{afUnix, 0}, "28000000 1400 0103 07000000 00000000 01 00 0000 ffffffff 00000000 55000000 0000000000000000"},
	} {
		want, err := hex.DecodeString(strings.ReplaceAll(c.want, " ", ""))
		if err != nil {
			t.Fatal(err)
		}
		if got := c.r.encode(7); string(got) != string(want) {
			t.Errorf("%s request:\n got %x\nwant %x", c.r, got, want)
		}
	}
}

func TestTimerText(t *testing.T) {
	for _, c := range []struct {
		ms   uint32
		want string
	}{
		{52000, "52sec"}, {59876, "59sec"}, {1200, "1.200ms"}, {9050, "9.050ms"}, {300, "300ms"},
		{5, "005ms"}, {125000, "2min5sec"}, {7140000, "119min"}, {0, ""},
	} {
		if got := string(AppendMS(nil, c.ms)); got != c.want {
			t.Errorf("AppendMS(%d) = %q, want %q (as ss prints it)", c.ms, got, c.want)
		}
	}
	e := Entry{Proto: TCP, Timer: TimeWaitT, TimerMS: 52000}
	if got := e.TimerString(); got != "timer:(timewait,52sec,0)" {
		t.Errorf("TimerString = %q", got)
	}
}

// TestTableEscapes: an AF_UNIX name is the kernel's bytes, escaped before
// it reaches a terminal.
func TestTableEscapes(t *testing.T) {
	es := []Entry{{Proto: UnixStream, State: Listen, Path: "/tmp/\x1b[31mred\n", Inode: 9}}
	got := string(AppendTable(nil, es))
	if strings.ContainsAny(got, "\x1b") || !strings.Contains(got, `/tmp/\x1b[31mred\n`) {
		t.Errorf("table:\n%s", got)
	}
	if strings.Count(got, "\n") != 2 {
		t.Errorf("table has %d lines, want the header and one row:\n%s", strings.Count(got, "\n"), got)
	}
}

func FuzzParse(f *testing.F) {
	for _, r := range requests {
		if b, err := os.ReadFile(filepath.Join("testdata", r.String()+".bin")); err == nil {
			f.Add(b, r.family)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte, family uint8) {
		es, _, _ := Parse(b, family, ipprotoTCP)
		ResolvePeers(es)
		AppendTable(nil, es)
	})
}

// TestJSON: every recorded entry is one valid object with the keys the
// README lists; a hostile AF_UNIX name stays escaped.
func TestJSON(t *testing.T) {
	es := recorded(t)
	es = append(es, Entry{Proto: UnixStream, State: Listen, Path: "/tmp/\x1b]0;x\a\xff", Inode: 9})
	for i := range es {
		b := AppendJSON(nil, &es[i], 0, "")
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		for _, k := range []string{"type", "socket.proto", "socket.state", "socket.local", "socket.peer", "socket.recvq", "socket.sendq", "socket.inode", "socket.uid"} {
			if _, ok := m[k]; !ok {
				t.Errorf("%s lacks %s", b, k)
			}
		}
		if _, ok := m["socket.step"]; ok {
			t.Errorf("%s: socket.step without a step", b)
		}
		if (es[i].Timer != NoTimer) != (m["socket.timer"] != nil) || (m["socket.timer"] != nil) != (m["socket.timer_ms"] != nil) {
			t.Errorf("%s: timer keys for timer %v", b, es[i].Timer)
		}
		if m["type"] != "socket" || m["socket.state"] != es[i].State.String() || m["socket.local"] != escape.Text(es[i].LocalString()) {
			t.Errorf("%s: does not match %+v", b, es[i])
		}
		for _, c := range string(b) {
			if escape.Dangerous(c) {
				t.Errorf("%q: a dangerous character reaches the JSON", b)
			}
		}
	}
	tw := find(es, func(e *Entry) bool { return e.State == TimeWait })
	b := AppendJSON(nil, tw, 3, "server")
	if !strings.Contains(string(b), `"socket.step":3,"socket.endpoint":"server"`) || !strings.Contains(string(b), `"socket.timer":"timewait","socket.timer_ms":`) {
		t.Errorf("TIME-WAIT in step 3: %s", b)
	}
}
