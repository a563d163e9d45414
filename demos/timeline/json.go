package timeline

import (
	"strconv"

	"github.com/sockscope/sockscope/decode"
	"github.com/sockscope/sockscope/demos/sockcall"
	"github.com/sockscope/sockscope/internal/socktable"
)

// AppendJSON appends the whole timeline as JSON lines: a "step" object
// per step, an "outcome" object where a step's words come from this run, a
// "call" object per call (with its links and waits), a packet object per
// frame (as replay --json prints it), and after any call or frame that
// changed a socket's buffers one "buffer" object per such socket, and a
// "socket" object per socket of each socket table (with socket.after_call,
// the call it was read after, for a table that is not a step's end).
func AppendJSON(b []byte, t *Timeline) []byte {
	for i := range t.Rows {
		r := &t.Rows[i]
		switch r.Kind {
		case KindStep:
			b = appendStepJSON(b, t, r.Num)
		case KindSockets:
			for i := range r.Sockets.Entries {
				owner := ""
				if i < len(r.Sockets.Owner) {
					owner = r.Sockets.Owner[i]
				}
				b = socktable.AppendJSON(b, &r.Sockets.Entries[i], r.Sockets.Step, owner)
				if n := r.Sockets.AfterCall; n > 0 && len(b) > 0 && b[len(b)-1] == '}' {
					// The table read after call n: the object gains
					// socket.after_call (absent: a step's end).
					b = strconv.AppendInt(append(b[:len(b)-1], `,"socket.after_call":`...), int64(n), 10)
					b = append(b, '}')
				}
				b = append(b, '\n')
			}
		case KindOutcome:
			o := decode.NewJSONObject(b)
			o.Str(`"type":`, "outcome")
			o.Uint(`"outcome.step":`, uint64(r.Num))
			o.Str(`"outcome.text":`, r.Text)
			b = append(o.Bytes(), '\n')
		case KindCall:
			c := &t.Run.Calls[r.Index]
			var w *sockcall.Waits
			if x, ok := t.Waits[c.Number]; ok {
				w = &x
			}
			b = append(sockcall.AppendCallJSON(b, c, t.Run.Links.Call(c.Number), w, t.ZH), '\n')
		case KindFrame:
			if p := t.Run.Frame(r.Num); p != nil {
				b = append(decode.AppendJSON(b, p), '\n')
			}
		}
		b = appendBuffersJSON(b, t, r)
	}
	return b
}

func appendStepJSON(b []byte, t *Timeline, n int) []byte {
	title, explain, ok := t.StepWords(n)
	if !ok {
		return b
	}
	o := decode.NewJSONObject(b)
	o.Str(`"type":`, "step")
	o.Uint(`"step.number":`, uint64(n))
	o.Str(`"step.title":`, title)
	o.Str(`"step.explain":`, explain)
	return append(o.Bytes(), '\n')
}

// appendBuffersJSON appends a "buffer" object for each socket the row
// changed.
func appendBuffersJSON(b []byte, t *Timeline, r *Row) []byte {
	var after string
	switch r.Kind {
	case KindCall, KindReturn:
		after = "call " + strconv.Itoa(r.Num)
	case KindFrame:
		after = "frame " + strconv.Itoa(r.Num)
	default:
		return b
	}
	for _, i := range r.Changed {
		s := &r.Socks[i]
		o := decode.NewJSONObject(b)
		o.Str(`"type":`, "buffer")
		o.Epoch(`"buffer.time_epoch":`, r.At.Unix(), int64(r.At.Nanosecond()))
		o.Str(`"buffer.endpoint":`, s.Endpoint)
		o.Int(`"buffer.fd":`, int64(s.FD))
		o.Str(`"buffer.proto":`, s.Proto)
		o.Str(`"buffer.after":`, after)
		if s.Listener {
			o.Bool(`"buffer.listener":`, true) // recvq is the accept queue, sendq the backlog
		}
		o.Int(`"buffer.sendq":`, int64(s.SendQ))
		o.Int(`"buffer.unsent":`, int64(s.Unsent))
		o.Int(`"buffer.recvq":`, int64(s.RecvQ))
		o.Int(`"buffer.sndbuf":`, int64(s.SndBuf))
		o.Int(`"buffer.rcvbuf":`, int64(s.RcvBuf))
		o.Int(`"buffer.window":`, int64(s.Window))
		o.Data(`"buffer.recv_data":`, s.RecvData)
		if s.Proto == "udp" {
			o.Int(`"buffer.datagrams":`, int64(s.Datagrams))
			o.Int(`"buffer.dropped":`, int64(s.Dropped))
		}
		if s.Blocked != 0 {
			o.Int(`"buffer.blocked_call":`, int64(s.Blocked)) // sendq is a lower bound
		}
		if s.FromKernel {
			o.Bool(`"buffer.from_kernel":`, true)
		}
		if k := s.Kernel; k != nil {
			o.Int(`"buffer.kernel_sendq":`, int64(k.SendQ))
			o.Int(`"buffer.kernel_recvq":`, int64(k.RecvQ))
			if k.Differs != "" {
				o.Str(`"buffer.kernel_differs":`, k.Differs)
			}
		}
		b = append(o.Bytes(), '\n')
	}
	return b
}
