package timeline

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/sockscope/sockscope/decode"
	"github.com/sockscope/sockscope/demos/sockcall"
	"github.com/sockscope/sockscope/internal/socktable"
	"github.com/sockscope/sockscope/internal/textcol"
)

// TextWidth is the width the text timeline wraps explanations at.
const TextWidth = 92

type rowKey struct {
	kind Kind
	num  int
}

// TextPrinter prints a timeline as text, row by row as rows become known:
// each Print prints the rows not printed yet that arrived before a cutoff.
// A row that arrives after later rows were printed is printed late (text
// cannot go back).
type TextPrinter struct {
	printed map[rowKey]bool
	steps   int
}

// NewTextPrinter returns a printer that has printed nothing.
func NewTextPrinter() *TextPrinter { return &TextPrinter{printed: map[rowKey]bool{}} }

// Print appends the rows of t not printed yet that arrived before cutoff
// (all of them when cutoff is zero).
func (p *TextPrinter) Print(dst []byte, t *Timeline, cutoff time.Time) []byte {
	for i := range t.Rows {
		r := &t.Rows[i]
		k := rowKey{r.Kind, r.Num}
		if p.printed[k] || !cutoff.IsZero() && !r.Arrived.Before(cutoff) {
			continue
		}
		p.printed[k] = true
		dst = appendTextRow(dst, t, i)
	}
	return dst
}

func appendTextRow(b []byte, t *Timeline, i int) []byte {
	r := &t.Rows[i]
	switch r.Kind {
	case KindStep:
		return appendStepText(b, t, r.Num)
	case KindOutcome:
		b = append(b, "\n   ▸ "...)
		for i, line := range textcol.Wrap(OutcomeLead(r.Text, t.ZH)+r.Text, TextWidth-11) {
			if i > 0 {
				b = append(b, "\n     "...)
			}
			b = append(b, line...)
		}
		return append(b, '\n')
	case KindCall:
		c := &t.Run.Calls[r.Index]
		b = appendCallText(b, t, r, c)
		b = appendMeaningText(b, t, c)
		b = appendWaitsText(b, t, c)
	case KindReturn:
		c := &t.Run.Calls[r.Index]
		b = appendClock(b, callReturn(c))
		b = fmt.Appendf(b, "  #%-3d %-10s ", c.Number, c.Endpoint)
		if r.Inner {
			b = append(b, "  └ "...)
		}
		b = append(b, r.Text...)
		b = fmt.Appendf(b, pick(t.ZH, "  returned after %s", "  %s 后返回"), sockcall.FormatDuration(r.Blocked))
		b = appendKernelText(b, t, c) // sampled now, not when the call was made
		b = append(b, '\n')
	case KindFrame:
		b = appendFrameText(b, t, r, t.Run.Frame(r.Num))
	case KindSockets:
		if r.Sockets.AfterCall > 0 {
			return b // text prints the table as each step ends; JSON and the view have every one
		}
		b = append(b, pick(t.ZH, "   sockets in the lab after step ", "   第 ")...)
		b = strconv.AppendInt(b, int64(r.Sockets.Step), 10)
		b = append(b, pick(t.ZH, " (as ss -tuanoi shows them; no Endpoint: no program holds a descriptor for it):\n", " 步结束时实验室里的套接字（与 ss -tuanoi 一致；Endpoint 为空：没有程序持有它的描述符）：\n")...)
		if len(r.Sockets.Entries) == 0 {
			b = append(b, pick(t.ZH, "     (none)\n", "     （没有）\n")...)
			return append(b, '\n')
		}
		table := socktable.AppendTableOwned(nil, r.Sockets.Entries, "Endpoint", r.Sockets.Owner)
		for _, line := range strings.SplitAfter(string(table), "\n") {
			if line != "" {
				b = append(b, "     "...)
				b = append(b, line...)
			}
		}
		return append(b, '\n')
	case KindWaiting:
		c := r.Waiting
		b = appendClock(b, callStart(c))
		start := len(b)
		b = fmt.Appendf(b, "  #?   %-10s ", c.Endpoint)
		b = append(b, r.Text...)
		b = pad(b, start, 60)
		b = append(b, pick(t.ZH, "  made, not returned yet: it waits", "  已调用，尚未返回：在等待")...)
		return append(b, '\n')
	}
	return appendBufferText(b, t, i)
}

