package inspector

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/rivo/tview"

	"github.com/sockscope/sockscope/decode"
	"github.com/sockscope/sockscope/decode/store"
	"github.com/sockscope/sockscope/ui/widgets"
)

// The panes that replace the details and bytes on demand: c the
// conversations, f the Follow stream of the current conversation, l its
// ladder. The current conversation is the selected packet's, or the one
// chosen with Enter in the conversations pane.

// togglePane shows pane name below the list, or the packet panes again if
// it is showing already.
func (ins *inspector) togglePane(name string) {
	if ins.pane == name {
		name = panePacket
	}
	ins.pane = name
	ins.bottom.Clear()
	switch name {
	case panePacket:
		ins.bottom.AddItem(ins.packetPane, 0, 1, false)
		ins.store.WantConvs(false)
		ins.app.SetFocus(ins.list)
	case paneConvs:
		ins.bottom.AddItem(ins.convTable, 0, 1, false)
		ins.store.WantConvs(true)
		ins.refreshConvs()
		ins.app.SetFocus(ins.convTable)
	case paneFollow:
		ins.bottom.AddItem(ins.follow, 0, 1, false)
		ins.startConvJob(paneFollow)
		ins.app.SetFocus(ins.follow)
	case paneLadder:
		ins.bottom.AddItem(ins.ladder, 0, 1, false)
		ins.startConvJob(paneLadder)
		ins.app.SetFocus(ins.ladder)
	}
}

// convContent is the conversations table.
type convContent struct {
	tview.TableContentReadOnly
	rows store.ConvList
	t0   int64
}

var convHeader = [...]string{"Conv", "A", "B", "State", "Packets A→B", "Packets B→A", "Bytes A→B", "Bytes B→A", "Start", "Duration", "Retrans", "Opened / closed"}

func (c *convContent) GetRowCount() int    { return c.rows.Len() + 1 }
func (c *convContent) GetColumnCount() int { return len(convHeader) }

func (c *convContent) GetCell(row, col int) *tview.TableCell {
	if col < 0 || col >= len(convHeader) {
		return nil
	}
	if row == 0 {
		return tview.NewTableCell(convHeader[col]).SetSelectable(false).SetStyle(insStyleTitle)
	}
	if row > c.rows.Len() {
		return nil
	}
	rr := c.rows.At(row - 1)
	r := &rr
	var text string
	right := false
	switch col {
	case 0:
		text = convName(r)
	case 1:
		text = r.A.String()
	case 2:
		text = r.B.String()
	case 3:
		text = r.State
	case 4:
		text, right = thousands(r.PktsAB), true
	case 5:
		text, right = thousands(r.PktsBA), true
	case 6:
		text, right = thousands(r.BytesAB), true
	case 7:
		text, right = thousands(r.BytesBA), true
	case 8:
		text, right = seconds(time.Duration(r.StartNS-c.t0)), true
	case 9:
		text, right = seconds(r.Dur), true
	case 10:
		if r.Proto == 6 {
			text, right = strconv.Itoa(r.Retrans), true
		}
	case 11:
		if r.Proto == 6 {
			text = r.Handshake.String() + " / " + r.Teardown.String()
			if r.ClosedBy != decode.RoleNone {
				text += " by " + r.ClosedBy.String()
			}
		}
	}
	st := rowTCP
	if r.Proto == 17 {
		st = rowUDP
	}
	if r.Retrans > 0 || r.Teardown == decode.TeardownReset {
		st = rowBad
	}
	cl := tview.NewTableCell(tview.Escape(text)).SetStyle(st)
	if right {
		cl.SetAlign(tview.AlignRight)
	}
	return cl
}

func convName(r *store.ConvRow) string {
	if r.Proto == 17 {
		return "udp " + strconv.Itoa(r.ID)
	}
	return "tcp " + strconv.Itoa(r.ID)
}

func seconds(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', 6, 64)
}

// refreshConvs shows the store's latest conversation snapshot.
func (ins *inspector) refreshConvs() {
	s := ins.store
	ins.convs.rows, ins.convs.t0 = s.Convs()
	ins.convTable.SetTitle(" Conversations (" + thousands(uint64(ins.convs.rows.Len())) + ") — Enter: make current, jump to its first packet ")
}

