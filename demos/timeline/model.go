package timeline

import (
	"net/netip"
	"strconv"
	"time"

	"github.com/sockscope/sockscope/capture"
	"github.com/sockscope/sockscope/decode"
	"github.com/sockscope/sockscope/demos"
	"github.com/sockscope/sockscope/demos/sockcall"
)

// Kind says what a row shows.
type Kind uint8

const (
	KindStep    Kind = iota + 1 // the start of a step: its title
	KindCall                    // a socket call, where it sorts (made, or returned for calls that wait)
	KindFrame                   // a segment or datagram on the wire
	KindReturn                  // the return of a call that blocked (≥ BlockedAfter) after it was made
	KindOutcome                 // what this run did in the step just ended, from its facts
	KindWaiting                 // a call made and not returned yet (accept, recv, a blocked send): it waits
	KindSockets                 // the namespace's socket table (Row.Sockets): as a step ended, or after a call that changed it (SocketTable.AfterCall), where it was read
)

// BlockedAfter is how long a call that causes packets (send, connect, …)
// must have taken to count as having blocked: it then has a second row,
// KindReturn, where it returned, and its bytes enter the send buffer as the
// frames show them leave and in full at that return.
const BlockedAfter = time.Millisecond

// Timeline is one lesson run, built from everything received so far.
type Timeline struct {
	Demo  *demos.Demo
	ZH    bool
	Lanes []string // endpoint names, in order of their first call
	Rows  []Row    // in time order
	Run   *sockcall.Run
	// Waits are how long each call's bytes waited in the buffers, by call
	// number (absent: nothing to say).
	Waits map[int]sockcall.Waits
	// CallRows are the indexes of the KindCall rows, in call-number order;
	// StepRow maps a step to its row.
	CallRows []int
	StepRow  map[int]int
	// Within maps a call made inside another (a sendall's send) to the
	// outer call's number.
	Within map[int]int
	// Checks compare the model with every kernel sample (kernel.go).
	Checks []Check
	// NoWire: calls were made and no frame was seen; UnixOnly: every call
	// was on an AF_UNIX socket (the wire is empty by nature).
	NoWire, UnixOnly bool
	// MaxSocks is the most sockets one lane shows at once.
	MaxSocks int
	// Finished: the run is over (Builder.Finish), so every step's outcome
	// is final.
	Finished bool

	frames []capture.Frame
	long   []int           // indexes in Run.Calls of the calls that took BlockedAfter or more
	mcalls []sockcall.Call // Run.Calls with the wire's addresses (sockcall.Normalized)
}

// Row is one line of the timeline.
type Row struct {
	Kind Kind
	At   time.Time // where it sorts
	// Arrived is when the builder learnt of the row's event (a text
	// printer that prints as events come holds rows back by this).
	Arrived time.Time
	Step    int // the step in force
	Num     int // KindStep/KindOutcome: the step; KindCall/KindReturn: the call number; KindFrame: the frame number; KindWaiting: a number of its own
	// Waiting is the call of a KindWaiting row: what it is and when it was
	// made, no number or result yet.
	Waiting *sockcall.Call
	// Sockets is the table of a KindSockets row (Num counts the tables
	// from 1).
	Sockets *demos.SocketTable
	Index   int // into Run.Calls or Run.Packets
	Lane    int // call: its lane; frame: the sender's lane (-1 unknown)
	To      []int
	Text    string // step title, call label, frame label, outcome
	Note    string // endpoint states that changed here ("client FIN-WAIT-1")
	Fail    bool   // a call that returned an error
	Inner   bool   // a call made inside another (see Timeline.Within)
	// Blocked is how long a call took from being made to returning, when
	// it reached BlockedAfter (0 otherwise).
	Blocked time.Duration
	// How a frame looks.
	Expert, Control, PureAck, Broadcast bool
	Socks                               []Sock // every socket after this row
	// Changed are the indexes in Socks of the sockets whose buffers this
	// row changed.
	Changed []int
}

// Sock is one socket as it is after some row.
type Sock struct {
	ID          int // the same socket on every row
	Lane        int
	Endpoint    string
	FD          int // 0: a connection the kernel holds that accept has not taken yet
	Proto       string
	Local, Peer netip.AddrPort
	Path        string
	Listener    bool
	State       string // TCP, as ss names it
	Closed      bool   // the program closed its descriptor (TCP may linger: TIME-WAIT)

	Buffers
	// Kernel is the kernel's sample of this socket taken at this row's
	// moment (after a call), nil if none belongs here.
	Kernel *KernelSample
}

// Buffers are a socket's queues as the model has them.
type Buffers struct {
	// SendQ is bytes written and not yet acknowledged (TCP; for a
	// listener the backlog), Unsent the part of them not yet on the wire,
	// RecvQ bytes arrived in order and not yet read (for UDP the bytes of
	// the datagrams waiting, for a listener the accept queue). -1: not
	// known.
	SendQ, Unsent, RecvQ int
	Datagrams            int // UDP datagrams waiting
	Dropped              int // UDP datagrams dropped so far (the kernel's count)
	// SndBuf and RcvBuf are the capacities getsockopt reported after the
	// socket's latest call; Window the receive window this socket last
	// advertised on the wire (bytes, scaled). -1: not known.
	SndBuf, RcvBuf, Window int
	// RecvData is the start (up to 64 bytes) of what waits to be read.
	RecvData []byte
	// FromKernel: the model has nothing better (the socket's traffic was
	// not seen), so the queues are the kernel's after its latest call.
	FromKernel bool
	// Blocked is the number of a send on this socket that was made and
	// has not returned yet (0: none; -1: one not numbered yet, because it
	// is still waiting as the timeline is built): the bytes it has put into
	// the send buffer so far show only in the kernel's count, so SendQ is a
	// lower bound.
	Blocked int
}

