//go:build unix

package demos

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/sockscope/sockscope/decode"
	"github.com/sockscope/sockscope/demos/sockcall"
	"golang.org/x/sys/unix"
)

// What the lessons about buffers and timing share (partial-send,
// slow-reader, udp-overflow, message-boundaries, nagle): a pause that is
// part of a lesson, bytes a reader can check, and a reader of one run's
// facts for their Outcome and Check. Nothing here makes a socket call;
// nothing is recorded. waitTCP, the one observation of the kernel, is in
// sock_more_linux.go.

// observe polls done every interval until it holds (true), for at most
// limit (false), or until ctx is done (its error). It is how a lesson waits
// for something it can only observe of the kernel — a queue's length, a
// socket's state, a counter — never for ordering endpoints: signals do that.
// Nothing it does is recorded.
func observe(ctx context.Context, limit, every time.Duration, done func() bool) (bool, error) {
	deadline := time.Now().Add(limit)
	for {
		if done() {
			return true, nil
		}
		if time.Now().After(deadline) {
			return false, nil
		}
		if err := lessonPause(ctx, every); err != nil {
			return false, err
		}
	}
}

// lessonPause waits d, or until ctx is done (and returns its error). It is
// for pauses that are the lesson — a reader busy elsewhere, a consumer
// slower than its producer — never for ordering endpoints: signals do that.
func lessonPause(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// lessonBytes returns n bytes of a repeating printable pattern, so that a
// reader can check it got every byte, in order.
func lessonBytes(n int) []byte {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[i%len(alphabet)]
	}
	return b
}

// readAll is a reader's loop: recv(bufsize) until want bytes have come,
// each checked against want, with gap between reads (0 for none).
func (s *Sock) readAll(want []byte, bufsize int, gap time.Duration) error {
	got := 0
	for got < len(want) {
		data, err := s.Recv(bufsize)
		if err != nil {
			return err
		}
		if len(data) == 0 {
			return fmt.Errorf("%s: the peer closed after %d of %d bytes", s.Endpoint, got, len(want))
		}
		if string(data) != string(want[got:got+len(data)]) {
			return fmt.Errorf("%s: bytes %d–%d are not the bytes sent", s.Endpoint, got+1, got+len(data))
		}
		got += len(data)
		if gap > 0 && got < len(want) {
			if err := lessonPause(s.ctx, gap); err != nil {
				return s.fail("recv", err)
			}
		}
	}
	return nil
}

// bufRun reads the facts of one run (possibly partial: a view calls
// Outcome while the lesson runs, and frames may be missing) for the
// lessons of this file's family. Every method copes with what is not
// there yet. It reads the run as runFacts does (the first lessons'
// reader, lesson_facts.go), and adds the queries about buffers and
// windows.
type bufRun struct{ r *sockcall.Run }

// calls returns endpoint's calls with op (any op when op is ""), in
// step (any step when step is 0), in order.
func (b bufRun) calls(endpoint, op string, step int) []*sockcall.Call {
	if step == 0 {
		return runFacts(b).calls(endpoint, op)
	}
	return runFacts(b).callsIn(endpoint, op, step)
}

// first returns the first of endpoint's calls with op in step, or nil.
func (b bufRun) first(endpoint, op string, step int) *sockcall.Call {
	if cs := b.calls(endpoint, op, step); len(cs) > 0 {
		return cs[0]
	}
	return nil
}

// packets returns the packets keep accepts, in capture order.
func (b bufRun) packets(keep func(p *decode.Packet) bool) []*decode.Packet {
	return runFacts(b).packets(keep)
}

// links returns c's links to the wire, or nil.
func (b bufRun) links(c *sockcall.Call) *sockcall.CallLinks {
	return runFacts(b).links(c)
}

// frames returns the packets that carried c's bytes, in capture order.
func (b bufRun) frames(c *sockcall.Call) []*decode.Packet {
	return runFacts(b).frames(c)
}

// from and to return the TCP segments a fixed port sent or received.
func (b bufRun) from(port uint16) []*decode.Packet {
	return b.packets(func(p *decode.Packet) bool { return p.IsTCP() && p.SrcPort == port })
}

func (b bufRun) to(port uint16) []*decode.Packet {
	return b.packets(func(p *decode.Packet) bool { return p.IsTCP() && p.DstPort == port })
}

// flagged returns the segments from port with expert flag e.
func (b bufRun) flagged(port uint16, e decode.Expert) []*decode.Packet {
	return b.packets(func(p *decode.Packet) bool {
		return p.IsTCP() && p.SrcPort == port && p.Analysis.Flags&e != 0
	})
}

