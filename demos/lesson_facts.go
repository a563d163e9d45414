//go:build unix

package demos

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sockscope/sockscope/decode"
	"github.com/sockscope/sockscope/demos/sockcall"
)

// The five first lessons derive their Outcome words and verify their fixed
// claims (Check) from one sockcall.Run through runFacts. Every question it
// answers copes with a partial run — calls still to come, frames missing —
// by answering nil, zero or false, never by a panic: an Outcome that
// cannot say something true yet says nothing.

// runFacts answers the questions lessons ask of one run.
type runFacts struct{ r *sockcall.Run }

func factsOf(r *sockcall.Run) runFacts {
	if r == nil {
		r = &sockcall.Run{}
	}
	return runFacts{r}
}

// calls returns endpoint's calls with op ("" for any op), in order.
func (f runFacts) calls(endpoint, op string) []*sockcall.Call {
	if f.r == nil {
		return nil
	}
	var out []*sockcall.Call
	for i := range f.r.Calls {
		c := &f.r.Calls[i]
		if c.Endpoint == endpoint && (op == "" || c.Op == op) {
			out = append(out, c)
		}
	}
	return out
}

// call returns endpoint's k-th (from 0) call with op, or nil.
func (f runFacts) call(endpoint, op string, k int) *sockcall.Call {
	cs := f.calls(endpoint, op)
	if k < 0 || k >= len(cs) {
		return nil
	}
	return cs[k]
}

// byNumber returns call n, or nil.
func (f runFacts) byNumber(n int) *sockcall.Call { return f.r.Call(n) }

// links returns the links of call c (nil when it has none or the run has
// no links).
func (f runFacts) links(c *sockcall.Call) *sockcall.CallLinks {
	if c == nil || f.r == nil || f.r.Links == nil {
		return nil
	}
	return f.r.Links.Call(c.Number)
}

// frames returns the frames tied to c, in frame order (nil if unknown).
func (f runFacts) frames(c *sockcall.Call) []*decode.Packet {
	l := f.links(c)
	if l == nil {
		return nil
	}
	var out []*decode.Packet
	for _, n := range l.Frames {
		if p := f.r.Frame(n); p != nil {
			out = append(out, p)
		}
	}
	return out
}

// ackFrame returns the segment that acknowledged the last byte of send c,
// or nil.
func (f runFacts) ackFrame(c *sockcall.Call) *decode.Packet {
	if l := f.links(c); l != nil && l.AckFrame != 0 {
		return f.r.Frame(l.AckFrame)
	}
	return nil
}

// inner returns the calls a sendall made (those recorded so far).
func (f runFacts) inner(c *sockcall.Call) []*sockcall.Call {
	if c == nil {
		return nil
	}
	var out []*sockcall.Call
	for _, n := range c.Inner {
		if in := f.r.Call(n); in != nil {
			out = append(out, in)
		}
	}
	return out
}

// packets returns the run's packets that pass keep, in frame order.
func (f runFacts) packets(keep func(p *decode.Packet) bool) []*decode.Packet {
	if f.r == nil {
		return nil
	}
	var out []*decode.Packet
	for i := range f.r.Packets {
		if p := &f.r.Packets[i]; keep(p) {
			out = append(out, p)
		}
	}
	return out
}

// sampleAfter returns what the kernel said about endpoint's socket fd
// right after call c.
func sampleAfter(c *sockcall.Call, endpoint string, fd int) (sockcall.Sample, bool) {
	if c == nil {
		return sockcall.Sample{}, false
	}
	for _, s := range c.Kernel {
		if s.Endpoint == endpoint && s.FD == fd {
			return s, true
		}
	}
	return sockcall.Sample{}, false
}

// Times. A call's start is when it was made, its end when it returned; a
// frame's time is the capture's. They share the realtime clock.

func callStart(c *sockcall.Call) time.Time {
	if c.StartSec == 0 && c.StartNsec == 0 {
		return callEnd(c)
	}
	return time.Unix(c.StartSec, c.StartNsec)
}

