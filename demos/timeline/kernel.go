package timeline

import (
	"fmt"
	"net/netip"
	"sort"
	"time"

	"github.com/sockscope/sockscope/demos/sockcall"
)

// Check is one comparison of the model with a kernel sample.
type Check struct {
	Call     int // the sample was taken after this call
	Endpoint string
	FD       int
	Proto    string
	What     string // "Send-Q" or "Recv-Q"
	Model    int
	Kernel   int
	Agree    bool
	// Reason says why the two differ where the difference is understood
	// (a send still blocked); "" for an agreement or an unexplained
	// difference.
	Reason string
}

// Agreement counts the checks that agree, of those made.
func (t *Timeline) Agreement() (agree, total int) {
	for _, c := range t.Checks {
		total++
		if c.Agree {
			agree++
		}
	}
	return agree, total
}

// sample attaches the kernel's samples taken after call c to row r (the
// last row at that moment), applies what only the kernel knows (UDP
// drops), and compares the rest with the model.
func (t *Timeline) sample(r *Row, c *sockcall.Call, sb *sockBuilder, laneOf map[string]int) {
	for i := range c.Kernel {
		k := &c.Kernel[i]
		s := sb.bySample(k, laneOf)
		if s == nil {
			continue
		}
		if k.Drops >= 0 {
			sb.dropped(s, k.Drops)
		}
		ks := &KernelSample{Call: c.Number, SendQ: k.SendQ, RecvQ: k.RecvQ, Drops: k.Drops}
		ks.Differs = t.compare(c, k, s, sb)
		// The row's copy of the socket shows the sample (and the drops).
		for j := range r.Socks {
			if r.Socks[j].ID == s.ID {
				was := r.Socks[j].Dropped
				kept := s.Sock
				kept.Kernel = ks
				r.Socks[j] = kept
				// A row shows a socket the sample changed: a difference,
				// or drops the kernel counted since the row was taken.
				if !contains(r.Changed, j) && (ks.Differs != "" || kept.Dropped != was) {
					r.Changed = append(r.Changed, j)
				}
			}
		}
	}
}

// compare records the checks of one sample and returns how they differ.
func (t *Timeline) compare(c *sockcall.Call, k *sockcall.Sample, s *sockModel, sb *sockBuilder) string {
	if s.FromKernel || s.Closed {
		return "" // nothing of the model's own to compare
	}
	type field struct {
		what          string
		model, kernel int
		skip          string
	}
	var fields []field
	switch {
	case s.Proto == "tcp" && s.Listener:
		fields = []field{{what: "Recv-Q", model: s.acceptQ, kernel: k.RecvQ}}
	case s.Proto == "tcp":
		fields = []field{{"Send-Q", s.SendQ, k.SendQ, ""}, {"Recv-Q", s.RecvQ, k.RecvQ, ""}}
	case s.Proto == "udp":
		head := 0
		if len(s.dgrams) > 0 {
			head = s.dgrams[0].size
		}
		// UDP's SIOCINQ is the size of the next datagram, not the total.
		fields = []field{{"Send-Q", s.SendQ, k.SendQ, ""}, {"Recv-Q", head, k.RecvQ, ""}}
	case s.Proto == "unix" && !s.Listener:
		fields = []field{{"Recv-Q", s.RecvQ, k.RecvQ, ""}}
	}
	differs := ""
	for _, f := range fields {
		if f.kernel < 0 || f.model < 0 {
			continue
		}
		ch := Check{Call: c.Number, Endpoint: k.Endpoint, FD: k.FD, Proto: k.Proto, What: f.what, Model: f.model, Kernel: f.kernel, Agree: f.model == f.kernel}
		if !ch.Agree {
			var w why
			switch {
			case f.what == "Send-Q" && len(s.blocked) > 0:
				bs := Buffers{Blocked: s.blocked[0]}
				w = why{bs.BlockedSend(false) + " still blocked", bs.BlockedSend(true) + " 仍阻塞"}
			default:
				w = t.concurrent(c, s, sb)
				// A frame on the wire and in the socket at different
				// moments: the model ahead of the kernel (bytes arrived,
				// or acknowledged, in the capture and not yet in the
				// socket), or behind it (in the socket, not yet captured).
				ahead := f.model > f.kernel
				if f.what == "Send-Q" {
					ahead = f.model < f.kernel
				}
				if w.en == "" && s.Proto == "tcp" && ahead {
					w = inFlight(c, s)
				}
				if w.en == "" && s.Proto == "tcp" && (!ahead || s.Listener) {
					w = t.capturedLate(c, s)
				}
			}
			ch.Reason = w.en
			d := fmt.Sprintf("kernel %s %d", f.what, f.kernel)
			if w.en != "" {
				d += " (" + w.en + ")"
			}
			if t.ZH {
				d = fmt.Sprintf("内核 %s %d", f.what, f.kernel)
				if w.zh != "" {
					d += "（" + w.zh + "）"
				}
			}
			if differs != "" {
				differs += "; "
			}
			differs += d
		}
		t.Checks = append(t.Checks, ch)
	}
	return differs
}

// inFlightWindow is how soon after a frame's capture a kernel sample may
// still miss it: on loopback a captured segment reaches the receiving
// socket a few microseconds later, in the softirq that delivers it.
const inFlightWindow = 200 * time.Microsecond

