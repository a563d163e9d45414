package inspector

import (
	"strconv"
	"strings"

	"github.com/gdamore/tcell/v2"

	"github.com/sockscope/sockscope/decode"
	"github.com/sockscope/sockscope/decode/store"
)

// packetTable formats the packet list's rows from the store: a row is
// formatted the first time it is drawn — its frame read again and decoded
// — and kept in a small cache; records never change, so neither do rows.
type packetTable struct {
	s     *store.Store
	snap  *viewSnap
	rd    *store.Reader
	cache map[uint64]*pktRow
	buf   []byte
}

// The list's columns.
const (
	colNo = iota
	colTime
	colSrc
	colDst
	colProto
	colLen
	colInfo
	numCols
)

var colTitles = [numCols]string{"No.", "Time", "Source", "Destination", "Protocol", "Length", "Info"}

// colTitlesZH are the column titles in 中文 (Wireshark's Chinese names).
var colTitlesZH = [numCols]string{"序号", "时间", "源地址", "目的地址", "协议", "长度", "信息"}

// pktRow is one formatted row: printable text (control characters already
// shown as '.') and the row's colour.
type pktRow struct {
	text  [numCols]string
	style tcell.Style
	ascii bool // every text is ASCII: drawn byte by byte
}

// rowCacheSize bounds the formatted rows kept (a few screens).
const rowCacheSize = 4096

func newPacketTable(s *store.Store) *packetTable {
	return &packetTable{s: s, rd: store.NewReader(), cache: map[uint64]*pktRow{}}
}

// row returns the formatted row of packet abs.
func (t *packetTable) row(abs uint64) *pktRow {
	r := t.cache[abs]
	if r == nil {
		r = t.build(abs)
		if len(t.cache) >= rowCacheSize {
			clear(t.cache)
		}
		t.cache[abs] = r
	}
	return r
}

// build formats packet abs.
func (t *packetTable) build(abs uint64) *pktRow {
	r := &pktRow{style: insStyleDim}
	if !t.s.Load(abs, t.rd) {
		r.text[colInfo] = "(no longer held)"
		r.ascii = true
		return r
	}
	p := &t.rd.Packet
	r.style = rowStyle(p)
	r.text[colNo] = strconv.Itoa(p.Number)
	r.text[colTime] = t.relTime(p)
	r.text[colSrc], r.text[colDst] = endpoints(p)
	r.text[colProto] = protoName(p)
	r.text[colLen] = strconv.Itoa(p.Len)
	r.text[colInfo] = decode.Printable(t.info(p))
	if t.rd.Frame.HasComment() {
		r.text[colInfo] = commentMark + r.text[colInfo]
	}
	r.ascii = true
	for i, s := range r.text {
		if i != colInfo {
			r.text[i] = decode.Printable(s)
		}
		for j := 0; j < len(r.text[i]); j++ {
			if r.text[i][j] >= 0x80 {
				r.ascii = false
			}
		}
	}
	return r
}

// info is the Info column: the text printer's line with Wireshark's
// expert markers ("[TCP Dup ACK 12#1]", "[TCP Retransmission]") moved to
// the front, as Wireshark shows them, so that a narrow column still shows
// them; the endpoint-state notes ("{client ESTABLISHED}") stay at the end.
func (t *packetTable) info(p *decode.Packet) string {
	t.buf = decode.AppendSummary(t.buf[:0], p)
	if p.Layers&decode.LayerTCP == 0 || p.Analysis.Flags == 0 {
		return string(t.buf)
	}
	var experts, states decode.Packet
	experts.Analysis.Flags = p.Analysis.Flags
	experts.Analysis.DupAckNum, experts.Analysis.DupAckFrame = p.Analysis.DupAckNum, p.Analysis.DupAckFrame
	states.Analysis = p.Analysis
	states.Analysis.Flags = 0
	e := string(decode.AppendAnalysisMarkers(nil, &experts))
	st := string(decode.AppendAnalysisMarkers(nil, &states))
	line := string(t.buf)
	if !strings.HasSuffix(line, e+st) {
		return line
	}
	return strings.TrimPrefix(e, " ") + " " + line[:len(line)-len(e+st)] + st
}

