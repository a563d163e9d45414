package timeline

import (
	"net/netip"
	"sort"
	"strings"
	"time"

	"github.com/sockscope/sockscope/capture"
	"github.com/sockscope/sockscope/decode"
	"github.com/sockscope/sockscope/demos/sockcall"
)

// item kinds, in the order they sort at the same instant: a step, then a
// call, then the frames it caused, then returns and kernel samples.
const (
	itemSockets = iota // a step's table goes before the next step's rule; a call's after it (read after it returned)
	itemStep
	itemCall
	itemWaiting
	itemFrame
	itemReturn
	itemSample
)

type item struct {
	at    time.Time
	kind  int
	index int
}

func callStart(c *sockcall.Call) time.Time {
	if c.StartSec != 0 || c.StartNsec != 0 {
		return time.Unix(c.StartSec, c.StartNsec)
	}
	return time.Unix(c.Sec, c.Nsec)
}

func callReturn(c *sockcall.Call) time.Time { return time.Unix(c.Sec, c.Nsec) }

func frameTime(p *decode.Packet) time.Time { return time.Unix(p.Sec, p.Nsec) }

// blockedFor is how long a call that sorts where it was made took, when
// it slept in the kernel (sockcall.Call.Waited) and that reached
// BlockedAfter: a call only delayed by a busy machine did not block.
func blockedFor(c *sockcall.Call) time.Duration {
	if sortsAtReturn(c.Op) || !c.Waited {
		return 0
	}
	if d := callReturn(c).Sub(callStart(c)); d >= BlockedAfter {
		return d
	}
	return 0
}

