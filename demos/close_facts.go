//go:build unix

package demos

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/sockscope/sockscope/decode"
	"github.com/sockscope/sockscope/demos/sockcall"
)

// What the lessons about closing (time-wait, half-close) read of a run: a
// connection's ends as the tracker saw them on the wire. A socket whose
// program has closed it (FIN-WAIT-2, LAST-ACK, TIME-WAIT) answers no call
// any more; its states come from the segments, each of which moves its
// sender's and its receiver's state (decode's Packet.Analysis).

// wireConn is one TCP connection's segments, both ways, in frame order.
type wireConn struct {
	a, b   netip.AddrPort
	frames []*decode.Packet
}

// wireConn gathers the segments between a and b; nil when either address
// is unknown or the capture has none of them (yet).
func (f runFacts) wireConn(a, b netip.AddrPort) *wireConn {
	if !a.IsValid() || !b.IsValid() || a.Port() == 0 || b.Port() == 0 {
		return nil
	}
	w := &wireConn{a: a, b: b}
	for i := range f.r.Packets {
		p := &f.r.Packets[i]
		if !p.IsTCP() {
			continue
		}
		src, dst := addrOf(p)
		if src == a && dst == b || src == b && dst == a {
			w.frames = append(w.frames, p)
		}
	}
	if len(w.frames) == 0 {
		return nil
	}
	return w
}

// stateChange is one of an end's states and the segment that put it
// there.
type stateChange struct {
	state string // as ss names it: "FIN-WAIT-1", "TIME-WAIT", "UNCONN"
	frame *decode.Packet
}

// history is the states the end at ep went through, in order, as the
// tracker inferred them from the segments.
func (w *wireConn) history(ep netip.AddrPort) []stateChange {
	if w == nil {
		return nil
	}
	var out []stateChange
	for _, p := range w.frames {
		src, dst := addrOf(p)
		a := &p.Analysis
		var st decode.TCPState
		switch {
		case src == ep && a.SrcChanged:
			st = a.SrcState
		case dst == ep && a.DstChanged:
			st = a.DstState
		default:
			continue
		}
		if name := sockcall.StateName(st); name != "" {
			out = append(out, stateChange{name, p})
		}
	}
	return out
}

// became returns the segment that put the end at ep in state (as ss names
// it), or nil.
func (w *wireConn) became(ep netip.AddrPort, state string) *decode.Packet {
	for _, c := range w.history(ep) {
		if c.state == state {
			return c.frame
		}
	}
	return nil
}

// last is the end's latest state on the wire ("" when none).
func (w *wireConn) last(ep netip.AddrPort) stateChange {
	h := w.history(ep)
	if len(h) == 0 {
		return stateChange{}
	}
	return h[len(h)-1]
}

// fin returns the first FIN the end at ep sent, or nil.
func (w *wireConn) fin(ep netip.AddrPort) *decode.Packet {
	if w == nil {
		return nil
	}
	for _, p := range w.frames {
		if src, _ := addrOf(p); src == ep && p.TCPFlags&decode.TCPFin != 0 && p.TCPFlags&decode.TCPRst == 0 {
			return p
		}
	}
	return nil
}

// rsts returns the connection's RST segments.
func (w *wireConn) rsts() []*decode.Packet {
	if w == nil {
		return nil
	}
	var out []*decode.Packet
	for _, p := range w.frames {
		if p.TCPFlags&decode.TCPRst != 0 {
			out = append(out, p)
		}
	}
	return out
}

// closeStates writes an end's states from its first FIN's exchange on:
// "FIN-WAIT-1 (frame 7), FIN-WAIT-2 (frame 8), TIME-WAIT (frame 9)", and
// UNCONN as "gone". from is the first state to write ("" for all).
func closeStates(h []stateChange, from string, zh bool) string {
	var parts []string
	on := false
	for _, c := range h {
		on = on || from == "" || c.state == from
		if !on {
			continue
		}
		name := c.state
		if name == "UNCONN" {
			name = "gone"
			if zh {
				name = "不复存在"
			}
		}
		if zh {
			parts = append(parts, fmt.Sprintf("%s（第 %d 帧）", name, c.frame.Number))
		} else {
			parts = append(parts, fmt.Sprintf("%s (frame %d)", name, c.frame.Number))
		}
	}
	if zh {
		return strings.Join(parts, "、")
	}
	return strings.Join(parts, ", ")
}

// callsIn returns endpoint's calls with op ("" for any) in step, in order.
func (f runFacts) callsIn(endpoint, op string, step int) []*sockcall.Call {
	var out []*sockcall.Call
	for _, c := range f.calls(endpoint, op) {
		if c.Step == step {
			out = append(out, c)
		}
	}
	return out
}

// firstIn returns endpoint's first call with op in step, or nil.
func (f runFacts) firstIn(endpoint, op string, step int) *sockcall.Call {
	if cs := f.callsIn(endpoint, op, step); len(cs) > 0 {
		return cs[0]
	}
	return nil
}