func appendStepText(b []byte, t *Timeline, n int) []byte {
	title, explain, ok := t.StepWords(n)
	if !ok {
		return b
	}
	b = fmt.Appendf(b, "\n── %d/%d %s ──\n", n, len(t.Demo.Steps), title)
	for _, line := range textcol.Wrap(explain, TextWidth) {
		b = append(b, "   "...)
		b = append(b, line...)
		b = append(b, '\n')
	}
	return append(b, '\n')
}

// appendCallText prints `TIME  #N endpoint  label  kernel: Send-Q s Recv-Q r  STATE  → links`.
func appendCallText(b []byte, t *Timeline, r *Row, c *sockcall.Call) []byte {
	b = appendClock(b, c.SortTime()) // the time it sorts by: made, or returned
	start := len(b)
	b = fmt.Appendf(b, "  #%-3d %-10s ", c.Number, c.Endpoint)
	if r.Inner {
		b = append(b, "  └ "...)
	}
	b = sockcall.AppendCallLabel(b, c)
	b = pad(b, start, 60)
	if r.Blocked > 0 && r.Kind == KindCall {
		// The kernel's figures were taken when it returned: they go on
		// its return row.
		b = fmt.Appendf(b, pick(t.ZH, "  blocked %s", "  阻塞 %s"), sockcall.FormatDuration(r.Blocked))
	} else {
		b = appendKernelText(b, t, c)
	}
	if links := sockcall.AppendCallLinks(nil, c, t.Run.Links.Call(c.Number), t.ZH); len(links) > 0 {
		b = append(b, "  → "...)
		b = append(b, links...)
	}
	return append(bytes.TrimRight(b, " "), '\n')
}

// appendKernelText prints the kernel's view of the call's socket right
// after it returned: `  kernel: Send-Q s Recv-Q r  STATE`.
func appendKernelText(b []byte, t *Timeline, c *sockcall.Call) []byte {
	if c.SendQ >= 0 || c.RecvQ >= 0 {
		b = fmt.Appendf(b, pick(t.ZH, "  kernel at return: Send-Q %d Recv-Q %d", "  返回时内核：Send-Q %d Recv-Q %d"), max(c.SendQ, 0), max(c.RecvQ, 0))
	}
	if c.TCP != nil {
		b = append(b, "  "...)
		b = append(b, c.TCP.State...)
	}
	return b
}

// appendMeaningText prints what the call's outcome means, when it is one
// the catalogue explains (sockcall.Meanings): the Python it becomes, then
// what happened, wrapped under the call.
func appendMeaningText(b []byte, t *Timeline, c *sockcall.Call) []byte {
	m := sockcall.MeaningOf(c)
	if m == nil {
		return b
	}
	b = append(b, "                    ⓘ "...)
	b = append(b, m.Key...)
	b = append(b, " → "...)
	b = append(b, m.Python...)
	b = append(b, '\n')
	for _, line := range textcol.Wrap(m.Text(t.ZH), TextWidth-22) {
		b = append(b, "                      "...)
		b = append(b, line...)
		b = append(b, '\n')
	}
	return b
}

// appendWaitsText prints how long the call's bytes waited, when known.
func appendWaitsText(b []byte, t *Timeline, c *sockcall.Call) []byte {
	w := t.WaitsText(c)
	if w == "" {
		return b
	}
	b = append(b, "                    "...)
	b = append(b, w...)
	return append(b, '\n')
}

