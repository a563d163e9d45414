package timeline

import (
	"fmt"
	"strconv"

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
		ks.Differs = t.compare(c, k, s)
		// The row's copy of the socket shows the sample (and the drops).
		for j := range r.Socks {
			if r.Socks[j].ID == s.ID {
				kept := s.Sock
				kept.Kernel = ks
				r.Socks[j] = kept
				if !contains(r.Changed, j) && (ks.Differs != "" || k.Drops > 0 && r.Socks[j].Dropped != 0) {
					r.Changed = append(r.Changed, j)
				}
			}
		}
	}
}

// compare records the checks of one sample and returns how they differ.
func (t *Timeline) compare(c *sockcall.Call, k *sockcall.Sample, s *sockModel) string {
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
			if f.what == "Send-Q" && len(s.blocked) > 0 {
				ch.Reason = "send #" + strconv.Itoa(s.blocked[0]) + " is still blocked: the bytes it has put in so far show only in the kernel's count"
			}
			d := fmt.Sprintf("kernel %s %d", f.what, f.kernel)
			if ch.Reason != "" {
				d += " (" + ch.Reason + ")"
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