func callEnd(c *sockcall.Call) time.Time { return time.Unix(c.Sec, c.Nsec) }

func frameTime(p *decode.Packet) time.Time { return time.Unix(p.Sec, p.Nsec) }

// span says a duration as a person reads it, the same in both languages:
// "12 µs", "0.25 ms", "41 ms", "1.2 s".
func span(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	switch {
	case d < time.Millisecond/10:
		return strconv.FormatInt(int64(d/time.Microsecond), 10) + " µs"
	case d < 10*time.Millisecond:
		return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 2, 64) + " ms"
	case d < time.Second:
		return strconv.FormatInt(int64((d+time.Millisecond/2)/time.Millisecond), 10) + " ms"
	}
	return strconv.FormatFloat(d.Seconds(), 'f', 1, 64) + " s"
}

// Packet questions.

func isTCPFlags(p *decode.Packet, set, clear uint16) bool {
	return p != nil && p.IsTCP() && p.TCPFlags&set == set && p.TCPFlags&clear == 0
}

func addrOf(p *decode.Packet) (src, dst netip.AddrPort) {
	return netip.AddrPortFrom(p.Src, p.SrcPort), netip.AddrPortFrom(p.Dst, p.DstPort)
}

// datagramTo reports whether p is a UDP datagram to port (and not a later
// fragment of one).
func datagramTo(p *decode.Packet, port uint16) bool {
	return p.IsUDP() && p.DstPort == port && !p.MoreFragments()
}

// tcpConn is one TCP connection's segments and the landmarks of its life,
// for a connection whose client closes first (as every lesson's does).
// A landmark the capture has not (yet) shown is nil.
type tcpConn struct {
	client, server netip.AddrPort
	frames         []*decode.Packet // both directions, in frame order

	syn, synAck, hsAck   *decode.Packet // the handshake
	clientFin, serverFin *decode.Packet
	finAck               *decode.Packet // the server's first segment acknowledging the client's FIN
	lastAck              *decode.Packet // the client's segment acknowledging the server's FIN
	rst                  *decode.Packet // the first RST, either way
}

// finEnd is the relative sequence number that acknowledges FIN segment p.
func finEnd(p *decode.Packet) uint32 { return p.Rel.Seq + uint32(p.PayloadLen) + 1 }

// tcpConn gathers the connection between client and server; nil when the
// capture has none of its segments.
func (f runFacts) tcpConn(client, server netip.AddrPort) *tcpConn {
	if !client.IsValid() || !server.IsValid() {
		return nil
	}
	c := &tcpConn{client: client, server: server}
	for i := range f.r.Packets {
		p := &f.r.Packets[i]
		if !p.IsTCP() {
			continue
		}
		src, dst := addrOf(p)
		fromClient := src == client && dst == server
		if !fromClient && !(src == server && dst == client) {
			continue
		}
		c.frames = append(c.frames, p)
		fl := p.TCPFlags
		switch {
		case fl&decode.TCPRst != 0:
			if c.rst == nil {
				c.rst = p
			}
		case fromClient && fl&decode.TCPSyn != 0 && fl&decode.TCPAck == 0:
			if c.syn == nil {
				c.syn = p
			}
		case !fromClient && fl&decode.TCPSyn != 0 && fl&decode.TCPAck != 0:
			if c.synAck == nil && c.syn != nil {
				c.synAck = p
			}
		case fromClient && c.synAck != nil && c.hsAck == nil && fl&(decode.TCPSyn|decode.TCPFin) == 0 && fl&decode.TCPAck != 0 && p.PayloadLen == 0:
			c.hsAck = p
		}
		if fl&decode.TCPFin != 0 {
			if fromClient && c.clientFin == nil {
				c.clientFin = p
			}
			if !fromClient && c.serverFin == nil {
				c.serverFin = p
			}
		}
		if fl&decode.TCPAck != 0 {
			if !fromClient && c.clientFin != nil && c.finAck == nil && p != c.clientFin && p.Rel.Ack >= finEnd(c.clientFin) {
				c.finAck = p
			}
			if fromClient && c.serverFin != nil && c.lastAck == nil && p.Rel.Ack >= finEnd(c.serverFin) {
				c.lastAck = p
			}
		}
	}
	if len(c.frames) == 0 {
		return nil
	}
	return c
}

