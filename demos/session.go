package demos

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sockscope/sockscope/capture"
	"github.com/sockscope/sockscope/demos/sockcall"
	"github.com/sockscope/sockscope/internal/netns"
	"github.com/sockscope/sockscope/internal/socktable"
)

// Event is one thing that happened while a demo ran: a socket call, a
// frame on the wire, or the start of a step. Exactly one of its parts is
// set.
type Event struct {
	Call  *sockcall.Call
	Frame *capture.Frame // a copy: Data belongs to the event
	Step  int            // > 0: the demo enters this step
	// Started is a call that was just made and may wait (accept, connect,
	// recv, recvfrom, send, sendto, sendall on a blocking socket): no
	// number or result yet, only what the call is and when it was made
	// (StartSec, StartNsec). Its Call event follows when it returns, with
	// the same start time.
	Started *sockcall.Call
	// Sockets is the lesson's socket table (every socket of the lab's
	// namespace, as ss shows it): as a step ended (taken before the next
	// step begins, and once more when the lesson is over), and after a
	// call when the table differs from the one emitted last (see
	// SocketTable.AfterCall); the call's own event comes first.
	Sockets *SocketTable
}

// SocketTable is the namespace's sockets at one moment, with the lesson
// endpoint that holds each (by inode; "" for a socket no endpoint has a
// descriptor for: TIME-WAIT, a connection not accepted yet).
type SocketTable struct {
	// Step is the step that just ended, or for a table taken after a
	// call the step in force.
	Step int
	// AfterCall is the Number of the call after which the table was read
	// (0: the table of a step's end). Such a table is emitted only when a
	// socket appeared or went, or one's state, addresses, inode or owning
	// endpoint changed since the table emitted last (changed); its
	// queues and timers alone do not make one.
	AfterCall int
	// At is when the read ended, where the table sorts among the calls
	// and frames: after its call returned and the frames it caused. The
	// read takes milliseconds (tableWatch), and the other endpoints go on
	// meanwhile: a call another endpoint made while the table was read
	// may show in it, and sorts before it.
	At      time.Time
	Entries []socktable.Entry
	Owner   []string // per entry
}

// Session runs one demo with a live capture on the loopback interface of
// whatever network namespace it runs in (the lab's own, or the host's with
// --host-net), and hands every event to a sink.
type Session struct {
	Demo *Demo
	Pace time.Duration
	// Interface is the capture interface; "" means "lo".
	Interface string
	// Sink receives the events, never concurrently: calls and steps in
	// order, frames in capture order (a frame may come after a call that
	// returned later than the frame was sent).
	Sink func(Event)
	// Gate, if set, holds the demo before each step until it returns (see
	// Env.Gate); a viewer runs at Pace 0 and paces the steps itself.
	Gate func(ctx context.Context, step int) error
	// LinkType is set once the capture is open.
	LinkType uint32
}

// Run opens the capture, runs the demo, then waits until every frame the
// kernel has queued for the capture has been handed to the sink, and
// returns the demo's error (or the capture's).
func (s *Session) Run(ctx context.Context) error {
	iface := s.Interface
	if iface == "" {
		iface = "lo"
	}
	src, err := capture.OpenLive(capture.LiveOptions{Interface: iface})
	if err != nil {
		return fmt.Errorf("demo %s: %w", s.Demo.Name, err)
	}
	defer src.Close()
	s.LinkType = src.LinkType()

	var mu sync.Mutex // serialises the sink
	emit := func(e Event) {
		mu.Lock()
		defer mu.Unlock()
		s.Sink(e)
	}
	// The capture is not stopped by ctx (Ctrl-C, a viewer quitting): the
	// demo's endpoints, or a trace's programs, may still be ending when it
	// comes, and what they put on the wire then (their FINs), and every
	// frame the kernel has queued for the capture, belongs to the run. It
	// stops once Run has returned and the queue is drained.
	capCtx, stopCapture := context.WithCancel(context.WithoutCancel(ctx))
	defer stopCapture()
	capErr := make(chan error, 1)
	go func() {
		var f capture.Frame
		for {
			if err := src.Next(capCtx, &f); err != nil {
				if capCtx.Err() != nil || errors.Is(err, capture.ErrLiveClosed) {
					err = nil
				}
				capErr <- err
				return
			}
			c := f
			c.Data = append([]byte(nil), f.Data...)
			emit(Event{Frame: &c})
		}
	}()

	// Record and OnStep are never called concurrently (Env's lock), and
	// the last snapshot is taken once the demo has returned: the tables
	// are read one at a time.
	tables := newTableWatch(ownNamespace())
	defer tables.close()
	env := &Env{
		Pace:    s.Pace,
		OnStart: func(c sockcall.Call) { emit(Event{Started: &c}) },
		Gate:    s.Gate,
	}
	env.Record = func(c sockcall.Call) {
		emit(Event{Call: &c})
		tables.afterCall(env, &c, emit)
	}
	env.OnStep = func(n int) {
		if n > 1 {
			tables.snapshot(env, n-1, emit)
		}
		emit(Event{Step: n})
	}
	runErr := s.Demo.Run(ctx, env)
	drainCapture(capCtx, src)
	if runErr == nil && ctx.Err() == nil {
		tables.snapshot(env, env.CurrentStep(), emit)
	}
	stopCapture()
	if err := <-capErr; err != nil && runErr == nil {
		runErr = err
	}
	return runErr
}