// relTime is the time since the first packet, in seconds.
func (t *packetTable) relTime(p *decode.Packet) string {
	if p.NoTime {
		return ""
	}
	t0, ok := t.s.T0()
	if !ok {
		return ""
	}
	d := p.Sec*1e9 + p.Nsec - t0
	neg := d < 0
	if neg {
		d = -d
	}
	s := strconv.FormatInt(d/1e9, 10) + "." + pad6(d%1e9/1e3)
	if neg {
		s = "-" + s
	}
	return s
}

func pad6(us int64) string {
	s := strconv.FormatInt(us, 10)
	for len(s) < 6 {
		s = "0" + s
	}
	return s
}

// endpoints are the Source and Destination columns: IP addresses, else
// ARP's protocol addresses, else MAC addresses.
func endpoints(p *decode.Packet) (string, string) {
	switch {
	case p.Src.IsValid():
		return p.Src.String(), p.Dst.String()
	case p.Layers&decode.LayerARP != 0 && p.ARPSPA.IsValid():
		return string(decode.AppendMAC(nil, p.ARPSHA)), p.ARPTPA.String()
	case p.Layers&decode.LayerEthernet != 0:
		return string(decode.AppendMAC(nil, p.EthSrc)), string(decode.AppendMAC(nil, p.EthDst))
	}
	return "", ""
}

// protoName is the Protocol column: the innermost protocol decoded.
func protoName(p *decode.Packet) string {
	switch l := p.Layers; {
	case l&decode.LayerDNS != 0:
		return "DNS"
	case l&decode.LayerTCP != 0:
		return "TCP"
	case l&decode.LayerUDP != 0:
		return "UDP"
	case l&decode.LayerICMPv6 != 0:
		return "ICMPv6"
	case l&decode.LayerICMPv4 != 0:
		return "ICMP"
	case l&decode.LayerARP != 0:
		return "ARP"
	case l&decode.LayerIPv6 != 0:
		return "IPv6"
	case l&decode.LayerIPv4 != 0:
		return "IPv4"
	case l&decode.LayerEthernet != 0:
		return "Ethernet"
	case l&(decode.LayerSLL|decode.LayerSLL2) != 0:
		return "SLL"
	}
	return "Frame"
}

// Row colours, by kind (after Wireshark's default colouring rules).
var (
	rowBad     = tcell.StyleDefault.Foreground(tcell.ColorRed)
	rowRST     = tcell.StyleDefault.Foreground(tcell.ColorOrangeRed)
	rowSYNFIN  = tcell.StyleDefault.Foreground(tcell.ColorDarkGray)
	rowTCP     = tcell.StyleDefault.Foreground(tcell.ColorLavender)
	rowUDP     = tcell.StyleDefault.Foreground(tcell.ColorLightSkyBlue)
	rowDNS     = tcell.StyleDefault.Foreground(tcell.ColorAqua)
	rowICMP    = tcell.StyleDefault.Foreground(tcell.ColorPink)
	rowARP     = tcell.StyleDefault.Foreground(tcell.ColorKhaki)
	rowDefault = tcell.StyleDefault
)

func rowStyle(p *decode.Packet) tcell.Style {
	l := p.Layers
	switch {
	case p.Malformed:
		return rowBad.Bold(true)
	case l&decode.LayerTCP != 0 && p.Analysis.Flags&^(decode.ExpertWindowUpdate|decode.ExpertKeepAlive|decode.ExpertKeepAliveAck) != 0:
		return rowBad
	case l&decode.LayerTCP != 0 && p.TCPFlags&decode.TCPRst != 0:
		return rowRST
	case l&decode.LayerTCP != 0 && p.TCPFlags&(decode.TCPSyn|decode.TCPFin) != 0:
		return rowSYNFIN
	case l&decode.LayerDNS != 0:
		return rowDNS
	case l&decode.LayerTCP != 0:
		return rowTCP
	case l&decode.LayerUDP != 0:
		return rowUDP
	case l&(decode.LayerICMPv4|decode.LayerICMPv6) != 0:
		return rowICMP
	case l&decode.LayerARP != 0:
		return rowARP
	}
	return rowDefault
}
