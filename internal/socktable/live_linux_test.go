//go:build linux

package socktable

import (
	"bufio"
	"bytes"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/sockscope/sockscope/internal/netns"
	"golang.org/x/sys/unix"
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

// TestUnixAgreesWithSS compares the table's AF_UNIX sockets with
// `ss -xanH` on the same namespace, socket by socket: kind, state, Recv-Q,
// Send-Q, name, inode, and the inode of the peer. The lab has a stream
// listener on a path with one accepted connection (5 bytes unread), an
// unnamed client, a datagram socket with an abstract name and a seqpacket
// socketpair; this test adds a datagram client connected to the abstract
// name with a 3-byte datagram unread, and a stream listener on an abstract
// name with a connection not accepted yet. Where the table shows the peer
// by name ss shows "*" and the peer's inode, so the peer is compared by
// inode.
func TestUnixAgreesWithSS(t *testing.T) {
	ss, err := exec.LookPath("ss")
	if err != nil {
		t.Skip("ss (iproute2) is not installed: nothing to compare AF_UNIX with; TestRecorded and TestListLive check the table without it")
	}
	if netns.ReexecTest(t) {
		return
	}
	openLab(t)
	sock := func(typ int) int {
		fd, err := unix.Socket(unix.AF_UNIX, typ|unix.SOCK_CLOEXEC, 0)
		must(t, "socket", err)
		t.Cleanup(func() { unix.Close(fd) })
		return fd
	}
	dc := sock(unix.SOCK_DGRAM)
	must(t, "connect "+abstractUDS, unix.Connect(dc, &unix.SockaddrUnix{Name: abstractUDS}))
	_, err = unix.Write(dc, []byte("abc"))
	must(t, "send datagram", err)
	const queued = "@sockscope-socktable-queue"
	ql := sock(unix.SOCK_STREAM)
	must(t, "bind "+queued, unix.Bind(ql, &unix.SockaddrUnix{Name: queued}))
	must(t, "listen "+queued, unix.Listen(ql, 2))
	must(t, "connect "+queued, unix.Connect(sock(unix.SOCK_STREAM), &unix.SockaddrUnix{Name: queued}))

	es, err := List()
	must(t, "List", err)
	out, err := exec.Command(ss, "-xanH").Output()
	must(t, "ss -xanH", err)

	// ss: Netid State Recv-Q Send-Q Local Inode Peer PeerInode, the
	// peer "*" whatever its name.
	var theirs, ours []string
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 8 {
			t.Errorf("ss -xanH line with %d fields, want 8: %q", len(f), sc.Text())
			continue
		}
		theirs = append(theirs, strings.Join(f, " "))
	}
	netid := map[Proto]string{UnixStream: "u_str", UnixDgram: "u_dgr", UnixSeqpacket: "u_seq"}
	kinds := map[Proto]int{}
	for _, e := range es {
		if !e.Proto.Unix() {
			continue
		}
		kinds[e.Proto]++
		r := e.Row()
		ours = append(ours, strings.Join([]string{netid[e.Proto], r[1], r[2], r[3], r[4],
			strconv.FormatUint(uint64(e.Inode), 10), "*", strconv.FormatUint(uint64(e.PeerInode), 10)}, " "))
	}
	slices.Sort(theirs)
	slices.Sort(ours)
	if !slices.Equal(theirs, ours) {
		t.Errorf("ss -xanH and the table differ (sorted; Netid State Recv-Q Send-Q Local Inode Peer PeerInode)\nss:\n  %s\nsockscope:\n  %s",
			strings.Join(theirs, "\n  "), strings.Join(ours, "\n  "))
	}
	// The comparison means something only if the sockets are there, with
	// the queues made for them.
	if kinds[UnixStream] < 5 || kinds[UnixDgram] != 2 || kinds[UnixSeqpacket] != 2 {
		t.Errorf("AF_UNIX sockets by kind: %v; want at least 5 stream (the kernel may list the one not accepted), 2 datagram, 2 seqpacket", kinds)
	}
	for _, w := range []struct {
		what string
		ok   func(e *Entry) bool
	}{
		{"the abstract datagram socket with 3 bytes unread", func(e *Entry) bool {
			return e.Proto == UnixDgram && e.Path == abstractUDS && e.RecvQ == 3
		}},
		{"its connected client", func(e *Entry) bool {
			return e.Proto == UnixDgram && e.State == Established && e.PeerPath == abstractUDS
		}},
		{"the abstract listener with one connection waiting", func(e *Entry) bool {
			return e.Proto == UnixStream && e.State == Listen && e.Path == queued && e.RecvQ == 1 && e.SendQ == 2
		}},
	} {
		if find(es, w.ok) == nil {
			t.Errorf("no %s:\n%s", w.what, AppendTable(nil, es))
		}
	}
	t.Logf("%d AF_UNIX sockets agree with %s:\n  %s", len(ours), ss, strings.Join(theirs, "\n  "))
}

// timerKind keeps the kind and the count of "timer:(timewait,52sec,0)":
// "timewait,0".
func timerKind(s string) string {
	f := strings.Split(strings.TrimSuffix(strings.TrimPrefix(s, "timer:("), ")"), ",")
	return f[0] + "," + f[len(f)-1]
}