// ownNamespace reports whether this process has a network namespace of
// its own: the lab's, or a test's copy (netns). Socket tables are read
// only there: on the host (--host-net) the table would be the host's
// sockets.
func ownNamespace() bool { return InLab() || netns.Isolated() }

// tablesAfterCalls turns the tables after calls on; tests turn it off to
// measure what they cost a lesson.
var tablesAfterCalls = true

// tableWatch reads the socket tables of one run and remembers what the
// last one emitted showed.
//
// Reading the table costs milliseconds, not microseconds: the TCP dumps
// walk the kernel's established hash, which every network namespace shares
// (262,144 buckets on the machine this was measured on), so one read took
// 2.8–3.5 ms there — after each of udp-overflow's 216 calls that made the
// lesson eight times slower (96 ms → 810 ms). So after a call the table is read only when
// something it shows may have changed (mayHaveChanged): a cheap look first
// (about 10 µs), the full read only then.
type tableWatch struct {
	on   bool
	last map[tableKey]tableShown // nil: none emitted yet (an empty namespace)
	n    int                     // entries in the last table

	// What the look before each read compares with the previous call's:
	// the lesson's open sockets with their TCP states (the call's kernel
	// samples, taken anyway), and this namespace's socket counts.
	samples []sampleKey
	stat    []*os.File // /proc/net/sockstat and sockstat6, read again from offset 0
	counts  []int
	buf     []byte
}

// newTableWatch returns a watch that reads tables only if on.
func newTableWatch(on bool) *tableWatch {
	w := &tableWatch{on: on}
	if !on {
		return w
	}
	for _, name := range []string{"/proc/net/sockstat", "/proc/net/sockstat6"} {
		f, err := os.Open(name)
		if err != nil {
			w.close()
			return w
		}
		w.stat = append(w.stat, f)
	}
	w.counts = w.readCounts(nil)
	return w
}

func (w *tableWatch) close() {
	for _, f := range w.stat {
		f.Close()
	}
	w.stat = nil
}

// tableKey is a socket's identity in the table: protocol, addresses (for
// AF_UNIX its name and its peer's inode) and inode. The inode is part of
// it because a connection's entry changes meaning when it changes: 0 while
// no descriptor holds it (not accepted yet, or closed and lingering), the
// descriptor's once accept has taken it.
type tableKey struct {
	proto            socktable.Proto
	local, peer      netip.AddrPort
	path             string
	inode, peerInode uint32
}

// tableShown is what a new table is emitted for when it changes (besides
// a socket appearing or going): the state and the endpoint that holds it.
// Recv-Q, Send-Q and the timers are not: they change with almost every
// send, recv and ACK, and the lane heads show the queues after each row.
type tableShown struct {
	state socktable.State
	owner string
}

// changed reports whether es (with owner) differs from the last table
// emitted, and if so remembers it as the last.
func (w *tableWatch) changed(es []socktable.Entry, owner []string) bool {
	now := make(map[tableKey]tableShown, len(es))
	for i := range es {
		e := &es[i]
		k := tableKey{proto: e.Proto, local: e.Local, peer: e.Peer, inode: e.Inode}
		if e.Proto.Unix() {
			k.path, k.peerInode = e.Path, e.PeerInode
		}
		now[k] = tableShown{e.State, owner[i]}
	}
	same := len(es) == w.n && len(now) == len(w.last)
	for k, v := range now {
		if !same {
			break
		}
		old, ok := w.last[k]
		same = ok && old == v
	}
	w.last, w.n = now, len(es)
	return !same
}

// sampleKey is what a kernel sample says of the table: which lesson
// socket, and its TCP state.
type sampleKey struct {
	endpoint, proto, state string
	fd                     int
	listener               bool
}

