package timeline

import (
	"strconv"
	"strings"

	"github.com/sockscope/sockscope/decode"
)

// quoteCut shows bytes from the wire or a program as a Go string literal
// (control bytes, invalid UTF-8 and format characters escaped), cut after about max bytes (never inside
// a UTF-8 sequence) with "…"; "" for none.
func quoteCut(b []byte, max int) string {
	if len(b) == 0 {
		return ""
	}
	cut := false
	if len(b) > max {
		b, cut = b[:max], true
		for len(b) > 0 && b[len(b)-1]&0xc0 == 0x80 { // don't split a UTF-8 sequence
			b = b[:len(b)-1]
		}
		if len(b) > 0 && b[len(b)-1] >= 0xc0 {
			b = b[:len(b)-1]
		}
	}
	q := strconv.Quote(string(b)) // as the calls' arguments are shown

	if cut {
		q += "…"
	}
	return q
}

// Quote is quoteCut for the views: the bytes waiting in a buffer, escaped
// and cut after max bytes.
func Quote(b []byte, max int) string { return quoteCut(b, max) }

// tcpFlagNames in the order people say them: SYN/ACK, PSH/ACK, FIN/ACK.
var tcpFlagNames = []struct {
	bit  uint16
	name string
}{
	{decode.TCPFin, "FIN"}, {decode.TCPSyn, "SYN"}, {decode.TCPRst, "RST"}, {decode.TCPPsh, "PSH"},
	{decode.TCPAck, "ACK"}, {decode.TCPUrg, "URG"}, {decode.TCPEce, "ECE"}, {decode.TCPCwr, "CWR"},
}

// frameLabel is an arrow's text: expert flags, TCP flags, relative
// seq/ack, the window where it is the point, length and the start of the
// payload.
func frameLabel(p *decode.Packet, preview string) string {
	var b strings.Builder
	if p.Analysis.Flags != 0 {
		q := *p // only the expert markers, not the state changes
		q.Analysis.SrcChanged, q.Analysis.DstChanged = false, false
		b.WriteString(strings.TrimSpace(string(decode.AppendAnalysisMarkers(nil, &q))))
		b.WriteByte(' ')
	}
	switch {
	case p.IsTCP():
		n := 0
		for _, f := range tcpFlagNames {
			if p.TCPFlags&f.bit != 0 {
				if n > 0 {
					b.WriteByte('/')
				}
				b.WriteString(f.name)
				n++
			}
		}
		if n == 0 {
			b.WriteString("<none>")
		}
		b.WriteString(" seq=")
		b.WriteString(strconv.FormatUint(uint64(p.Rel.Seq), 10))
		if p.TCPFlags&decode.TCPAck != 0 {
			b.WriteString(" ack=")
			b.WriteString(strconv.FormatUint(uint64(p.Rel.Ack), 10))
		}
		if p.Analysis.Flags&(decode.ExpertZeroWindow|decode.ExpertWindowUpdate|decode.ExpertWindowFull|decode.ExpertZeroWindowProbe) != 0 {
			b.WriteString(" win=")
			b.WriteString(strconv.FormatUint(uint64(p.Analysis.WindowSize), 10))
		}
		b.WriteString(" len=")
		b.WriteString(strconv.Itoa(p.PayloadLen))
	case p.IsUDP():
		if isBroadcast(p.Dst) {
			b.WriteString("broadcast ")
		}
		b.WriteString("UDP len=")
		b.WriteString(strconv.Itoa(p.PayloadLen))
	default:
		return string(decode.AppendSummary(nil, p))
	}
	if preview != "" {
		b.WriteByte(' ')
		b.WriteString(preview)
	}
	return b.String()
}