// WaitsText says how long call c's bytes waited, in the timeline's
// language ("bytes: in the send buffer 12 µs before its first segment
// left, acknowledged after 45 µs"), or "" when nothing is known. A
// sendall's sends say it for it.
func (t *Timeline) WaitsText(c *sockcall.Call) string {
	w, ok := t.Waits[c.Number]
	if !ok || len(c.Inner) > 0 {
		return ""
	}
	var parts []string
	zh := t.ZH
	switch {
	case w.SendBuf >= 0 && c.Proto == "udp": // one datagram, sent within the call
		parts = append(parts, pick(zh, "its datagram left "+sockcall.FormatDuration(w.SendBuf)+" after the call was made", "调用发起 "+sockcall.FormatDuration(w.SendBuf)+" 后数据报发出"))
	case w.SendBuf >= 0:
		parts = append(parts, pick(zh, "in the send buffer "+sockcall.FormatDuration(w.SendBuf)+" before its first segment left", "在发送缓冲区等了 "+sockcall.FormatDuration(w.SendBuf)+" 才发出第一个报文段"))
	}
	if w.Ack >= 0 {
		parts = append(parts, pick(zh, "acknowledged after "+sockcall.FormatDuration(w.Ack), sockcall.FormatDuration(w.Ack)+" 后被确认"))
	}
	if w.RecvBuf >= 0 {
		parts = append(parts, pick(zh, "waited "+sockcall.FormatDuration(w.RecvBuf)+" in the receive buffer", "在接收缓冲区等了 "+sockcall.FormatDuration(w.RecvBuf)))
	}
	if len(parts) == 0 {
		return ""
	}
	return pick(zh, "bytes: ", "字节：") + strings.Join(parts, pick(zh, ", ", "，"))
}

// OutcomeLead is what goes before an outcome's words: "This run: ", or
// nothing when the words already say so ("In this run …", "本次…").
func OutcomeLead(text string, zh bool) string {
	for _, p := range []string{"In this run", "in this run", "This run", "本次", "这次运行"} {
		if strings.HasPrefix(text, p) {
			return ""
		}
	}
	return pick(zh, "This run: ", "本次运行：")
}

func pick(zh bool, en, cn string) string {
	if zh {
		return cn
	}
	return en
}

// appendFrameText prints `TIME  [frame N] client → server  tcpdump-line  ← #calls`.
func appendFrameText(b []byte, t *Timeline, r *Row, p *decode.Packet) []byte {
	if p == nil {
		return b
	}
	b = appendClock(b, frameTime(p))
	b = fmt.Appendf(b, "  [frame %d] ", p.Number)
	from, to := "", ""
	if r.Lane >= 0 && r.Lane < len(t.Lanes) {
		from = t.Lanes[r.Lane]
	} else {
		from = t.EndpointOf(p.Src, p.SrcPort)
	}
	switch {
	case p.IsUDP() && isBroadcast(p.Dst):
		to = "broadcast"
	case len(r.To) == 1 && r.To[0] >= 0 && r.To[0] < len(t.Lanes):
		to = t.Lanes[r.To[0]]
	default:
		to = t.EndpointOf(p.Dst, p.DstPort)
	}
	if from != "" || to != "" {
		b = fmt.Appendf(b, "%s → %s  ", orAddr(from, p), orAddrDst(to, p))
	}
	// The summary's own state markers use the tracker's RFC 9293 names;
	// a lesson names states as ss does, so they come from the row's note.
	q := *p
	q.Analysis.SrcChanged, q.Analysis.DstChanged = false, false
	b = decode.AppendSummary(b, &q)
	if r.Note != "" {
		b = append(b, " {"...)
		b = append(b, r.Note...)
		b = append(b, '}')
	}
	if calls := t.Run.Links.FrameCalls(p.Number); len(calls) > 0 {
		b = append(b, "  ← "...)
		for i, n := range calls {
			if i > 0 {
				b = append(b, ", "...)
			}
			if c := t.Run.Call(n); c != nil {
				b = fmt.Appendf(b, "#%d %s", n, c.Op)
			}
		}
	}
	return append(b, '\n')
}

func orAddr(name string, p *decode.Packet) string {
	if name != "" {
		return name
	}
	return p.Src.String() + ":" + strconv.Itoa(int(p.SrcPort))
}

func orAddrDst(name string, p *decode.Packet) string {
	if name != "" {
		return name
	}
	return p.Dst.String() + ":" + strconv.Itoa(int(p.DstPort))
}

// appendBufferText prints a line per socket whose buffers the row changed:
// `server fd 9  Recv-Q 11 → 16 B of 131072  "hello你好world"`, with the
// kernel's figure where a sample belongs to the row and differs.
func appendBufferText(b []byte, t *Timeline, row int) []byte {
	r := &t.Rows[row]
	for _, i := range r.Changed {
		s := &r.Socks[i]
		before := t.Before(row, s.ID)
		start := len(b)
		b = append(b, "                    "...)
		b = append(b, s.label(t.ZH)...)
		label := len(b)
		b = AppendBufferChange(b, before, s, t.ZH)
		if len(b) == label { // nothing to say: no line
			b = b[:start]
			continue
		}
		b = append(b, '\n')
	}
	return b
}

