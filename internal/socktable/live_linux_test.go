//go:build linux

package socktable

import (
	"bufio"
	"bytes"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/sockscope/sockscope/internal/netns"
)

// TestListLive makes the lab's sockets in a fresh namespace and reads them
// back with List: every state, queue, address and timer checkLab expects,
// and each socket with a file under the inode its descriptor has.
func TestListLive(t *testing.T) {
	if netns.ReexecTest(t) {
		return
	}
	l := openLab(t)
	es, err := List()
	must(t, "List", err)
	checkLab(t, es)
	if len(es) != 21 {
		t.Errorf("%d sockets, the lab made 21:\n%s", len(es), AppendTable(nil, es))
	}
	for name, fd := range l.fds {
		ino := inode(t, fd)
		if find(es, func(e *Entry) bool { return e.Inode == ino }) == nil {
			t.Errorf("%s (fd %d, inode %d) is not in the table:\n%s", name, fd, ino, AppendTable(nil, es))
		}
	}
	if e := find(es, func(e *Entry) bool { return e.Proto == UnixStream && e.State == Listen }); e != nil && e.Path != l.path {
		t.Errorf("unix listener named %q, want %q", e.Path, l.path)
	}
	t.Logf("\n%s", AppendTable(nil, es))
}

// TestAgreesWithSS compares the table with `ss -tuanoH` on the same
// namespace, socket by socket: state, Recv-Q, Send-Q, local and peer
// address, and the kind of timer. ss is iproute2's; CI does not need it, the test skips without it.
func TestAgreesWithSS(t *testing.T) {
	ss, err := exec.LookPath("ss")
	if err != nil {
		t.Skip("ss (iproute2) is not installed: nothing to compare with; TestRecorded and TestListLive check the table without it")
	}
	if netns.ReexecTest(t) {
		return
	}
	openLab(t)
	es, err := List()
	must(t, "List", err)
	out, err := exec.Command(ss, "-tuanoH").Output()
	must(t, "ss -tuanoH", err)

	// One line per socket: Netid State Recv-Q Send-Q Local Peer, and the
	// timer's kind and retransmissions (its time left moves between the
	// two reads).
	var theirs, ours []string
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 6 {
			continue
		}
		line := strings.Join(f[:6], " ")
		if len(f) > 6 && strings.HasPrefix(f[6], "timer:(") {
			line += " " + timerKind(f[6])
		}
		theirs = append(theirs, line)
	}
	for _, e := range es {
		if e.Proto.Unix() {
			continue
		}
		r := e.Row()
		line := strings.Join(r[:6], " ")
		if s := e.TimerString(); s != "" {
			line += " " + timerKind(s)
		}
		ours = append(ours, line)
	}
	slices.Sort(theirs)
	slices.Sort(ours)
	if !slices.Equal(theirs, ours) {
		t.Errorf("ss -tuanoH and the table differ (sorted; Netid State Recv-Q Send-Q Local Peer timer)\nss:\n  %s\nsockscope:\n  %s",
			strings.Join(theirs, "\n  "), strings.Join(ours, "\n  "))
	}
	t.Logf("%d TCP and UDP sockets agree with %s", len(ours), ss)
}

// timerKind keeps the kind and the count of "timer:(timewait,52sec,0)":
// "timewait,0".
func timerKind(s string) string {
	f := strings.Split(strings.TrimSuffix(strings.TrimPrefix(s, "timer:("), ")"), ",")
	return f[0] + "," + f[len(f)-1]
}