// Build computes the timeline from everything received so far.
func (b *Builder) Build() *Timeline {
	run := sockcall.NewRun(b.calls, b.packets)
	// The model matches calls with frames by address: a dual-stack
	// socket's ::ffff:127.0.0.1 is the wire's 127.0.0.1.
	mcalls := sockcall.Normalized(b.calls)
	t := &Timeline{mcalls: mcalls, Demo: b.demo, ZH: b.zh, Run: run, StepRow: map[int]int{}, Within: map[int]int{}, frames: b.frames, Finished: !b.finished.IsZero()}
	laneOf := map[string]int{}
	unixOnly := len(b.calls) > 0
	for i := range b.calls {
		c := &b.calls[i]
		if _, ok := laneOf[c.Endpoint]; !ok {
			laneOf[c.Endpoint] = len(t.Lanes)
			t.Lanes = append(t.Lanes, c.Endpoint)
		}
		if c.Proto != "unix" {
			unixOnly = false
		}
		for _, n := range c.Inner {
			t.Within[n] = c.Number
		}
		if callReturn(c).Sub(callStart(c)) >= BlockedAfter {
			t.long = append(t.long, i) // blocked or only slow: either overlaps more
		}
	}
	t.NoWire = len(b.calls) > 0 && len(b.packets) == 0
	t.UnixOnly = unixOnly

	items := make([]item, 0, len(b.steps)+2*len(b.calls)+len(b.packets))
	for i, s := range b.steps {
		items = append(items, item{s.at, itemStep, i})
	}
	for i := range b.tables {
		items = append(items, item{b.tables[i].t.At, itemSockets, i})
	}
	for i := range b.calls {
		c := &b.calls[i]
		items = append(items, item{c.SortTime(), itemCall, i})
		if blockedFor(c) > 0 {
			items = append(items, item{callReturn(c), itemReturn, i})
		}
		if len(c.Kernel) > 0 {
			items = append(items, item{time.Unix(c.KernelSec, c.KernelNsec), itemSample, i})
		}
	}
	for i := range b.waiting() {
		w := &b.started[i]
		if w.c.Op != "" {
			items = append(items, item{callStart(&w.c), itemWaiting, i})
		}
	}
	analysis := false
	for i := range b.packets {
		p := &b.packets[i]
		items = append(items, item{frameTime(p), itemFrame, i})
		if p.Analysis.SrcState != decode.StateUnknown || p.Analysis.DstState != decode.StateUnknown {
			analysis = true
		}
	}
	sort.SliceStable(items, func(i, j int) bool {
		a, b := items[i], items[j]
		if !a.at.Equal(b.at) {
			return a.at.Before(b.at)
		}
		return a.kind < b.kind
	})

	book := newAddrBook(mcalls, laneOf)
	sb := newSockBuilder(t.Lanes, analysis)
	step := 0
	rows := make([]Row, 0, len(items))
	var prev []Sock
	for _, it := range items {
		r := Row{At: it.at, Index: it.index, Lane: -1}
		switch it.kind {
		case itemStep:
			n := b.steps[it.index].n
			step = n
			r.Kind, r.Num, r.Index = KindStep, n, n
			r.Arrived = b.steps[it.index].at
			r.Text, _, _ = t.StepWords(n)
		case itemCall, itemReturn:
			c := &b.calls[it.index]
			r.Kind, r.Num, r.Lane = KindCall, c.Number, laneOf[c.Endpoint]
			r.Arrived = b.arrived[it.index]
			r.Text = string(sockcall.AppendCallLabel(nil, c))
			r.Fail = c.Errno != ""
			r.Blocked = blockedFor(c)
			_, r.Inner = t.Within[c.Number]
			if it.kind == itemReturn {
				r.Kind = KindReturn
				sb.returned(&mcalls[it.index], r.Lane)
			} else {
				r.Note = sb.call(&mcalls[it.index], r.Lane, r.Blocked > 0, r.Inner)
			}
		case itemSockets:
			tm := &b.tables[it.index]
			r.Kind, r.Num, r.Sockets, r.Arrived = KindSockets, it.index+1, tm.t, tm.at
			r.Text = "sockets"
		case itemWaiting:
			w := &b.started[it.index]
			wc := w.c // the builder blanks its own copy once the call returns
			r.Kind, r.Num, r.Waiting = KindWaiting, it.index+1, &wc
			r.Lane = laneOf[w.c.Endpoint]
			if _, ok := laneOf[w.c.Endpoint]; !ok {
				r.Lane = -1
			}
			r.Arrived = w.at
			r.Text = w.c.Op + "(" + w.c.Args + ") …"
			if r.Lane >= 0 {
				sb.waiting(&wc, r.Lane)
			}
		case itemFrame:
			p := &b.packets[it.index]
			r.Kind, r.Num = KindFrame, p.Number
			r.Arrived = b.farrived[it.index]
			r.Lane, r.To = book.route(p, run.Links, mcalls, laneOf)
			payload := framePayload(&b.frames[it.index], p)
			r.Text = frameLabel(p, quoteCut(payload, 24))
			r.Expert = p.Analysis.Flags != 0
			r.Broadcast = p.IsUDP() && isBroadcast(p.Dst)
			if p.IsTCP() {
				r.Control = p.TCPFlags&(decode.TCPSyn|decode.TCPFin|decode.TCPRst) != 0
				r.PureAck = !r.Control && p.PayloadLen == 0
				r.Note = strings.Join(sb.tcpFrame(p, r.To), " · ")
			} else if p.IsUDP() {
				sb.udpFrame(p, r.Lane, r.To, payload)
			}
		case itemSample:
			if len(rows) > 0 {
				t.sample(&rows[len(rows)-1], &b.calls[it.index], sb, laneOf)
			}
			continue
		}
		r.Step = step
		r.Socks = sb.snapshot()
		r.Changed = changed(prev, r.Socks)
		prev = r.Socks
		rows = append(rows, r)
	}
	t.Rows = b.withOutcomes(rows, run)

	for i := range t.Rows {
		r := &t.Rows[i]
		switch r.Kind {
		case KindCall:
			t.CallRows = append(t.CallRows, i)
		case KindStep:
			t.StepRow[r.Num] = i
		}
		perLane := map[int]int{}
		for _, s := range r.Socks {
			perLane[s.Lane]++
		}
		for _, n := range perLane {
			t.MaxSocks = max(t.MaxSocks, n)
		}
	}
	sort.Slice(t.CallRows, func(i, j int) bool { return t.Rows[t.CallRows[i]].Num < t.Rows[t.CallRows[j]].Num })
	t.Waits = waits(run, sb)
	return t
}

// waiting returns the started calls, with those that have returned (a
// call with the same start, op and descriptor came) blanked out; once the
// run is over, every one (a call cut short by Ctrl-C never returns).
func (b *Builder) waiting() []startMark {
	if len(b.started) == 0 {
		return nil
	}
	type key struct {
		sec, nsec int64
		op        string
		fd        int
	}
	done := make(map[key]bool, len(b.calls))
	for i := range b.calls {
		c := &b.calls[i]
		done[key{c.StartSec, c.StartNsec, c.Op, c.FD}] = true
	}
	for i := range b.started {
		c := &b.started[i].c
		if !b.finished.IsZero() || done[key{c.StartSec, c.StartNsec, c.Op, c.FD}] {
			c.Op = ""
		}
	}
	return b.started
}

