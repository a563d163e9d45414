package sockcall

import "github.com/sockscope/sockscope/decode"

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