// BlockedSend names the send that makes SendQ a lower bound: "send #24",
// or "a send" while it has no number yet.
func (b *Buffers) BlockedSend(zh bool) string {
	if b.Blocked < 0 {
		return pick(zh, "a send", "一个 send")
	}
	return "send #" + strconv.Itoa(b.Blocked)
}

// KernelSample is what the kernel said about a socket at a row's moment,
// and how it compares with the model.
type KernelSample struct {
	Call         int // the call after which it was taken
	SendQ, RecvQ int
	Drops        int
	// Differs says where the model and the kernel disagree and why; ""
	// when they agree on everything comparable.
	Differs string
}

// Builder collects a session's events and builds Timelines from them.
type Builder struct {
	demo     *demos.Demo
	zh       bool
	dec      *decode.Decoder
	calls    []sockcall.Call
	packets  []decode.Packet
	frames   []capture.Frame
	arrived  []time.Time // per call
	farrived []time.Time // per frame
	started  []startMark // calls made that may wait
	tables   []tableMark // socket tables, as steps ended and after calls
	steps    []stepMark
	finished time.Time
}

type stepMark struct {
	n  int
	at time.Time
}

type tableMark struct {
	t  *demos.SocketTable
	at time.Time
}

type startMark struct {
	c  sockcall.Call
	at time.Time
}

// NewBuilder returns a Builder for a run of d, with words in Chinese when
// zh is set.
func NewBuilder(d *demos.Demo, zh bool) *Builder {
	return &Builder{demo: d, zh: zh, dec: decode.NewDecoder()}
}

// Add takes one event; at is when it arrived.
func (b *Builder) Add(e demos.Event, at time.Time) {
	switch {
	case e.Step > 0:
		b.steps = append(b.steps, stepMark{e.Step, at})
	case e.Started != nil:
		b.started = append(b.started, startMark{*e.Started, at})
	case e.Sockets != nil:
		b.tables = append(b.tables, tableMark{e.Sockets, at})
	case e.Call != nil:
		b.calls = append(b.calls, *e.Call)
		b.arrived = append(b.arrived, at)
	case e.Frame != nil:
		var p decode.Packet
		b.dec.Decode(e.Frame, len(b.packets)+1, &p)
		p.DNS.QName = append([]byte(nil), p.DNS.QName...) // outlives the decoder's scratch
		b.packets = append(b.packets, p)
		b.frames = append(b.frames, *e.Frame)
		b.farrived = append(b.farrived, at)
	}
}

// Finish marks the run as over at time at: the last step's outcome is
// final.
func (b *Builder) Finish(at time.Time) { b.finished = at }

// Events is how many calls, frames and steps the builder holds.
func (b *Builder) Events() int { return len(b.calls) + len(b.packets) + len(b.steps) }

// Frames returns the frames received so far (for writing a capture).
func (b *Builder) Frames() []capture.Frame { return b.frames }

// Linked returns what the row (kind, num) is tied to: for a call, the
// frames that carried its bytes (or that it caused), the ACK of its last
// byte, and the calls at the other end; for a frame, its calls.
func (t *Timeline) Linked(kind Kind, num int) (calls, frames map[int]bool) {
	calls, frames = map[int]bool{}, map[int]bool{}
	switch kind {
	case KindCall, KindReturn:
		if cl := t.Run.Links.Call(num); cl != nil {
			for _, f := range cl.Frames {
				frames[f] = true
			}
			if cl.AckFrame != 0 {
				frames[cl.AckFrame] = true
			}
			for _, n := range cl.Peers {
				calls[n] = true
			}
		}
	case KindFrame:
		for _, n := range t.Run.Links.FrameCalls(num) {
			calls[n] = true
		}
	}
	return calls, frames
}

// TableAt returns the index of the socket table in force at row i: the
// latest KindSockets row at or before it, or -1 if none has been read by
// then.
func (t *Timeline) TableAt(i int) int {
	for i = min(i, len(t.Rows)-1); i >= 0; i-- {
		if t.Rows[i].Kind == KindSockets {
			return i
		}
	}
	return -1
}

// StepWords returns step n's title and explanation in the timeline's
// language (English where a Chinese text is missing); ok is false for a
// step the lesson does not have.
func (t *Timeline) StepWords(n int) (title, explain string, ok bool) {
	if t.Demo == nil || n < 1 || n > len(t.Demo.Steps) {
		return "", "", false
	}
	s := &t.Demo.Steps[n-1]
	title, explain = s.Title, s.Explain
	if t.ZH && s.TitleZH != "" {
		title = s.TitleZH
	}
	if t.ZH && s.ExplainZH != "" {
		explain = s.ExplainZH
	}
	return title, explain, true
}
