package main

import (
	"bytes"
	"fmt"
	"io"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/sockscope/sockscope/capture"
	"github.com/sockscope/sockscope/decode"
	"github.com/sockscope/sockscope/demos"
	"github.com/sockscope/sockscope/demos/sockcall"
)

// timeline merges a demo's steps, calls and packets in time order and
// prints them with their links: text as events happen (held back a little,
// so that a packet captured just after the call that caused it still sorts
// in its place), JSON at the end, when every link is known. Its methods are
// called under one lock (demos.Session serialises events; the flusher takes
// the same lock).
type timeline struct {
	demo *demos.Demo
	zh   bool
	json bool
	out  io.Writer
	text *decode.TextFormatter
	dec  *decode.Decoder

	calls   []sockcall.Call
	packets []decode.Packet
	frames  []capture.Frame
	items   []item // not yet printed
	links   *sockcall.Links
}

// item is one line of the timeline waiting to be printed.
type item struct {
	at      time.Time // where it sorts
	arrived time.Time // when sockscope learnt of it
	kind    int       // itemStep, itemCall, itemFrame
	index   int       // step number, or index into calls / packets
}

const (
	itemStep = iota
	itemCall
	itemFrame
)

func newTimeline(d *demos.Demo, zh, json bool, out io.Writer) *timeline {
	return &timeline{demo: d, zh: zh, json: json, out: out, text: decode.NewTextFormatter(time.Local), dec: decode.NewDecoder()}
}

// add takes one event from the session.
func (t *timeline) add(e demos.Event) {
	now := time.Now()
	switch {
	case e.Step > 0:
		t.items = append(t.items, item{at: now, arrived: now, kind: itemStep, index: e.Step})
	case e.Call != nil:
		t.calls = append(t.calls, *e.Call)
		t.items = append(t.items, item{at: callTime(e.Call), arrived: now, kind: itemCall, index: len(t.calls) - 1})
	case e.Frame != nil:
		var p decode.Packet
		t.dec.Decode(e.Frame, len(t.packets)+1, &p)
		p.DNS.QName = append([]byte(nil), p.DNS.QName...) // outlives the decoder's scratch
		t.packets = append(t.packets, p)
		t.frames = append(t.frames, *e.Frame)
		t.items = append(t.items, item{at: time.Unix(e.Frame.Sec, e.Frame.Nsec), arrived: now, kind: itemFrame, index: len(t.packets) - 1})
	}
}

// callTime is where a call sorts: calls that cause packets (connect, send,
// close) at the moment they were made, calls that wait for them (accept,
// recv) at the moment they returned — so that connect() comes before its
// SYN and recv() after the segment it reads.
func callTime(c *sockcall.Call) time.Time { return c.SortTime() }

// flush prints, in time order, the items that arrived before cutoff (all
// of them when cutoff is zero). JSON waits for the final flush.
func (t *timeline) flush(cutoff time.Time) error {
	if t.json && !cutoff.IsZero() {
		return nil
	}
	sort.SliceStable(t.items, func(i, j int) bool {
		a, b := t.items[i], t.items[j]
		if !a.at.Equal(b.at) {
			return a.at.Before(b.at)
		}
		return a.kind < b.kind // a step, then a call, then the packets at the same instant
	})
	n := 0
	for n < len(t.items) && (cutoff.IsZero() || t.items[n].arrived.Before(cutoff)) {
		n++
	}
	if n == 0 {
		return nil
	}
	t.links = sockcall.Correlate(t.calls, t.packets)
	var buf []byte
	for _, it := range t.items[:n] {
		buf = t.appendItem(buf, it)
	}
	t.items = append(t.items[:0], t.items[n:]...)
	_, err := t.out.Write(buf)
	return err
}

func (t *timeline) appendItem(b []byte, it item) []byte {
	switch it.kind {
	case itemStep:
		return t.appendStep(b, it.index)
	case itemCall:
		c := &t.calls[it.index]
		if t.json {
			return append(sockcall.AppendCallJSON(b, c, t.links.Call(c.Number), nil), '\n')
		}
		return t.appendCall(b, c)
	default:
		p := &t.packets[it.index]
		if t.json {
			return append(decode.AppendJSON(b, p), '\n')
		}
		return t.appendPacket(b, p)
	}
}

func (t *timeline) appendStep(b []byte, n int) []byte {
	s := t.demo.Steps[n-1]
	title, explain := s.Title, s.Explain
	if t.zh {
		title, explain = s.TitleZH, s.ExplainZH
	}
	if t.json {
		b = append(b, `{"type":"step","step.number":`...)
		b = strconv.AppendInt(b, int64(n), 10)
		b = append(b, `,"step.title":`...)
		b = strconv.AppendQuote(b, title)
		b = append(b, `,"step.explain":`...)
		b = strconv.AppendQuote(b, explain)
		return append(b, "}\n"...)
	}
	b = fmt.Appendf(b, "\n── %d/%d %s ──\n", n, len(t.demo.Steps), title)
	for _, line := range wrap(explain, 92) {
		b = append(b, "   "...)
		b = append(b, line...)
		b = append(b, '\n')
	}
	return append(b, '\n')
}

