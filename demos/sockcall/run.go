package sockcall

import (
	"net/netip"

	"github.com/sockscope/sockscope/decode"
)

// Run is what one lesson run recorded: its socket calls in Number order,
// the packets the capture decoded (frame numbers from 1), and the links
// between them. A lesson's words about its run are derived from a Run,
// never assumed.
type Run struct {
	Calls   []Call
	Packets []decode.Packet
	Links   *Links
}

// NewRun correlates calls and packets into a Run.
func NewRun(calls []Call, packets []decode.Packet) *Run {
	return &Run{Calls: calls, Packets: packets, Links: Correlate(calls, packets)}
}

// Of returns the calls of one endpoint, in order.
func (r *Run) Of(endpoint string) []Call {
	return r.where(func(c *Call) bool { return c.Endpoint == endpoint })
}

// InStep returns the calls made in step n, in order.
func (r *Run) InStep(n int) []Call {
	return r.where(func(c *Call) bool { return c.Step == n })
}

func (r *Run) where(keep func(*Call) bool) []Call {
	var out []Call
	for i := range r.Calls {
		if keep(&r.Calls[i]) {
			out = append(out, r.Calls[i])
		}
	}
	return out
}

// Call returns the call numbered n, or nil.
func (r *Run) Call(n int) *Call {
	if n >= 1 && n <= len(r.Calls) && r.Calls[n-1].Number == n {
		return &r.Calls[n-1]
	}
	for i := range r.Calls {
		if r.Calls[i].Number == n {
			return &r.Calls[i]
		}
	}
	return nil
}

// Frame returns the packet numbered n, or nil.
func (r *Run) Frame(n int) *decode.Packet {
	if n >= 1 && n <= len(r.Packets) && r.Packets[n-1].Number == n {
		return &r.Packets[n-1]
	}
	return nil
}

// Normalized returns calls with IPv4-mapped IPv6 addresses (a dual-stack
// socket's ::ffff:127.0.0.1) as the IPv4 addresses the wire carries, so
// that calls and frames of one connection match; calls without such
// addresses are returned as they are. The recorded calls keep what the
// kernel reported.
func Normalized(calls []Call) []Call {
	mapped := func(ap netip.AddrPort) bool { return ap.IsValid() && ap.Addr().Is4In6() }
	var out []Call
	for i := range calls {
		c := &calls[i]
		if !mapped(c.Local) && !mapped(c.Peer) {
			continue
		}
		if out == nil {
			out = append([]Call(nil), calls...)
		}
		n := &out[i]
		n.Local = netip.AddrPortFrom(c.Local.Addr().Unmap(), c.Local.Port())
		n.Peer = netip.AddrPortFrom(c.Peer.Addr().Unmap(), c.Peer.Port())
		if !c.Local.IsValid() {
			n.Local = c.Local
		}
		if !c.Peer.IsValid() {
			n.Peer = c.Peer
		}
	}
	if out == nil {
		return calls
	}
	return out
}