// inFlight explains a TCP difference by a frame captured just before the
// sample, not yet delivered to the socket when the kernel was asked.
func inFlight(c *sockcall.Call, s *sockModel) why {
	at := time.Unix(c.KernelSec, c.KernelNsec)
	for _, st := range []*stream{s.out, s.in} {
		if st == nil || st.lastFrame == 0 {
			continue
		}
		if d := at.Sub(st.lastAt); d >= 0 && d < inFlightWindow {
			return why{
				fmt.Sprintf("sampled %s after frame %d was captured, before the kernel had delivered it to the socket", sockcall.FormatDuration(d), st.lastFrame),
				fmt.Sprintf("第 %d 帧被抓到 %s 之后采样时，内核还没把它交给套接字", st.lastFrame, sockcall.FormatDuration(d)),
			}
		}
	}
	return why{}
}

// concurrent explains a difference by a call on the socket (or its peer,
// or for a listener an accept or connect) that another thread had in
// progress while the kernel was asked: its effect may or may not be in
// the kernel's answer, and the model puts it at the call's recorded
// return, which is stamped a little after the system call returned.
func (t *Timeline) concurrent(c *sockcall.Call, s *sockModel, sb *sockBuilder) why {
	from := time.Unix(c.KernelSec, c.KernelNsec)
	to := from.Add(c.KernelSpan)
	var peer *sockModel
	if s.Proto == "tcp" && !s.Listener {
		peer = sb.flow(s.Peer, s.Local)
	}
	mine := func(o *sockcall.Call, x *sockModel) bool {
		if x == nil {
			return false
		}
		return o.Endpoint == x.Endpoint && o.FD == x.FD ||
			x.Proto == "tcp" && o.Local == x.Local && o.Peer == x.Peer && x.Local.IsValid()
	}
	check := func(o *sockcall.Call) (why, bool) {
		if o.Number == c.Number || callStart(o).After(to) || !callReturn(o).After(from) {
			return why{}, false
		}
		// A call acts on its socket near its start (a send's bytes go in)
		// or near its return (a recv takes them, accept takes the
		// connection); one that started long before and returned long
		// after the sample was waiting, and changed nothing meanwhile.
		if callStart(o).Before(from.Add(-actsWithin)) && callReturn(o).After(to.Add(actsWithin)) {
			return why{}, false
		}
		if mine(o, s) || mine(o, peer) ||
			s.Listener && (o.Op == "accept" && o.FD == s.FD && o.Endpoint == s.Endpoint || o.Op == "connect" && o.Peer == s.Local) {
			return why{
				fmt.Sprintf("call #%d (%s %s) was in progress on another thread while the kernel was asked", o.Number, o.Endpoint, o.Op),
				fmt.Sprintf("询问内核时，调用 #%d（%s %s）正在另一个线程上进行", o.Number, o.Endpoint, o.Op),
			}, true
		}
		return why{}, false
	}
	// Calls are in the order they returned. One that took less than
	// BlockedAfter and overlaps the sample returned before to+BlockedAfter;
	// the longer ones are few and listed apart.
	calls := t.mcalls
	i := sort.Search(len(calls), func(i int) bool { return callReturn(&calls[i]).After(from) })
	for ; i < len(calls) && !callReturn(&calls[i]).After(to.Add(BlockedAfter)); i++ {
		if w, ok := check(&calls[i]); ok {
			return w
		}
	}
	for _, j := range t.long {
		if w, ok := check(&calls[j]); ok {
			return w
		}
	}
	return why{}
}

// actsWithin is how far from its recorded start or return a call's effect
// on the kernel may lie: the stamps are taken just before and after the
// system call, a little later on a busy machine.
const actsWithin = 5 * time.Millisecond

// capturedLate explains a TCP difference by a frame of the connection
// captured just after the kernel was asked: the socket had it already,
// the capture's timestamp came later (on loopback a frame's capture time
// can trail its delivery by tens of microseconds).
func (t *Timeline) capturedLate(c *sockcall.Call, s *sockModel) why {
	from := time.Unix(c.KernelSec, c.KernelNsec)
	for i := range t.Run.Packets {
		p := &t.Run.Packets[i]
		at := frameTime(p)
		if at.Before(from) || !p.IsTCP() {
			continue
		}
		if at.Sub(from) > c.KernelSpan+inFlightWindow {
			continue
		}
		src, dst := netip.AddrPortFrom(p.Src, p.SrcPort), netip.AddrPortFrom(p.Dst, p.DstPort)
		if src == s.Local && dst == s.Peer || src == s.Peer && dst == s.Local ||
			s.Listener && p.DstPort == s.Local.Port() { // a handshake's last ACK fills the accept queue
			d := at.Sub(from)
			return why{
				fmt.Sprintf("frame %d was captured %s after the kernel was asked, though the socket had it already", p.Number, sockcall.FormatDuration(d)),
				fmt.Sprintf("第 %d 帧在询问内核 %s 之后才被抓到，而套接字当时已经收到了它", p.Number, sockcall.FormatDuration(d)),
			}
		}
	}
	return why{}
}

// why is a difference's reason in English and Chinese.
type why struct{ en, zh string }