// handshake reports whether the capture shows the whole handshake.
func (c *tcpConn) handshake() bool {
	return c != nil && c.syn != nil && c.synAck != nil && c.hsAck != nil &&
		c.syn.Number < c.synAck.Number && c.synAck.Number < c.hsAck.Number
}

// closeKind says how the connection's close went on the wire, once the
// capture shows enough: 4 when the server's kernel acknowledged the
// client's FIN on its own before the server's FIN (FIN, ACK, FIN, ACK), 3
// when that ACK rode on the server's FIN (FIN, FIN/ACK, ACK), 0 when the
// capture does not show it (yet), or the server's FIN came first.
func (c *tcpConn) closeKind() int {
	if c == nil || c.clientFin == nil || c.finAck == nil {
		return 0
	}
	if c.serverFin != nil && c.serverFin.Number < c.clientFin.Number {
		return 0
	}
	if c.finAck == c.serverFin {
		return 3
	}
	if c.finAck.TCPFlags&decode.TCPFin == 0 {
		return 4
	}
	return 0
}

// closed reports whether the capture shows the whole close: the client's
// FIN, the server's, and the client's ACK of it.
func (c *tcpConn) closed() bool {
	return c.closeKind() != 0 && c.serverFin != nil && c.lastAck != nil
}

// closeFrames is the close's segments as "FIN (frame 12), ACK (13), FIN
// (14), ACK (15)" with the names given for FIN, FIN/ACK and ACK.
func (c *tcpConn) closeFrames(fin, finack, ack string) string {
	switch c.closeKind() {
	case 4:
		return fmt.Sprintf("%s (%d), %s (%d), %s (%d), %s (%d)", fin, c.clientFin.Number, ack, c.finAck.Number, fin, c.serverFin.Number, ack, c.lastAck.Number)
	case 3:
		return fmt.Sprintf("%s (%d), %s (%d), %s (%d)", fin, c.clientFin.Number, finack, c.serverFin.Number, ack, c.lastAck.Number)
	}
	return ""
}

// claims collects the fixed claims a run contradicts, for Check.
type claims struct{ failed []string }

// expect records claim as contradicted unless ok; detail says how.
func (c *claims) expect(ok bool, claim string, detail string, args ...any) {
	if !ok {
		c.failed = append(c.failed, claim+": "+fmt.Sprintf(detail, args...))
	}
}

func (c *claims) err() error {
	if len(c.failed) == 0 {
		return nil
	}
	return errors.New(strings.Join(c.failed, "; "))
}

// frameList writes frame numbers as "4, 6 and 8" (and "4、6 和 8" in
// Chinese when zh).
func frameList(frames []*decode.Packet, zh bool) string {
	nums := make([]string, len(frames))
	for i, p := range frames {
		nums[i] = strconv.Itoa(p.Number)
	}
	return joinList(nums, zh)
}

// joinList joins words as "a, b and c", or in Chinese "a、b 和 c" (with
// no spaces around 和 next to a Chinese character).
func joinList(words []string, zh bool) string {
	switch len(words) {
	case 0:
		return ""
	case 1:
		return words[0]
	}
	head, last := strings.Join(words[:len(words)-1], "、"), words[len(words)-1]
	if !zh {
		return strings.Join(words[:len(words)-1], ", ") + " and " + last
	}
	and := "和"
	if ascii := func(s string, at int) bool { return s != "" && s[at] < utf8.RuneSelf }; ascii(head, len(head)-1) && ascii(last, 0) {
		and = " 和 "
	}
	return head + and + last
}

