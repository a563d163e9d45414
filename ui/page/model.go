package page

import "time"

// DefaultMaxRows is how many ladder rows the picture draws before it
// summarises (Options.MaxRows).
const DefaultMaxRows = 2000

// Options say how to write a page.
type Options struct {
	// ZH writes the page's own words (and a lesson's steps) in Chinese.
	ZH bool
	// MaxRows bounds the rows the ladder draws (0: DefaultMaxRows): past
	// it, the first and the last MaxRows/2 are drawn and one band counts
	// the rest.
	MaxRows int
}

// Page is what the HTML and the SVG show, taken from a Timeline or a
// Ladder.
type Page struct {
	Title, Summary string
	// What names the source: "lesson", "trace" or "connection".
	What  string
	ZH    bool
	Lanes []Lane
	Rows  []Row
	// Charts are one per socket whose buffers the rows changed (a
	// lesson, a trace) or one per endpoint (a connection of a capture).
	Charts []Chart
	Steps  []Step
	Start  time.Time
	// MaxRows is the drawing bound in force.
	MaxRows int
	// Note is a line under the title (what a capture cannot show).
	Note string
}

// Lane is one endpoint's column.
type Lane struct {
	Name string
	// Extra: not an endpoint of the run, a lane for frames whose other
	// end is no socket of it (a kernel's answer, a DNS server).
	Extra bool
}

// RowKind says what a row is.
type RowKind uint8

const (
	RowStep    RowKind = iota + 1 // a step begins
	RowCall                       // a socket call
	RowReturn                     // a blocked call returns
	RowWaiting                    // a call made and not returned
	RowFrame                      // a segment or datagram
	RowEvent                      // a named event of a connection (handshake, teardown)
)

// Row is one line of the ladder, in time order.
type Row struct {
	Kind RowKind
	// ID names the row in the page: "c12" (call 12), "f7" (frame 7),
	// "r12" (call 12's return), "s2" (step 2), "w3", "e4".
	ID   string
	At   time.Time
	Step int
	Lane int   // the call's lane, the frame's sender (-1: none)
	To   []int // a frame's receivers
	// Label is the call as the text shows it, or the frame's flags,
	// seq/ack/len and payload preview.
	Label string
	// States are the TCP states that changed here, per lane.
	States []StateNote
	// Links are the IDs of what the row is tied to (Linked in the
	// terminal view), Tied the same in words for the tables.
	Links []string
	Tied  string
	// CallRow is, for a RowReturn, the index of its call's row.
	CallRow                      int
	Fail, Expert, Control, Inner bool
	PureAck, Broadcast           bool
	Blocked                      time.Duration
}

// StateNote is a lane's new TCP state.
type StateNote struct {
	Lane  int
	State string
}

// Chart is one socket's buffers over time.
type Chart struct {
	Title    string
	Endpoint string
	FD       int
	Sock     int
	Lane     int
	Proto    string
	Listener bool
	Points   []Point
	// Lines are what the chart's lines are drawn through: a state after
	// every row that changed any of the values drawn (a window advertised
	// or a buffer size set changes no queue, so it is no Point). nil:
	// the Points.
	Lines []Point
	// Until is the row after which the socket is gone (closed, or the
	// end of the ladder).
	Until int
	// Capture: a connection of a capture, where SendQ is the bytes in
	// flight and Window the window the endpoint advertised.
	Capture bool
}

// Point is a socket's state after a row: the values a lesson's JSON
// prints as a "buffer" object. -1: not known.
type Point struct {
	Row   int
	After string // "call 8", "frame 4"
	// Endpoint and FD name the socket as it was then (a connection the
	// kernel accepted has fd 0 until accept returns it).
	Endpoint               string
	FD                     int
	At                     time.Time
	SendQ, Unsent, RecvQ   int
	SndBuf, RcvBuf, Window int
	Datagrams, Dropped     int
}

// Step is one step of a lesson (or the one part of a connection).
type Step struct {
	Num            int
	Title, Explain string
	Outcome        string
	Rows           []int // indexes into Page.Rows
}