// changed lists the sockets of now whose buffers differ from before.
func changed(before, now []Sock) []int {
	var out []int
	for i := range now {
		s := &now[i]
		var old *Sock
		for j := range before {
			if before[j].ID == s.ID {
				old = &before[j]
				break
			}
		}
		switch {
		case s.Closed || s.SendQ < 0 && s.RecvQ < 0:
			// gone from the program: nothing to show
		case old == nil:
			if s.SendQ > 0 && !s.Listener || s.RecvQ > 0 || s.Datagrams > 0 || s.Dropped > 0 {
				out = append(out, i)
			}
		case s.Listener:
			if old.RecvQ != s.RecvQ && old.Listener {
				out = append(out, i)
			}
		case old.SendQ != s.SendQ || old.RecvQ != s.RecvQ || old.Datagrams != s.Datagrams || old.Dropped != s.Dropped,
			old.Unsent != s.Unsent && old.Unsent >= 0 && s.Unsent >= 0:
			out = append(out, i)
		}
	}
	return out
}

// withOutcomes inserts each finished step's outcome before the next step
// (or at the end, once the run is over).
func (b *Builder) withOutcomes(rows []Row, run *sockcall.Run) []Row {
	type ended struct {
		step    int
		before  int // row index of the next step, or len(rows)
		at, arr time.Time
	}
	var ends []ended
	last := -1
	for i := range rows {
		if rows[i].Kind != KindStep {
			continue
		}
		if last > 0 {
			ends = append(ends, ended{last, beforeTables(rows, i), rows[i].At, rows[i].Arrived})
		}
		last = rows[i].Num
	}
	if last > 0 && !b.finished.IsZero() {
		at := b.finished
		if len(rows) > 0 && rows[len(rows)-1].At.After(at) {
			at = rows[len(rows)-1].At
		}
		ends = append(ends, ended{last, beforeTables(rows, len(rows)), at, b.finished})
	}
	if len(ends) == 0 {
		return rows
	}
	out := make([]Row, 0, len(rows)+len(ends))
	next := 0
	for i := 0; i <= len(rows); i++ {
		for next < len(ends) && ends[next].before == i {
			e := ends[next]
			next++
			if e.step < 1 || e.step > len(b.demo.Steps) || b.demo.Steps[e.step-1].Outcome == nil {
				continue
			}
			en, zh := b.demo.Steps[e.step-1].Outcome(run)
			text := en
			if b.zh && zh != "" {
				text = zh
			}
			if text == "" {
				continue
			}
			r := Row{Kind: KindOutcome, At: e.at, Arrived: e.arr, Step: e.step, Num: e.step, Lane: -1, Text: text}
			if len(out) > 0 {
				r.Socks = out[len(out)-1].Socks
			}
			out = append(out, r)
		}
		if i < len(rows) {
			out = append(out, rows[i])
		}
	}
	return out
}

// beforeTables moves an outcome's place i back over the step's-end socket
// tables just before it: a step's words come before its table, and after
// the tables read after its calls.
func beforeTables(rows []Row, i int) int {
	for i > 0 && rows[i-1].Kind == KindSockets && rows[i-1].Sockets.AfterCall == 0 {
		i--
	}
	return i
}

// framePayload returns a TCP or UDP payload inside the frame, or nil. Only
// Ethernet framing (what lo gives) is understood.
func framePayload(f *capture.Frame, p *decode.Packet) []byte {
	if p.PayloadLen <= 0 || f.LinkType != capture.LinkEthernet || p.Layers&(decode.LayerTCP|decode.LayerUDP) == 0 {
		return nil
	}
	ip := 14 + 4*int(p.NVLAN)
	var end int
	switch p.IPVersion {
	case 4:
		end = ip + int(p.IPLen)
	case 6:
		end = ip + 40 + int(p.IPv6Plen)
	default:
		return nil
	}
	start := end - p.PayloadLen
	if start < ip || end > len(f.Data) {
		return nil
	}
	return f.Data[start:end]
}

// addrBook maps a frame's addresses to lanes through the calls' local
// addresses; a socket bound to the wildcard address answers for its port.
type addrBook struct {
	exact    map[netip.AddrPort]int
	wildcard map[string]map[uint16][]int // proto → port → lanes
	// flow names a connection's sockets by both addresses: the lane of
	// the latest call on it, so that a connection handed to a handler
	// thread is the handler's, not the listener's that shares its port —
	// from the moment accept returned it (before that the connection is
	// the listener's kernel's) or its first call.
	flow map[flowKey]flowOwner
}