// intList writes numbers as joinList does.
func intList(v []int, zh bool) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = strconv.Itoa(n)
	}
	return joinList(s, zh)
}

// describe names a call for a Check's error: "#7 accept() = 9 (Send-Q 0,
// Recv-Q 0, ESTAB)", or "none" when the run has no such call.
func describe(c *sockcall.Call) string {
	if c == nil {
		return "none"
	}
	s := "#" + strconv.Itoa(c.Number) + " " + string(sockcall.AppendCallLabel(nil, c)) +
		" (Send-Q " + strconv.Itoa(c.SendQ) + ", Recv-Q " + strconv.Itoa(c.RecvQ)
	if c.TCP != nil {
		s += ", " + c.TCP.State
	}
	return s + ")"
}

// frameNo names a frame for a Check's error: "frame 4" or "none".
func frameNo(p *decode.Packet) string {
	if p == nil {
		return "none"
	}
	return "frame " + strconv.Itoa(p.Number)
}

// tcpState is the TCP state a call left its socket in, "" if none.
func tcpState(c *sockcall.Call) string {
	if c == nil || c.TCP == nil {
		return ""
	}
	return c.TCP.State
}

// dataOf concatenates the bytes of calls.
func dataOf(calls []*sockcall.Call) []byte {
	var b []byte
	for _, c := range calls {
		b = append(b, c.Data...)
	}
	return b
}

// segments returns the distinct data segments among frames, in frame order.
func segments(frames []*decode.Packet) []*decode.Packet {
	var out []*decode.Packet
	seen := map[int]bool{}
	for _, p := range frames {
		if p.PayloadLen > 0 && !seen[p.Number] {
			seen[p.Number] = true
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b *decode.Packet) int { return a.Number - b.Number })
	return out
}

// covers reports whether data segments segs carry stream bytes 1..n of
// their direction.
func covers(segs []*decode.Packet, n int) bool {
	next := uint32(1)
	sorted := slices.Clone(segs)
	slices.SortFunc(sorted, func(a, b *decode.Packet) int { return int(a.Rel.Seq) - int(b.Rel.Seq) })
	for _, p := range sorted {
		if p.Rel.Seq > next {
			return false
		}
		if end := p.Rel.Seq + uint32(p.PayloadLen); end > next {
			next = end
		}
	}
	return n > 0 && next > uint32(n)
}

// peerOf is c's peer address (the zero value for none).
func peerOf(c *sockcall.Call) netip.AddrPort {
	if c == nil {
		return netip.AddrPort{}
	}
	return c.Peer
}

// byteRange names the stream bytes a call covered: "1–5" or "none".
func byteRange(l *sockcall.CallLinks) string {
	if l == nil || !l.HasBytes {
		return "none"
	}
	return strconv.FormatUint(uint64(l.First), 10) + "–" + strconv.FormatUint(uint64(l.Last), 10)
}

// allOp reports whether every call is an op call.
func allOp(calls []*sockcall.Call, op string) bool {
	for _, c := range calls {
		if c.Op != op {
			return false
		}
	}
	return true
}

// innerOf describes a sendall's inner calls for a Check's error.
func innerOf(c *sockcall.Call) []int {
	if c == nil {
		return nil
	}
	return c.Inner
}

// closesOf describes close calls for a Check's error.
func closesOf(calls []*sockcall.Call) []string {
	var out []string
	for _, c := range calls {
		out = append(out, describe(c)+" fd "+strconv.Itoa(c.FD))
	}
	return out
}

// localOf is c's local address (the zero value for none).
func localOf(c *sockcall.Call) netip.AddrPort {
	if c == nil {
		return netip.AddrPort{}
	}
	return c.Local
}

// countWord spells small counts in English ("three"), digits above ten.
func countWord(n int) string {
	words := [...]string{"no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"}
	if n >= 0 && n < len(words) {
		return words[n]
	}
	return strconv.Itoa(n)
}