// countKeys are the counts of /proc/net/sockstat{,6} the look compares:
// this namespace's hashed TCP and UDP sockets, and its TIME-WAIT sockets.
// (Its "sockets: used" would count the look's own netlink sockets, whose
// release the kernel defers; orphan, alloc and mem are the whole
// machine's.)
var countKeys = []string{"TCP: inuse", "TCP: tw", "UDP: inuse", "TCP6: inuse", "UDP6: inuse"}

// readCounts appends the countKeys' values (-1 where not found).
func (w *tableWatch) readCounts(dst []int) []int {
	if w.buf == nil {
		w.buf = make([]byte, 1024)
	}
	start := len(dst)
	for range countKeys {
		dst = append(dst, -1)
	}
	for _, f := range w.stat {
		n, _ := f.ReadAt(w.buf, 0) // io.EOF with the whole file
		for line := range strings.Lines(string(w.buf[:n])) {
			f := strings.Fields(line)
			for i := 1; i+1 < len(f); i += 2 {
				if k := slices.Index(countKeys, f[0]+" "+f[i]); k >= 0 {
					if v, err := strconv.Atoi(f[i+1]); err == nil {
						dst[start+k] = v
					}
				}
			}
		}
	}
	return dst
}

// mayHaveChanged is the look after call c: it reports whether the table
// may differ from the one after the previous call. The table changes
//   - when a lesson socket is opened, closed or changes its TCP state:
//     the call's samples (every open socket's TCP_INFO) say so;
//   - when a socket without a descriptor appears, goes or enters
//     TIME-WAIT (a connection not accepted yet, a closed one lingering):
//     the namespace's counts change;
//   - at bind and connect, which give a TCP socket its address or a UDP
//     socket its peer and change neither.
//
// It misses a socket without a descriptor that changes state and count
// alike (a closed connection going from FIN-WAIT-1 to FIN-WAIT-2 when its
// FIN is acknowledged after the call returned): the next table shows it.
// Without the counts (no /proc), every call that changes a socket reads.
func (w *tableWatch) mayHaveChanged(c *sockcall.Call) bool {
	may := false
	switch c.Op {
	case "bind", "connect":
		may = true
	case "socket", "socketpair", "listen", "accept", "shutdown", "close":
		may = w.stat == nil
	}
	keys := make([]sampleKey, len(c.Kernel))
	for i, k := range c.Kernel {
		keys[i] = sampleKey{k.Endpoint, k.Proto, k.State, k.FD, k.Listener}
	}
	if !slices.Equal(keys, w.samples) {
		may = true
	}
	w.samples = keys
	if w.stat != nil {
		counts := w.readCounts(w.counts[:0:0])
		if !slices.Equal(counts, w.counts) {
			may = true
		}
		w.counts = counts
	}
	return may
}

// snapshot emits the socket table as step ended.
func (w *tableWatch) snapshot(env *Env, step int, emit func(Event)) {
	if !w.on {
		return
	}
	es, owner, err := env.socketTable()
	if err != nil {
		return // the lesson goes on without its table
	}
	w.changed(es, owner)
	emit(Event{Sockets: &SocketTable{Step: step, At: time.Now(), Entries: es, Owner: owner}})
}

// afterCall reads the socket table after call c, if it may have changed,
// and emits it if it differs from the last one emitted. The endpoint that
// made the call waits for this, as it waits for Record.
func (w *tableWatch) afterCall(env *Env, c *sockcall.Call, emit func(Event)) {
	if !w.on || !tablesAfterCalls || !w.mayHaveChanged(c) {
		return
	}
	es, owner, err := env.socketTable()
	if err != nil || !w.changed(es, owner) {
		return
	}
	emit(Event{Sockets: &SocketTable{Step: env.CurrentStep(), AfterCall: c.Number, At: time.Now(), Entries: es, Owner: owner}})
}

// drainCapture waits until the capture has taken every frame the kernel
// accepted for it (its counters say so), so that the last FIN and ACK are
// not lost. Loopback delivers a demo's packets as its calls make them; the
// kernel's own answers (the ACK of a FIN) follow within microseconds, so
// the counters must agree twice, 10 ms apart.
func drainCapture(ctx context.Context, src *capture.LiveSource) {
	deadline := time.Now().Add(2 * time.Second)
	settled := 0
	for settled < 2 && time.Now().Before(deadline) && ctx.Err() == nil {
		st, err := src.Stats()
		if err != nil {
			return
		}
		if st.Captured+st.Dropped >= st.Received {
			settled++
		} else {
			settled = 0
		}
		time.Sleep(10 * time.Millisecond)
	}
}