// Before returns the socket with this ID as it was on the row before row
// (nil if it did not exist yet).
func (t *Timeline) Before(row, id int) *Sock {
	if row <= 0 || row > len(t.Rows) {
		return nil
	}
	prev := &t.Rows[row-1]
	for k := range prev.Socks {
		if prev.Socks[k].ID == id {
			return &prev.Socks[k]
		}
	}
	return nil
}

// AppendBufferChange appends what changed in a socket's buffers:
// "  Send-Q 0 → 5 B (5 unsent) of 2626560  Recv-Q 11 → 16 B of 131072 "…"".
func AppendBufferChange(b []byte, before, s *Sock, zh bool) []byte {
	old := func(f func(*Sock) int) int {
		if before == nil {
			return 0
		}
		return max(f(before), 0)
	}
	if s.Listener {
		b = fmt.Appendf(b, "  %s %d → %d", pick(zh, "accept queue", "监听队列"), old(func(x *Sock) int { return x.RecvQ }), s.RecvQ)
		return b
	}
	sendChanged := before == nil || before.SendQ != s.SendQ || before.Unsent != s.Unsent
	recvChanged := before == nil || before.RecvQ != s.RecvQ || before.Datagrams != s.Datagrams || before.Dropped != s.Dropped
	if sendChanged && s.SendQ >= 0 && s.Proto == "tcp" {
		b = fmt.Appendf(b, "  Send-Q %d → ", old(func(x *Sock) int { return x.SendQ }))
		if s.Blocked != 0 {
			b = append(b, "≥ "...)
		}
		b = fmt.Appendf(b, "%d B", s.SendQ)
		if was := old(func(x *Sock) int { return x.Unsent }); was != s.Unsent && s.Unsent >= 0 {
			b = fmt.Appendf(b, pick(zh, " (unsent %d → %d)", "（未发出 %d → %d）"), was, s.Unsent)
		} else if s.Unsent > 0 {
			b = fmt.Appendf(b, pick(zh, " (%d unsent)", "（%d 未发出）"), s.Unsent)
		}
		if s.SndBuf > 0 {
			b = fmt.Appendf(b, " / %d", s.SndBuf)
		}
	}
	if recvChanged && s.RecvQ >= 0 {
		b = fmt.Appendf(b, "  Recv-Q %d → %d B", old(func(x *Sock) int { return x.RecvQ }), s.RecvQ)
		if s.Proto == "udp" {
			en := " (%d datagrams)"
			if s.Datagrams == 1 {
				en = " (%d datagram)"
			}
			b = fmt.Appendf(b, pick(zh, en, "（%d 个数据报）"), s.Datagrams)
		}
		if s.RcvBuf > 0 {
			b = fmt.Appendf(b, " / %d", s.RcvBuf)
		}
		if len(s.RecvData) > 0 {
			b = append(b, "  "...)
			b = append(b, quoteCut(s.RecvData, 32)...)
		}
		if s.Proto == "udp" && s.Dropped > 0 {
			b = fmt.Appendf(b, pick(zh, "  dropped %d", "  已丢弃 %d"), s.Dropped)
		}
	}
	if s.Blocked != 0 && sendChanged {
		b = fmt.Appendf(b, pick(zh, " (%s blocked: how much of it is in, only the kernel knows)", "（%s 阻塞中：已放进多少，只有内核知道）"), s.BlockedSend(zh))
	}
	if s.Kernel != nil && s.Kernel.Differs != "" {
		b = append(b, pick(zh, "  ≠ ", "  ≠ ")...)
		b = append(b, s.Kernel.Differs...)
	}
	return b
}

func appendClock(b []byte, t time.Time) []byte {
	return t.AppendFormat(b, "15:04:05.000000")
}

// pad pads the text since start to width terminal columns.
func pad(b []byte, start, width int) []byte {
	for n := textcol.Width(string(b[start:])); n < width; n++ {
		b = append(b, ' ')
	}
	return b
}