// appendCall prints `TIME  #N endpoint  label  Send-Q s Recv-Q r  STATE  → links`.
func (t *timeline) appendCall(b []byte, c *sockcall.Call) []byte {
	b = appendClock(b, callTime(c)) // the time it sorts by: made, or returned
	start := len(b)
	b = fmt.Appendf(b, "  #%-3d %-10s ", c.Number, c.Endpoint)
	b = sockcall.AppendCallLabel(b, c)
	b = pad(b, start, 60)
	if c.SendQ >= 0 || c.RecvQ >= 0 {
		b = fmt.Appendf(b, "  Send-Q %-5d Recv-Q %-5d", max(c.SendQ, 0), max(c.RecvQ, 0))
	}
	if c.TCP != nil {
		b = append(b, "  "...)
		b = append(b, c.TCP.State...)
	}
	if links := sockcall.AppendCallLinks(nil, c, t.links.Call(c.Number)); len(links) > 0 {
		b = append(b, "  → "...)
		b = append(b, links...)
	}
	return append(bytes.TrimRight(b, " "), '\n')
}

// appendPacket prints `TIME  [frame N] client → server  tcpdump-line  ← #calls`.
func (t *timeline) appendPacket(b []byte, p *decode.Packet) []byte {
	b = appendClock(b, time.Unix(p.Sec, p.Nsec))
	b = fmt.Appendf(b, "  [frame %d] ", p.Number)
	if from, to := t.endpointOf(p.Src, p.SrcPort), t.endpointOf(p.Dst, p.DstPort); from != "" || to != "" {
		b = fmt.Appendf(b, "%s → %s  ", orAddr(from, p.Src, p.SrcPort), orAddr(to, p.Dst, p.DstPort))
	}
	b = decode.AppendSummary(b, p)
	if calls := t.links.FrameCalls(p.Number); len(calls) > 0 {
		b = append(b, "  ← "...)
		for i, n := range calls {
			if i > 0 {
				b = append(b, ", "...)
			}
			b = fmt.Appendf(b, "#%d %s", n, t.calls[n-1].Op)
		}
	}
	return append(b, '\n')
}

// endpointOf names the demo endpoint whose socket has this address.
func (t *timeline) endpointOf(a netip.Addr, port uint16) string {
	ap := netip.AddrPortFrom(a, port)
	if a == netip.AddrFrom4([4]byte{127, 255, 255, 255}) || a == netip.AddrFrom4([4]byte{255, 255, 255, 255}) {
		return "broadcast"
	}
	for i := range t.calls {
		c := &t.calls[i]
		if c.Local == ap || c.Local.Port() == port && c.Local.Addr().IsUnspecified() && c.Proto == "udp" {
			return c.Endpoint
		}
	}
	return ""
}

func orAddr(name string, a netip.Addr, port uint16) string {
	if name != "" {
		return name
	}
	return netip.AddrPortFrom(a, port).String()
}

func appendClock(b []byte, t time.Time) []byte {
	return t.AppendFormat(b, "15:04:05.000000")
}

// pad pads the text since start to width terminal columns.
func pad(b []byte, start, width int) []byte {
	n := columns(string(b[start:]))
	for ; n < width; n++ {
		b = append(b, ' ')
	}
	return b
}

// wrap breaks s into lines of at most width columns, at spaces; text
// without spaces (Chinese) is broken at width runes, counting a wide rune
// as two columns.
func wrap(s string, width int) []string {
	var lines []string
	for _, para := range strings.Split(s, "\n") {
		var line bytes.Buffer
		col := 0
		for _, word := range splitWords(para) {
			w := columns(word)
			if col > 0 && col+w > width {
				lines = append(lines, strings.TrimRight(line.String(), " "))
				line.Reset()
				col = 0
				word = strings.TrimLeft(word, " ")
				w = columns(word)
			}
			line.WriteString(word)
			col += w
		}
		lines = append(lines, strings.TrimRight(line.String(), " "))
	}
	return lines
}

// splitWords splits at spaces (keeping them on the word before) and
// between wide runes, so both English and Chinese can wrap.
func splitWords(s string) []string {
	var out []string
	start := 0
	for i, r := range s {
		switch {
		case r == ' ':
			out = append(out, s[start:i+1])
			start = i + 1
		case r >= 0x2E80: // CJK and friends: a break may come before each
			if i > start {
				out = append(out, s[start:i])
			}
			start = i
		}
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

func columns(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x2E80 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// writeCapture writes the demo's frames to path, each frame tied to calls
// carrying a comment that names them (pcapng; Wireshark shows it).
func (t *timeline) writeCapture(path string, linkType uint32) error {
	w, err := capture.Create(path, linkType)
	if err != nil {
		return err
	}
	links := sockcall.Correlate(t.calls, t.packets)
	for i := range t.frames {
		var comment []byte
		for _, n := range links.FrameCalls(t.packets[i].Number) {
			c := &t.calls[n-1]
			if len(comment) > 0 {
				comment = append(comment, "; "...)
			}
			comment = fmt.Appendf(comment, "#%d %s ", c.Number, c.Endpoint)
			comment = sockcall.AppendCallLabel(comment, c)
			if l := links.Call(n); l != nil && l.HasBytes {
				comment = fmt.Appendf(comment, " (bytes %d–%d)", l.First, l.Last)
			}
		}
		if err := w.WriteFrameComment(&t.frames[i], string(comment)); err != nil {
			w.Close()
			return err
		}
	}
	return w.Close()
}