// onConvEnter makes the conversation under the cursor the current one and
// selects its first packet.
func (ins *inspector) onConvEnter(row int) {
	if row < 1 || row > ins.convs.rows.Len() {
		return
	}
	rr := ins.convs.rows.At(row - 1)
	r := &rr
	ins.conv = decode.ConvRef{Proto: "tcp", Stream: r.ID}
	if r.Proto == 17 {
		ins.conv.Proto = "udp"
	}
	ins.hasConv = true
	if abs, ok := ins.store.Find(r.FirstFrame); ok {
		if vr, exact := ins.snap.row(abs); exact {
			ins.tail = false
			ins.list.selectRow(vr)
		}
	}
	ins.setMessage(ins.conv.String()+" is current: f follows it, l draws its ladder", false)
}

// startConvJob starts building the follow text or the ladder of the
// current conversation.
func (ins *inspector) startConvJob(pane string) {
	view := ins.follow
	if pane == paneLadder {
		view = ins.ladder
	}
	if !ins.hasConv {
		view.SetLines(nil)
		view.EmptyText = "Select a TCP or UDP packet (or a conversation with c, Enter) first."
		view.SetTitle(" " + pane + " ")
		return
	}
	ref := ins.conv
	ins.paneRef = ref
	view.SetLines(nil)
	view.EmptyText = "Reading " + ref.String() + "…"
	if pane == paneFollow {
		view.SetTitle(" Follow " + strings.ToUpper(ref.Proto) + " stream " + strconv.Itoa(ref.Stream) + " ")
		ins.startJob(paneFollow, func(ctx context.Context) { ins.runFollow(ctx, ref) })
	} else {
		view.SetTitle(" Ladder of " + ref.String() + " ")
		ins.startJob(paneLadder, func(ctx context.Context) { ins.runLadder(ctx, ref) })
	}
}

// convPackets returns the abs of the packets of conversation ref.
func (ins *inspector) convPackets(ref decode.ConvRef) []uint64 {
	return ins.store.ConvPackets(ref)
}

// Follow-stream limits: what the pane keeps of a long conversation.
const (
	followMaxBytes = 8 << 20
	followMaxLines = 100_000
	followLineLen  = 4096
)

// runFollow is the follow job: decode.TCPFollower or UDPFollower over the
// conversation's packets, their bytes as text (every byte that is not
// printable ASCII shown as '.', line breaks kept), A's in one colour, B's
// in another.
func (ins *inspector) runFollow(ctx context.Context, ref decode.ConvRef) {
	pkts := ins.convPackets(ref)
	var (
		lines []widgets.Line
		total int
		cut   bool
		line  []byte
		dir   = -1
	)
	flush := func() {
		if dir >= 0 && len(line) > 0 {
			st := insStyleA
			if dir == 1 {
				st = insStyleB
			}
			lines = append(lines, widgets.Line{Text: string(line), Style: st})
		}
		line = line[:0]
	}
	emit := func(c *decode.FollowChunk) error {
		if cut {
			return nil
		}
		if c.Dir != dir {
			flush()
			dir = c.Dir
		}
		if c.Missing > 0 {
			flush()
			lines = append(lines, widgets.Line{Text: "[" + strconv.Itoa(c.Missing) + " bytes missing from the capture]", Style: insStyleError})
			return nil
		}
		for _, b := range c.Data {
			switch {
			case b == '\n':
				flush()
			case b == '\r':
			case b < 0x20 || b > 0x7e:
				line = append(line, '.')
			default:
				line = append(line, b)
			}
			if len(line) >= followLineLen {
				flush()
			}
		}
		total += len(c.Data)
		if total > followMaxBytes || len(lines) > followMaxLines {
			flush()
			lines = append(lines, widgets.Line{Text: "[the rest is not shown: the pane keeps the first " + thousands(followMaxBytes) + " bytes]", Style: insStyleDim})
			cut = true
		}
		return nil
	}
	var fl decode.Follower
	if ref.Proto == "udp" {
		fl = decode.NewUDPFollower(emit)
	} else {
		fl = decode.NewTCPFollower(emit)
	}
	rd := store.NewReader()
	for i, abs := range pkts {
		if i&1023 == 0 && ctx.Err() != nil {
			return
		}
		if ins.store.Load(abs, rd) {
			fl.Add(&rd.Packet, rd.Dec.TransportPayload(&rd.Packet))
		}
	}
	fl.Close()
	flush()
	st := fl.Stats()
	a, b, _ := fl.Endpoints()
	head := []widgets.Line{
		{Text: "A " + a.String() + " → B " + b.String() + ":  A sent " + thousands(uint64(st.Bytes[0])) + " bytes in " + strconv.Itoa(st.Packets[0]) +
			" packets, B sent " + thousands(uint64(st.Bytes[1])) + " bytes in " + strconv.Itoa(st.Packets[1]) + " packets", Style: insStyleTitle},
		{Text: "A's bytes in this colour,", Style: insStyleA},
		{Text: "B's in this one; non-printable bytes show as '.'.", Style: insStyleB},
		{Text: ""},
	}
	if len(pkts) == 0 {
		head = []widgets.Line{{Text: "No packets of " + ref.String() + " are held.", Style: insStyleDim}}
	}
	lines = append(head, lines...)
	ins.queueDraw(ctx, func() {
		if ins.paneRef == ref {
			ins.follow.SetLines(lines)
			ins.follow.EmptyText = ""
		}
	})
}