// windowProbes returns the sender's zero-window probes on the connection
// to port (the receiver's): segments sent while the receiver's last
// advertised window was 0 that carry no new data — Linux's empty segment
// one below the next sequence number (Wireshark: TCP Keep-Alive), or the
// one new byte other stacks send (tcp.analysis.zero_window_probe).
func (b bufRun) windowProbes(port uint16) []*decode.Packet {
	if b.r == nil {
		return nil
	}
	var out []*decode.Packet
	zero := false // the receiver's last window was 0
	for i := range b.r.Packets {
		p := &b.r.Packets[i]
		if !p.IsTCP() || p.TCPFlags&(decode.TCPSyn|decode.TCPFin|decode.TCPRst) != 0 {
			continue
		}
		switch {
		case p.SrcPort == port:
			zero = p.Window == 0
		case p.DstPort == port && zero:
			if p.Analysis.Flags&decode.ExpertZeroWindowProbe != 0 ||
				p.PayloadLen == 0 && p.Analysis.Flags&decode.ExpertKeepAlive != 0 {
				out = append(out, p)
			}
		}
	}
	return out
}

// kernelSample returns what the kernel said about endpoint's socket (a
// connection, not a listener) right after c.
func kernelSample(c *sockcall.Call, endpoint string) (sockcall.Sample, bool) {
	if c == nil {
		return sockcall.Sample{}, false
	}
	for _, k := range c.Kernel {
		if k.Endpoint == endpoint && !k.Listener {
			return k, true
		}
	}
	return sockcall.Sample{}, false
}

// ret, start and at are when a call returned and began, and when a
// frame was captured (one clock for all three).
func (bufRun) ret(c *sockcall.Call) time.Time { return time.Unix(c.Sec, c.Nsec) }

func (b bufRun) start(c *sockcall.Call) time.Time {
	if c.StartSec == 0 {
		return b.ret(c)
	}
	return time.Unix(c.StartSec, c.StartNsec)
}

func (bufRun) at(p *decode.Packet) time.Time { return time.Unix(p.Sec, p.Nsec) }

// frameNumbers shows frame numbers as a list: "4, 6, 9" (and "… 12 in
// all" past six).
func frameNumbers(ps []*decode.Packet, zh bool) string {
	const most = 6
	var parts []string
	for i, p := range ps {
		if i == most {
			if zh {
				parts = append(parts, fmt.Sprintf("……等共 %d 个", len(ps)))
			} else {
				parts = append(parts, fmt.Sprintf("… %d in all", len(ps)))
			}
			break
		}
		parts = append(parts, fmt.Sprint(p.Number))
	}
	if zh {
		return strings.Join(parts, "、")
	}
	return strings.Join(parts, ", ")
}

// claimList gathers the claims a run contradicts, for Demo.Check.
type claimList []string

func (l *claimList) want(ok bool, claim string, args ...any) {
	if !ok {
		*l = append(*l, fmt.Sprintf(claim, args...))
	}
}

func (l claimList) err(lesson string) error {
	if len(l) == 0 {
		return nil
	}
	return fmt.Errorf("%s: the run contradicts: %s", lesson, strings.Join(l, "; "))
}

// readerDrained is the outcome of a closing step whose "reader" read until
// recv returned b” in step: how many bytes in how many calls.
func readerDrained(step int) func(r *sockcall.Run) (en, zh string) {
	return func(r *sockcall.Run) (en, zh string) {
		b := bufRun{r}
		eof := b.first("reader", "recv", step)
		if eof == nil || eof.Ret != 0 {
			return "", ""
		}
		n, total := 0, 0
		for _, c := range b.calls("reader", "recv", 0) {
			if c.Ret > 0 {
				n++
				total += c.Ret
			}
		}
		return fmt.Sprintf("The reader got %d bytes in %d recv calls, then b''.", total, n),
			fmt.Sprintf("接收方用 %d 次 recv 收到 %d 字节，然后是 b''。", n, total)
	}
}

// ListenTCP starts a server as the tutorials do, in four recorded calls:
// socket(AF_INET, SOCK_STREAM), setsockopt(SOL_SOCKET, SO_REUSEADDR, 1),
// bind(addr) and listen(backlog) — Python's s = socket.socket();
// s.setsockopt(…); s.bind((host, port)); s.listen(backlog).
func (s *Sock) ListenTCP(addr string, backlog int) error {
	if err := s.Socket(unix.AF_INET, unix.SOCK_STREAM, 0); err != nil {
		return err
	}
	if err := s.Setsockopt(unix.SOL_SOCKET, unix.SO_REUSEADDR, 1); err != nil {
		return err
	}
	if err := s.Bind(addr); err != nil {
		return err
	}
	return s.Listen(backlog)
}