type flowOwner struct {
	lane  int
	since time.Time
}

func newAddrBook(calls []sockcall.Call, laneOf map[string]int) *addrBook {
	b := &addrBook{exact: map[netip.AddrPort]int{}, wildcard: map[string]map[uint16][]int{}, flow: map[flowKey]flowOwner{}}
	for i := range calls {
		c := &calls[i]
		if !c.Local.IsValid() || c.Local.Port() == 0 || c.Ret < 0 {
			continue
		}
		lane := laneOf[c.Endpoint]
		if c.Proto == "tcp" && c.Peer.IsValid() {
			k := flowKey{c.Local, c.Peer}
			o, seen := b.flow[k]
			o.lane = lane
			switch {
			case c.Op == "accept":
				o.since = callReturn(c)
			case !seen:
				o.since = callStart(c)
			}
			b.flow[k] = o
		}
		if c.Local.Addr().IsUnspecified() {
			m := b.wildcard[c.Proto]
			if m == nil {
				m = map[uint16][]int{}
				b.wildcard[c.Proto] = m
			}
			if !contains(m[c.Local.Port()], lane) {
				m[c.Local.Port()] = append(m[c.Local.Port()], lane)
			}
			continue
		}
		if _, ok := b.exact[c.Local]; !ok {
			b.exact[c.Local] = lane
		}
	}
	return b
}

func contains(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func protoOf(p *decode.Packet) string {
	switch {
	case p.IsTCP():
		return "tcp"
	case p.IsUDP():
		return "udp"
	}
	return ""
}

// isBroadcast: the limited broadcast address or loopback's directed
// broadcast, the ones the demos use.
func isBroadcast(a netip.Addr) bool {
	return a == netip.AddrFrom4([4]byte{255, 255, 255, 255}) || a == netip.AddrFrom4([4]byte{127, 255, 255, 255})
}

// route returns the lanes a frame goes from and to (from is -1 when its
// sender is not a lesson endpoint). A broadcast datagram goes to every
// lane with a socket bound to its port; a unicast datagram to a port
// several sockets share goes to the one whose recvfrom took it.
func (b *addrBook) route(p *decode.Packet, links *sockcall.Links, calls []sockcall.Call, laneOf map[string]int) (from int, to []int) {
	proto := protoOf(p)
	src := netip.AddrPortFrom(p.Src, p.SrcPort)
	dst := netip.AddrPortFrom(p.Dst, p.DstPort)
	from = -1
	at := frameTime(p)
	owner := func(k flowKey) (int, bool) {
		o, ok := b.flow[k]
		return o.lane, ok && proto == "tcp" && !at.Before(o.since)
	}
	if l, ok := owner(flowKey{src, dst}); ok {
		from = l
	} else if l, ok := b.exact[src]; ok {
		from = l
	} else if ls := b.wildcard[proto][p.SrcPort]; len(ls) > 0 {
		from = ls[0]
	}
	if l, ok := owner(flowKey{dst, src}); ok {
		return from, []int{l}
	}
	if proto == "udp" && isBroadcast(p.Dst) {
		for _, l := range b.wildcard[proto][p.DstPort] {
			if l != from {
				to = append(to, l)
			}
		}
		if l, ok := b.exact[dst]; ok && l != from && !contains(to, l) {
			to = append(to, l)
		}
		return from, to
	}
	if l, ok := b.exact[dst]; ok {
		return from, []int{l}
	}
	ls := b.wildcard[proto][p.DstPort]
	if len(ls) == 1 {
		return from, ls
	}
	if len(ls) > 1 {
		for _, n := range links.FrameCalls(p.Number) {
			if n >= 1 && n <= len(calls) {
				c := &calls[n-1]
				if sortsAtReturn(c.Op) && c.Number == n {
					return from, []int{laneOf[c.Endpoint]}
				}
			}
		}
		return from, ls[:1]
	}
	return from, nil
}

// EndpointOf names the lane a frame's address belongs to, "broadcast" for
// a broadcast address, "" when no endpoint has it.
func (t *Timeline) EndpointOf(a netip.Addr, port uint16) string {
	if isBroadcast(a) {
		return "broadcast"
	}
	ap := netip.AddrPortFrom(a, port)
	for i := range t.mcalls {
		c := &t.mcalls[i]
		if c.Local == ap || c.Local.Port() == port && c.Local.Addr().IsUnspecified() && c.Proto == "udp" {
			return c.Endpoint
		}
	}
	return ""
}
