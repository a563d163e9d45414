package inspector

import (
	"bytes"
	"context"
	"strconv"
	"strings"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"

	"github.com/sockscope/sockscope/decode"
	"github.com/sockscope/sockscope/decode/store"
	"github.com/sockscope/sockscope/ui/widgets"
)

// The Follow pane (f): the current conversation's payload bytes, each
// direction in its colour, exactly as `sockscope replay --follow` prints
// them (decode.FollowPrinter: every byte, blank lines too, control
// characters escaped).

const paneFollow = "follow"

func init() {
	registerPane(paneSpec{
		name: paneFollow, order: 2, key: 'f',
		help: widgets.Text{"Follow the current conversation's byte stream: payload bytes only, as replay --follow prints them (f again: back)", "跟踪当前会话的字节流：只含载荷字节，与 replay --follow 的输出相同（再按 f 返回）"},
		hint: widgets.Text{"follow", "跟踪"},
		make: newFollowPane,
	})
}

type followPane struct{ ins *inspector }

func newFollowPane(ins *inspector) pane {
	ins.follow = widgets.NewLinesView(ins.tr("Follow stream", "跟踪流"))
	return &followPane{ins: ins}
}

func (p *followPane) root() tview.Primitive         { return p.ins.follow }
func (p *followPane) focusables() []tview.Primitive { return []tview.Primitive{p.ins.follow} }
func (p *followPane) hide()                         {}

func (p *followPane) show() {
	ins := p.ins
	ins.startConvJob(ins.follow, paneFollow, func(ref decode.ConvRef) string {
		if ref.Proto == "" {
			return ins.tr("Follow stream", "跟踪流")
		}
		return ins.tr("Follow "+streamName(ref), "跟踪 "+strings.ToUpper(ref.Proto)+" 流 "+strconv.Itoa(ref.Stream))
	}, func(ref decode.ConvRef) func(context.Context) {
		return func(ctx context.Context) { ins.runFollow(ctx, ref) }
	})
}

// Follow-stream limits: what the pane keeps of a long conversation.
const (
	followMaxBytes = 8 << 20
	followMaxLines = 100_000
	followLineLen  = 4096
)

// runFollow is the follow job: decode.TCPFollower or UDPFollower over the
// conversation's packets into decode.FollowPrinter (the text of
// `sockscope replay --follow`), its lines coloured by direction: each
// block starts with a "=== A→B" or "=== B→A" line.
func (ins *inspector) runFollow(ctx context.Context, ref decode.ConvRef) {
	pkts := ins.convPackets(ref)
	lw := &followLines{}
	pr := decode.NewFollowPrinter(lw, decode.FollowASCII)
	var fl decode.Follower
	if ref.Proto == "udp" {
		fl = decode.NewUDPFollower(pr.Chunk)
	} else {
		fl = decode.NewTCPFollower(pr.Chunk)
	}
	rd := store.NewReader()
	for i, abs := range pkts {
		if i&1023 == 0 && ctx.Err() != nil {
			return
		}
		if lw.full {
			break
		}
		if ins.store.Load(abs, rd) {
			fl.Add(&rd.Packet, rd.Dec.TransportPayload(&rd.Packet))
		}
	}
	fl.Close()
	st := fl.Stats()
	a, b, _ := fl.Endpoints()
	if !lw.full {
		pr.Close(decode.FollowResult{Conv: ref, A: a, B: b, Stats: st})
	}
	lw.end()
	lines := lw.lines
	if lw.full {
		lines = append(lines, widgets.Line{Text: ins.tr("[the rest is not shown: the pane keeps the first "+thousands(followMaxBytes)+" bytes]", "[其余部分未显示：本窗格只保留前 "+thousands(followMaxBytes)+" 字节]"), Style: insStyleDim})
	}
	head := []widgets.Line{
		{Text: ins.tr("A "+a.String()+" → B "+b.String()+":  A sent "+thousands(uint64(st.Bytes[0]))+" payload bytes in "+strconv.Itoa(st.Packets[0])+
			" packets, B sent "+thousands(uint64(st.Bytes[1]))+" payload bytes in "+strconv.Itoa(st.Packets[1])+" packets",
			"A "+a.String()+" → B "+b.String()+"：A 发送了 "+thousands(uint64(st.Bytes[0]))+" 载荷字节（"+strconv.Itoa(st.Packets[0])+
				" 个数据包），B 发送了 "+thousands(uint64(st.Bytes[1]))+" 载荷字节（"+strconv.Itoa(st.Packets[1])+" 个数据包）"), Style: insStyleTitle},
		{Text: ins.tr("A's bytes in this colour,", "A 的字节用这种颜色，"), Style: insStyleA},
		{Text: ins.tr(`B's in this one; control bytes show escaped (\x00), as replay --follow prints them.`, `B 的用这种；控制字节以转义形式显示（\x00），与 replay --follow 相同。`), Style: insStyleB},
		{Text: ""},
	}
	if len(pkts) == 0 {
		head = []widgets.Line{{Text: ins.tr("No packets of "+ref.String()+" are held.", "没有保留 "+ref.String()+" 的数据包。"), Style: insStyleDim}}
		lines = nil
	}
	lines = append(head, lines...)
	ins.queueDraw(ctx, func() {
		if ins.paneRef == ref {
			ins.follow.SetLines(lines)
			ins.follow.EmptyText = ""
		}
	})
}

// followLines is the io.Writer FollowPrinter writes to: it cuts the text
// into lines (tabs to spaces) and colours each block by its direction. It
// stops taking text past the pane's limits.
type followLines struct {
	lines []widgets.Line
	part  []byte
	style tcell.Style
	bytes int
	full  bool
}

func (w *followLines) Write(b []byte) (int, error) {
	n := len(b)
	if w.full {
		return n, nil
	}
	w.bytes += n
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			w.part = append(w.part, b...)
			break
		}
		w.part = append(w.part, b[:i]...)
		w.line()
		b = b[i+1:]
	}
	if w.bytes > followMaxBytes || len(w.lines) > followMaxLines {
		w.end()
		w.full = true
	}
	return n, nil
}

// line ends the line being written.
func (w *followLines) line() {
	s := string(w.part)
	w.part = w.part[:0]
	st := w.style
	switch {
	case strings.HasPrefix(s, "=== A→B "):
		w.style, st = insStyleA, insStyleTitleA
	case strings.HasPrefix(s, "=== B→A "):
		w.style, st = insStyleB, insStyleTitleB
	case strings.HasPrefix(s, "=== end of "):
		st = insStyleTitle
	}
	if strings.IndexByte(s, '\t') >= 0 {
		s = expandTabs(s)
	}
	if len(s) > followLineLen {
		s = s[:followLineLen]
	}
	w.lines = append(w.lines, widgets.Line{Text: s, Style: st})
}

// end ends a last line without its newline.
func (w *followLines) end() {
	if len(w.part) > 0 {
		w.line()
	}
}

// expandTabs puts spaces for tabs, to the next multiple of 8 columns.
func expandTabs(s string) string {
	var b strings.Builder
	col := 0
	for _, r := range s {
		if r == '\t' {
			n := 8 - col%8
			b.WriteString(strings.Repeat(" ", n))
			col += n
			continue
		}
		b.WriteRune(r)
		col++
	}
	return b.String()
}
