package timeline

import (
	"time"

	"github.com/sockscope/sockscope/demos/sockcall"
)

// waits computes, for every call that moved bytes, how long they waited
// in the buffers (sockcall.Waits): a send's bytes from the call until the
// first frame carrying them left and until the ACK of its last byte; a
// recv's bytes from the arrival of the first of them until the call
// returned them (for AF_UNIX, from the send that wrote them).
func waits(run *sockcall.Run, sb *sockBuilder) map[int]sockcall.Waits {
	out := map[int]sockcall.Waits{}
	for i := range run.Calls {
		c := &run.Calls[i]
		if c.Ret <= 0 {
			continue
		}
		w := sockcall.Waits{SendBuf: -1, Ack: -1, RecvBuf: -1}
		l := run.Links.Call(c.Number)
		start, ret := callStart(c), callReturn(c)
		switch {
		case isSend(c.Op) && l != nil:
			var first time.Time
			for _, f := range l.Frames {
				if p := run.Frame(f); p != nil && (first.IsZero() || frameTime(p).Before(first)) {
					first = frameTime(p)
				}
			}
			if !first.IsZero() {
				w.SendBuf = max(0, first.Sub(start))
			}
			if p := run.Frame(l.AckFrame); p != nil {
				w.Ack = max(0, frameTime(p).Sub(start))
			}
		case (c.Op == "recv" || c.Op == "read" || c.Op == "recvfrom") && c.Proto == "udp" && l != nil && len(l.Frames) > 0:
			if p := run.Frame(l.Frames[0]); p != nil {
				w.RecvBuf = max(0, ret.Sub(frameTime(p)))
			}
		case (c.Op == "recv" || c.Op == "read") && c.Proto == "tcp" && l != nil && l.HasBytes:
			var first time.Time
			for _, f := range l.Frames {
				p := run.Frame(f)
				if p == nil || p.PayloadLen <= 0 {
					continue
				}
				if p.Rel.Seq <= l.First && l.First < p.Rel.Seq+uint32(p.PayloadLen) && (first.IsZero() || frameTime(p).Before(first)) {
					first = frameTime(p)
				}
			}
			if !first.IsZero() {
				w.RecvBuf = max(0, ret.Sub(first))
			}
		case (c.Op == "recv" || c.Op == "read") && c.Proto == "unix":
			if from := unixWriter(c, sb, run); from != nil {
				w.RecvBuf = max(0, ret.Sub(callReturn(from)))
			}
		}
		if w.SendBuf >= 0 || w.Ack >= 0 || w.RecvBuf >= 0 {
			out[c.Number] = w
		}
	}
	return out
}

// unixWriter finds the send that wrote the first byte an AF_UNIX recv
// read.
func unixWriter(c *sockcall.Call, sb *sockBuilder, run *sockcall.Run) *sockcall.Call {
	for _, s := range sb.socks {
		if s.Proto != "unix" || s.in == nil || s.Endpoint != c.Endpoint || s.FD != c.FD {
			continue
		}
		// Bytes read before this call, by this socket's earlier recvs.
		var before uint32
		for i := range run.Calls {
			o := &run.Calls[i]
			if o.Number >= c.Number {
				break
			}
			if o.Endpoint == c.Endpoint && o.FD == c.FD && (o.Op == "recv" || o.Op == "read") && o.Ret > 0 {
				before += uint32(o.Ret)
			}
		}
		if n := s.in.owner(before + 1); n != 0 {
			return run.Call(n)
		}
	}
	return nil
}