// runLadder is the ladder job: decode.LadderBuilder over the
// conversation's packets, with the roles and events of a tracker that sees
// just this conversation (its analysis only ever depends on the
// conversation's own packets), drawn as decode.Ladder.WriteText draws it.
func (ins *inspector) runLadder(ctx context.Context, ref decode.ConvRef) {
	pkts := ins.convPackets(ref)
	b := decode.NewLadderBuilder(ref)
	rd := store.NewReader()
	fresh := decode.NewDecoder()
	var p decode.Packet
	for i, abs := range pkts {
		if i&1023 == 0 && ctx.Err() != nil {
			return
		}
		if !ins.store.Load(abs, rd) {
			continue
		}
		b.Add(&rd.Packet)
		fresh.Decode(&rd.Frame, rd.Packet.Number, &p)
	}
	var lines []widgets.Line
	if len(pkts) == 0 {
		lines = []widgets.Line{{Text: "No packets of " + ref.String() + " are held.", Style: insStyleDim}}
	} else {
		if conv, ok := fresh.Seq.TCPConversation(0); ok && ref.Proto == "tcp" {
			b.Summarize(&conv)
		}
		var buf bytes.Buffer
		b.Ladder().WriteText(&buf)
		for i, l := range strings.Split(strings.TrimRight(buf.String(), "\n"), "\n") {
			st := insStyleDefault
			switch {
			case i < 2:
				st = insStyleTitle
			case strings.Contains(l, "|<-- "):
				st = insStyleB
			case strings.Contains(l, "|-- "):
				st = insStyleA
			case strings.Contains(l, "* "):
				st = insStyleDim
			}
			lines = append(lines, widgets.Line{Text: l, Style: st})
		}
	}
	ins.queueDraw(ctx, func() {
		if ins.paneRef == ref {
			ins.ladder.SetLines(lines)
			ins.ladder.EmptyText = ""
		}
	})
}

// focusables are the panes Tab goes through, in order.
func (ins *inspector) focusables() []tview.Primitive {
	switch ins.pane {
	case paneConvs:
		return []tview.Primitive{ins.list, ins.convTable}
	case paneFollow:
		return []tview.Primitive{ins.list, ins.follow}
	case paneLadder:
		return []tview.Primitive{ins.list, ins.ladder}
	}
	return []tview.Primitive{ins.list, ins.details, ins.hex}
}

// cycleFocus moves the focus to the next (dir 1) or previous pane.
func (ins *inspector) cycleFocus(dir int) {
	ps := ins.focusables()
	cur := ins.app.GetFocus()
	i := 0
	for j, p := range ps {
		if p == cur {
			i = j
		}
	}
	ins.app.SetFocus(ps[(i+dir+len(ps))%len(ps)])
}
