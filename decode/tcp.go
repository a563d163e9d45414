package decode

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
)

// TCP (RFC 9293): its fields and JSON, tcpdump's line for a segment and
// its node in the details pane. The connection tracker is in tcp_*.go.

func init() {
	tcp := func(p *Packet) bool { return p.Layers&LayerTCP != 0 }
	// An ICMP error quoting a TCP header has its ports under the same
	// names, as Wireshark decodes the quoted datagram.
	quoted := quotes(6)
	ports := func(p *Packet) bool { return tcp(p) || quoted(p) }
	port := func(own, q func(p *Packet) uint16) func(p *Packet) uint64 {
		return func(p *Packet) uint64 {
			if tcp(p) {
				return uint64(own(p))
			}
			return uint64(q(p))
		}
	}
	whole := func(p *Packet) bool { return !p.MoreFragments() }
	fields := []ProtoField{
		{Name: "tcp.srcport", Label: "Source Port", Alone: true, Has: ports,
			Num: port(func(p *Packet) uint16 { return p.SrcPort }, func(p *Packet) uint16 { return p.Quote.SrcPort })},
		{Name: "tcp.dstport", Label: "Destination Port", Alone: true, Has: ports,
			Num: port(func(p *Packet) uint16 { return p.DstPort }, func(p *Packet) uint16 { return p.Quote.DstPort })},
		{Name: "tcp.port", Pair: [2]string{"tcp.srcport", "tcp.dstport"}},
		{Name: "tcp.stream", Label: "Stream index", Num: func(p *Packet) uint64 { return uint64(p.Rel.Stream) }},
		{Name: "tcp.flags", Label: "Flags", Num: func(p *Packet) uint64 { return uint64(p.TCPFlags) }},
	}
	for _, f := range tcpFlagBits {
		bit := f.bit
		fields = append(fields, ProtoField{Name: "tcp.flags." + f.field, Label: f.name, FilterOnly: true,
			Num: func(p *Packet) uint64 { return uint64(boolInt(p.TCPFlags&bit != 0)) }})
	}
	fields = append(fields, []ProtoField{
		{Name: "tcp.flags.res", Label: "Reserved", FilterOnly: true, Num: func(p *Packet) uint64 { return uint64(p.TCPFlags & TCPReserved >> 9) }},
		{Name: "tcp.seq", Label: "Sequence Number", Num: func(p *Packet) uint64 { return uint64(p.Rel.Seq) }},
		{Name: "tcp.ack", Label: "Acknowledgment Number", Num: func(p *Packet) uint64 { return uint64(p.Rel.Ack) }},
		{Name: "tcp.seq_raw", Label: "Sequence Number (raw)", Num: func(p *Packet) uint64 { return uint64(p.Seq) }},
		{Name: "tcp.ack_raw", Label: "Acknowledgment number (raw)", Num: func(p *Packet) uint64 { return uint64(p.Ack) }},
		// In a first fragment the segment's length is unknown: the IP
		// length covers only this fragment. Wireshark leaves them out too.
		{Name: "tcp.len", Label: "TCP Segment Len", Has: whole, Num: func(p *Packet) uint64 { return uint64(p.PayloadLen) }},
		{Name: "tcp.nxtseq", Label: "Next Sequence Number", Has: whole, Num: func(p *Packet) uint64 { return uint64(p.Rel.NextSeq) }},
		{Name: "tcp.hdr_len", Label: "Header Length", Num: func(p *Packet) uint64 { return uint64(p.TCPHdrLen) }},
		{Name: "tcp.window_size_value", Label: "Window", Num: func(p *Packet) uint64 { return uint64(p.Window) }},
		{Name: "tcp.window_size", Label: "Calculated window size", Num: func(p *Packet) uint64 { return uint64(p.Analysis.WindowSize) }},
		{Name: "tcp.urgent_pointer", Label: "Urgent Pointer", Has: func(p *Packet) bool { return p.TCPFlags&TCPUrg != 0 },
			Num: func(p *Packet) uint64 { return uint64(p.Urgent) }},
		{Name: "tcp.options.mss_val", Label: "Maximum segment size", Has: func(p *Packet) bool { return p.TCPOptions.HasMSS },
			Num: func(p *Packet) uint64 { return uint64(p.TCPOptions.MSS) }},
		{Name: "tcp.options.wscale.shift", Label: "Window scale", Has: func(p *Packet) bool { return p.TCPOptions.HasWS },
			Num: func(p *Packet) uint64 { return uint64(p.TCPOptions.WScale) }},
		{Name: "tcp.options.sack_perm", Label: "SACK permitted", Has: func(p *Packet) bool { return p.TCPOptions.SACKPerm },
			Num: func(p *Packet) uint64 { return 1 }},
		{Name: "tcp.options.timestamp.tsval", Label: "TSval", Has: func(p *Packet) bool { return p.TCPOptions.HasTS },
			Num: func(p *Packet) uint64 { return uint64(p.TCPOptions.TSVal) }},
		{Name: "tcp.options.timestamp.tsecr", Label: "TSecr", Has: func(p *Packet) bool { return p.TCPOptions.HasTS },
			Num: func(p *Packet) uint64 { return uint64(p.TCPOptions.TSEcr) }},
		{Name: "tcp.options.sack.count", Label: "SACK", Has: func(p *Packet) bool { return p.TCPOptions.NSACK > 0 },
			Num: func(p *Packet) uint64 { return uint64(p.TCPOptions.NSACK) }},
	}...)
	for i, e := range tcpExperts {
		bit := Expert(1 << i)
		fields = append(fields, ProtoField{Name: e.field, Label: e.text, Has: func(p *Packet) bool { return expertSet(p, bit) },
			Num: func(*Packet) uint64 { return 1 }})
	}
	dup := func(p *Packet) bool { return p.Analysis.Flags != 0 && p.Analysis.DupAckNum != 0 }
	fields = append(fields, []ProtoField{
		{Name: "tcp.analysis.flags", Label: "TCP Analysis Flags", FilterOnly: true, Has: func(p *Packet) bool { return p.Analysis.Flags != 0 },
			Num: func(*Packet) uint64 { return 1 }},
		{Name: "tcp.analysis.duplicate_ack_num", Label: "Duplicate ACK #", Has: dup, Num: func(p *Packet) uint64 { return uint64(p.Analysis.DupAckNum) }},
		{Name: "tcp.analysis.duplicate_ack_frame", Label: "of frame", Has: dup, Num: func(p *Packet) uint64 { return uint64(p.Analysis.DupAckFrame) }},
		{Name: "tcp.analysis.acks_frame", Label: "This is an ACK to the segment in frame", Has: func(p *Packet) bool { return p.Analysis.AcksFrame != 0 },
			Num: func(p *Packet) uint64 { return uint64(p.Analysis.AcksFrame) }},
		// sockscope's own: the endpoints' RFC 9293 states where they changed.
		{Name: "tcp.state.src", Label: "Endpoint states after this segment", Kind: FieldString, Has: func(p *Packet) bool { return p.Analysis.SrcChanged },
			Str: func(p *Packet) string { return p.Analysis.SrcState.String() }},
		{Name: "tcp.state.dst", Label: "Endpoint states after this segment", Kind: FieldString, Has: func(p *Packet) bool { return p.Analysis.DstChanged },
			Str: func(p *Packet) string { return p.Analysis.DstState.String() }},
	}...)
	registerProto(&Proto{Name: "tcp", Title: "Transmission Control Protocol", Order: 110,
		Layer: LayerTCP | LayerICMPv4 | LayerICMPv6, Has: tcp,
		Gopacket: "TCP", Node: tcpNode, JSON: appendTCPJSON, Fields: fields})
}

// tcpFlagBits are the flags in the order Wireshark lists them, with their
// bit in the 12-bit field and their display field (tcp.flags.<field>).
var tcpFlagBits = [...]struct {
	bit         uint16
	name, field string
}{
	{TCPAE, "Accurate ECN", "ae"}, {TCPCwr, "Congestion Window Reduced", "cwr"}, {TCPEce, "ECN-Echo", "ece"},
	{TCPUrg, "Urgent", "urg"}, {TCPAck, "Acknowledgment", "ack"}, {TCPPsh, "Push", "push"}, {TCPRst, "Reset", "reset"},
	{TCPSyn, "Syn", "syn"}, {TCPFin, "Fin", "fin"},
}

// tcpExperts are the Expert bits in bit order: Wireshark's field and its
// expert-info message.
var tcpExperts = [...]struct{ field, text string }{
	{"tcp.analysis.retransmission", "This frame is a (suspected) retransmission"},
	{"tcp.analysis.fast_retransmission", "This frame is a (suspected) fast retransmission"},
	{"tcp.analysis.spurious_retransmission", "This frame is a (suspected) spurious retransmission"},
	{"tcp.analysis.duplicate_ack", "Duplicate ACK"},
	{"tcp.analysis.out_of_order", "This frame is a (suspected) out-of-order segment"},
	{"tcp.analysis.lost_segment", "Previous segment(s) not captured (common at capture start)"},
	{"tcp.analysis.ack_lost_segment", "ACKed segment that wasn't captured (common at capture start)"},
	{"tcp.analysis.zero_window", "TCP Zero Window segment"},
	{"tcp.analysis.zero_window_probe", "TCP Zero Window Probe"},
	{"tcp.analysis.zero_window_probe_ack", "TCP Zero Window Probe ACK"},
	{"tcp.analysis.window_full", "TCP window specified by the receiver is now completely full"},
	{"tcp.analysis.window_update", "TCP window update"},
	{"tcp.analysis.keep_alive", "TCP keep-alive segment"},
	{"tcp.analysis.keep_alive_ack", "TCP keep-alive ACK"},
	{"tcp.analysis.reused_ports", "A new tcp session is started with the same ports as an earlier session in this trace"},
}

// expertKeys are the JSON keys of tcpExperts, made once.
var expertKeys = func() (k [len(tcpExperts)]string) {
	for i, e := range tcpExperts {
		k[i] = `"` + e.field + `":`
	}
	return k
}()

// expertSet reports whether expert flag bit is set as AppendJSON writes it:
// every kind of retransmission also sets tcp.analysis.retransmission.
func expertSet(p *Packet, bit Expert) bool {
	f := p.Analysis.Flags
	if f != 0 && p.Analysis.IsRetransmission() {
		f |= ExpertRetransmission
	}
	return f&bit != 0
}

// tcpFlagLetters are tcp_flag_values in tcpdump's order: F S R P . U E W.
const tcpFlagLetters = "FSRP.UEW"

func appendTCP(dst []byte, p *Packet, withAddrs bool) []byte {
	dst = appendPorts(dst, p, withAddrs)
	ipLen, haveIPLen := ipPayloadLen(p)
	hlen := int(p.TCPHdrLen)
	if hlen < 20 {
		dst = append(dst, " tcp "...)
		dst = txtInt(dst, ipLen-hlen)
		dst = append(dst, " [bad hdr length "...)
		dst = txtInt(dst, hlen)
		return append(dst, " - too short, < 20]"...)
	}
	flags := p.TCPFlags
	dst = append(dst, "Flags ["...)
	if flags&0xff == 0 {
		dst = append(dst, "none"...)
	} else {
		for i := 0; i < 8; i++ {
			if flags&(1<<i) != 0 {
				dst = append(dst, tcpFlagLetters[i])
			}
		}
	}
	dst = append(dst, ']')
	if haveIPLen && hlen > ipLen {
		dst = append(dst, " [bad hdr length "...)
		dst = txtInt(dst, hlen)
		dst = append(dst, " - too long, > "...)
		dst = txtInt(dst, ipLen)
		return append(dst, ']')
	}

	// Sequence numbers as tcpdump prints them: relative once the
	// conversation's bases are known (decode/seq.go), absolute before.
	seq, ack := p.Seq, p.Ack
	if p.Rel.TDRelative {
		seq, ack = p.Rel.TDSeq, p.Rel.TDAck
	}
	length := p.PayloadLen
	if length > 0 || flags&(TCPSyn|TCPFin|TCPRst) != 0 {
		dst = append(dst, ", seq "...)
		dst = txtUint(dst, uint64(seq))
		if length > 0 {
			dst = append(dst, ':')
			dst = txtUint(dst, uint64(seq+uint32(length)))
		}
	}
	if flags&TCPAck != 0 {
		dst = append(dst, ", ack "...)
		dst = txtUint(dst, uint64(ack))
	}
	dst = append(dst, ", win "...)
	dst = txtUint(dst, uint64(p.Window))
	if flags&TCPUrg != 0 {
		dst = append(dst, ", urg "...)
		dst = txtUint(dst, uint64(p.Urgent))
	}
	o := &p.TCPOptions
	if o.Bad && p.Truncated && o.NKinds == 0 {
		// The header was cut off by the snap length before its options.
		return append(dst, " [|tcp]"...)
	}
	if hlen > 20 {
		var ok bool
		dst, ok = appendTCPOptions(dst, p)
		if !ok {
			return dst
		}
	}
	dst = append(dst, ", length "...)
	dst = txtInt(dst, length)
	if length == 0 {
		return dst
	}
	switch app := tcpApp(p.SrcPort, p.DstPort); {
	case app == "HTTP" && p.App == AppHTTP, app == "" && p.App == AppTLS:
		// HTTP's first line, as tcpdump prints it; a TLS ClientHello's
		// server name, which tcpdump does not print.
		dst = append(dst, ": "...)
		dst = append(dst, p.AppLine()...)
	case app == "DNS":
		if p.Layers&LayerDNS != 0 && length > 2 {
			dst = append(dst, ' ')
			dst = appendDNS(dst, p, length-2, false)
		}
	case app == "":
	default:
		// The text protocols' printers start with the protocol's name
		// and go on with the first line of the payload, which is not kept.
		dst = append(dst, ": "...)
		dst = append(dst, app...)
	}
	return dst
}

// tcpApp names the payload printer tcp_print picks by port, in its order,
// for the ones whose output sockscope reproduces: the text protocols' name
// and DNS. "" is any other, or none.
func tcpApp(sport, dport uint16) string {
	either := func(port uint16) bool { return sport == port || dport == port }
	switch {
	case either(23): // telnet
		return ""
	case either(25):
		return "SMTP"
	case either(43):
		return "WHOIS"
	case either(179), either(1723), either(6379), either(22), either(10288),
		either(6633), either(6653): // BGP, PPTP, RESP, SSH, BEEP, OpenFlow
		return ""
	case either(21):
		return "FTP"
	case either(80), either(8080):
		return "HTTP"
	case either(554), either(8554):
		return "RTSP"
	case either(53):
		return "DNS"
	}
	return ""
}

// appendTCPOptions appends ", options [...]". It returns false after a
// malformed option, where tcpdump stops the line at "[bad opt]".
func appendTCPOptions(dst []byte, p *Packet) ([]byte, bool) {
	o := &p.TCPOptions
	if o.NKinds == 3 && !o.Bad && o.HasTS && o.Kinds[0] == OptNOP && o.Kinds[1] == OptNOP && o.Kinds[2] == OptTimestamp {
		// Nearly every Linux segment after the handshake: what the
		// loop below writes for these three options, in one constant.
		dst = append(dst, ", options [nop,nop,TS val "...)
		dst = txtUint(dst, uint64(o.TSVal))
		dst = append(dst, " ecr "...)
		dst = txtUint(dst, uint64(o.TSEcr))
		return append(dst, ']'), true
	}
	n := int(o.NKinds)
	if n > len(o.Kinds) {
		n = len(o.Kinds)
	}
	bad := o.Bad
	if bad && n > 0 {
		n-- // gopacket records the kind of the option it failed on
	}
	dst = append(dst, ", options ["...)
	sackDone := false
	for i := 0; i < n; i++ {
		if i > 0 {
			dst = append(dst, ',')
		}
		kind := o.Kinds[i]
		name, known := tcpOptionName(kind)
		if !known {
			dst = append(dst, "unknown-"...)
			dst = txtUint(dst, uint64(kind))
			continue
		}
		dst = append(dst, name...)
		switch kind {
		case OptMSS:
			if o.HasMSS {
				dst = append(dst, ' ')
				dst = txtUint(dst, uint64(o.MSS))
			}
		case OptWScale:
			if o.HasWS {
				dst = append(dst, ' ')
				dst = txtUint(dst, uint64(o.WScale))
			}
		case OptTimestamp:
			if o.HasTS {
				dst = append(dst, " val "...)
				dst = txtUint(dst, uint64(o.TSVal))
				dst = append(dst, " ecr "...)
				dst = txtUint(dst, uint64(o.TSEcr))
			}
		case OptSACK:
			if sackDone {
				break
			}
			sackDone = true
			dst = appendSACK(dst, p)
		}
	}
	if bad {
		if n > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, "[bad opt]"...)
		if n > 0 {
			dst = append(dst, ']')
		}
		return dst, false
	}
	return append(dst, ']'), true
}

// appendSACK appends " N {l:r}...". tcpdump makes the edges relative to the
// base its ack is relative to; that base is set on a segment with ACK set,
// including the first one of a conversation (whose ack itself is printed
// absolute); without ACK the edges are raw.
func appendSACK(dst []byte, p *Packet) []byte {
	o := &p.TCPOptions
	var base uint32
	if p.TCPFlags&TCPAck != 0 {
		switch {
		case p.Rel.TDRelative:
			base = p.Ack - p.Rel.TDAck
		case p.Rel.TDSeq == p.Seq && p.Rel.TDAck == p.Ack:
			base = p.Ack - 1
		}
	}
	dst = append(dst, ' ')
	dst = txtUint(dst, uint64(o.NSACK))
	dst = append(dst, ' ')
	for i := 0; i < int(o.NSACK) && i < len(o.SACK); i++ {
		dst = append(dst, '{')
		dst = txtUint(dst, uint64(o.SACK[i][0]-base))
		dst = append(dst, ':')
		dst = txtUint(dst, uint64(o.SACK[i][1]-base))
		dst = append(dst, '}')
	}
	return dst
}

// bitPicture draws bit (of 12) as Wireshark does: ".... ...1 .... = ".
func bitPicture(bit uint16, set bool) string {
	var sb strings.Builder
	for i := 11; i >= 0; i-- {
		switch {
		case uint16(1)<<i == bit && set:
			sb.WriteByte('1')
		case uint16(1)<<i == bit:
			sb.WriteByte('0')
		default:
			sb.WriteByte('.')
		}
		if i%4 == 0 && i > 0 {
			sb.WriteByte(' ')
		}
	}
	return sb.String()
}

// tcpFlagList names the flags set, lowest bit first ("PSH, ACK").
func tcpFlagList(f uint16) string {
	var names []string
	for i, name := range tcpFlagNames {
		if f&(1<<i) != 0 {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

func tcpNode(b *detailBuilder, o int, l gopacket.Layer) DetailNode {
	v := l.(*layers.TCP)
	p := b.p
	hl := len(v.Contents)
	var flags uint16
	for _, f := range [...]struct {
		set bool
		bit uint16
	}{{v.FIN, TCPFin}, {v.SYN, TCPSyn}, {v.RST, TCPRst}, {v.PSH, TCPPsh}, {v.ACK, TCPAck}, {v.URG, TCPUrg}, {v.ECE, TCPEce}, {v.CWR, TCPCwr}, {v.NS, TCPAE}} {
		if f.set {
			flags |= f.bit
		}
	}
	tracked := p.IsTCP() && p.SrcPort == uint16(v.SrcPort) && p.DstPort == uint16(v.DstPort) && p.Seq == v.Seq
	segLen := len(v.Payload)
	if tracked {
		segLen = p.PayloadLen
	}
	var n DetailNode
	if tracked {
		n = node(o, hl, "Transmission Control Protocol, Src Port: %d, Dst Port: %d, Seq: %d, Ack: %d, Len: %d",
			v.SrcPort, v.DstPort, p.Rel.Seq, p.Rel.Ack, segLen)
	} else {
		n = node(o, hl, "Transmission Control Protocol, Src Port: %d, Dst Port: %d, Seq: %d, Ack: %d, Len: %d",
			v.SrcPort, v.DstPort, v.Seq, v.Ack, segLen)
	}
	c := []DetailNode{
		node(o, 2, "%s: %d", b.label("tcp.srcport"), v.SrcPort),
		node(o+2, 2, "%s: %d", b.label("tcp.dstport"), v.DstPort),
	}
	if tracked {
		c = append(c, node(0, 0, "[%s: %d]", b.label("tcp.stream"), p.Rel.Stream))
	}
	c = append(c, node(0, 0, "[%s: %d]", b.label("tcp.len"), segLen))
	if tracked {
		c = append(c,
			node(o+4, 4, "%s: %d    (relative sequence number)", b.label("tcp.seq"), p.Rel.Seq),
			node(o+4, 4, "%s: %d", b.label("tcp.seq_raw"), v.Seq),
			node(0, 0, "[%s: %d    (relative sequence number)]", b.label("tcp.nxtseq"), p.Rel.NextSeq))
		if v.ACK {
			c = append(c, node(o+8, 4, "%s: %d    (relative ack number)", b.label("tcp.ack"), p.Rel.Ack))
		} else {
			c = append(c, node(o+8, 4, "%s: 0", b.label("tcp.ack")))
		}
		c = append(c, node(o+8, 4, "%s: %d", b.label("tcp.ack_raw"), v.Ack))
	} else {
		c = append(c, node(o+4, 4, "%s: %d", b.label("tcp.seq_raw"), v.Seq), node(o+8, 4, "%s: %d", b.label("tcp.ack_raw"), v.Ack))
	}
	c = append(c, node(o+12, 1, "%04b .... = %s: %d bytes (%d)", v.DataOffset, b.label("tcp.hdr_len"), int(v.DataOffset)*4, v.DataOffset))
	fl := node(o+12, 2, "%s: 0x%03x (%s)", b.label("tcp.flags"), flags, tcpFlagList(flags))
	fl.Children = append(fl.Children, node(o+12, 1, "000. .... .... = %s: Not set", b.label("tcp.flags.res")))
	for _, f := range tcpFlagBits {
		fl.Children = append(fl.Children, node(o+12, 2, "%s = %s: %s", bitPicture(f.bit, flags&f.bit != 0), b.label("tcp.flags."+f.field), setLabel(flags&f.bit != 0)))
	}
	c = append(c, fl, node(o+14, 2, "%s: %d", b.label("tcp.window_size_value"), v.Window))
	if tracked {
		c = append(c, node(0, 0, "[%s: %d]", b.label("tcp.window_size"), p.Analysis.WindowSize))
		if p.Analysis.WindowScaled && v.Window != 0 && !v.SYN {
			c = append(c, node(0, 0, "[Window size scaling factor: %d]", p.Analysis.WindowSize/uint32(v.Window)))
		}
	}
	c = append(c, node(o+16, 2, "Checksum: 0x%04x [unverified]", v.Checksum), node(o+18, 2, "%s: %d", b.label("tcp.urgent_pointer"), v.Urgent))
	if hl > 20 {
		c = append(c, b.tcpOptions(o+20, hl-20, v.Options))
	}
	if tracked {
		if a := &p.Analysis; a.SrcChanged || a.DstChanged {
			st := node(0, 0, "[%s: %s %s, %s %s]", b.label("tcp.state.src"), a.SrcRole, a.SrcState, a.DstRole, a.DstState)
			c = append(c, st)
		}
		if an := b.seqAnalysis(); an.Label != "" {
			c = append(c, an)
		}
	}
	if len(v.Payload) > 0 {
		c = append(c, node(o+hl, len(v.Payload), "TCP payload (%d bytes)", len(v.Payload)))
	}
	n.Children = c
	return n
}

func (b *detailBuilder) seqAnalysis() DetailNode {
	a := &b.p.Analysis
	if a.AcksFrame == 0 && a.Flags == 0 {
		return DetailNode{}
	}
	n := DetailNode{Label: "[SEQ/ACK analysis]"}
	if a.AcksFrame != 0 {
		n.Children = append(n.Children, node(0, 0, "[%s: %d]", b.label("tcp.analysis.acks_frame"), a.AcksFrame))
	}
	if a.Flags != 0 {
		f := node(0, 0, "[%s]", b.label("tcp.analysis.flags"))
		for i, e := range tcpExperts {
			if !expertSet(b.p, Expert(1<<i)) { // as JSON: every kind of retransmission is one
				continue
			}
			if Expert(1<<i) == ExpertDuplicateAck {
				f.Children = append(f.Children, node(0, 0, "[%s%d %s %d]", b.label("tcp.analysis.duplicate_ack_num"), a.DupAckNum,
					b.label("tcp.analysis.duplicate_ack_frame"), a.DupAckFrame))
				continue
			}
			f.Children = append(f.Children, node(0, 0, "[%s]", b.label(e.field)))
		}
		n.Children = append(n.Children, f)
	}
	return n
}

func (b *detailBuilder) tcpOptions(o, n int, opts []layers.TCPOption) DetailNode {
	var kinds []string
	node0 := DetailNode{Off: o, Len: n}
	off := o
	for _, op := range opts {
		l := int(op.OptionLength)
		if op.OptionType == layers.TCPOptionKindEndList || op.OptionType == layers.TCPOptionKindNop {
			l = 1
		}
		var label string
		d := op.OptionData
		switch uint8(op.OptionType) {
		case OptEOL:
			label = "TCP Option - End of Option List (EOL)"
		case OptNOP:
			label = "TCP Option - No-Operation (NOP)"
		case OptMSS:
			if len(d) == 2 {
				label = fmt.Sprintf("TCP Option - %s: %d bytes", b.label("tcp.options.mss_val"), int(d[0])<<8|int(d[1]))
			}
		case OptWScale:
			if len(d) == 1 {
				label = fmt.Sprintf("TCP Option - %s: %d (multiply by %d)", b.label("tcp.options.wscale.shift"), d[0], 1<<min(d[0], 14))
			}
		case OptSACKPerm:
			label = "TCP Option - " + b.label("tcp.options.sack_perm")
		case OptSACK:
			var edges []string
			for i := 0; i+8 <= len(d); i += 8 {
				edges = append(edges, fmt.Sprintf("%d-%d", be32(d[i:]), be32(d[i+4:])))
			}
			label = "TCP Option - " + b.label("tcp.options.sack.count") + " " + strings.Join(edges, " ")
		case OptTimestamp:
			if len(d) == 8 {
				label = fmt.Sprintf("TCP Option - Timestamps: %s %d, %s %d", b.label("tcp.options.timestamp.tsval"), be32(d),
					b.label("tcp.options.timestamp.tsecr"), be32(d[4:]))
			}
		}
		if label == "" {
			name, _ := tcpOptionName(uint8(op.OptionType))
			if name == "" {
				name = "kind " + strconv.Itoa(int(op.OptionType))
			}
			label = fmt.Sprintf("TCP Option - %s, length %d: %s", name, op.OptionLength, hexPreview(d, 16))
		}
		node0.Children = append(node0.Children, DetailNode{Label: Printable(label), Off: off, Len: max(l, 1)})
		kinds = append(kinds, strings.TrimPrefix(label, "TCP Option - "))
		off += max(l, 1)
	}
	node0.Label = Printable(fmt.Sprintf("Options: (%d bytes)", n))
	if len(kinds) > 0 {
		short := make([]string, len(kinds))
		for i, k := range kinds {
			short[i], _, _ = strings.Cut(k, ":")
		}
		node0.Label += Printable(", " + strings.Join(short, ", "))
	}
	return node0
}

func be32(b []byte) uint32 {
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

// appendTCPJSON writes a segment's fields, or the ports of a TCP header an
// ICMP error quotes.
func appendTCPJSON(o jsonObj, p *Packet) jsonObj {
	if p.Layers&LayerTCP == 0 {
		if q := &p.Quote; q.Valid && q.Proto == 6 { // the quick test: an ICMP error
			o.next(`,"tcp.srcport":`, uint64(q.SrcPort))
			o.next(`,"tcp.dstport":`, uint64(q.DstPort))
		}
		return o
	}
	o.next(`,"tcp.srcport":`, uint64(p.SrcPort))
	o.next(`,"tcp.dstport":`, uint64(p.DstPort))
	o.next(`,"tcp.stream":`, uint64(p.Rel.Stream))
	o.next(`,"tcp.flags":`, uint64(p.TCPFlags))
	o.next(`,"tcp.seq":`, uint64(p.Rel.Seq))
	o.next(`,"tcp.ack":`, uint64(p.Rel.Ack))
	o.next(`,"tcp.seq_raw":`, uint64(p.Seq))
	o.next(`,"tcp.ack_raw":`, uint64(p.Ack))
	// In a first fragment the segment's length is unknown: the IP length
	// covers only this fragment. Wireshark leaves the fields out too.
	if !p.MoreFragments() {
		o.next(`,"tcp.len":`, uint64(p.PayloadLen))
		o.next(`,"tcp.nxtseq":`, uint64(p.Rel.NextSeq))
	}
	o.next(`,"tcp.hdr_len":`, uint64(p.TCPHdrLen))
	o.next(`,"tcp.window_size_value":`, uint64(p.Window))
	o.next(`,"tcp.window_size":`, uint64(p.Analysis.WindowSize))
	if p.TCPFlags&TCPUrg != 0 {
		o.next(`,"tcp.urgent_pointer":`, uint64(p.Urgent))
	}
	opt := &p.TCPOptions
	if opt.HasMSS {
		o.next(`,"tcp.options.mss_val":`, uint64(opt.MSS))
	}
	if opt.HasWS {
		o.next(`,"tcp.options.wscale.shift":`, uint64(opt.WScale))
	}
	if opt.SACKPerm {
		o.next(`,"tcp.options.sack_perm":`, 1)
	}
	if opt.HasTS {
		o.next(`,"tcp.options.timestamp.tsval":`, uint64(opt.TSVal))
		o.next(`,"tcp.options.timestamp.tsecr":`, uint64(opt.TSEcr))
	}
	if opt.NSACK > 0 {
		o.next(`,"tcp.options.sack.count":`, uint64(opt.NSACK))
	}
	appendAnalysisJSON(&o, &p.Analysis)
	return o
}

// appendAnalysisJSON writes Wireshark's expert fields that are set (as 1),
// the duplicate-ACK number and frame, the acknowledged frame, and
// sockscope's endpoint states where they changed.
func appendAnalysisJSON(o *jsonObj, a *TCPAnalysis) {
	if f := a.Flags; f != 0 {
		// Every kind of retransmission carries tcp.analysis.retransmission.
		if a.IsRetransmission() {
			f |= ExpertRetransmission
		}
		for i, k := range expertKeys {
			if f&(1<<i) != 0 {
				o.uint(k, 1)
			}
		}
		if a.DupAckNum != 0 {
			o.next(`,"tcp.analysis.duplicate_ack_num":`, uint64(a.DupAckNum))
			o.next(`,"tcp.analysis.duplicate_ack_frame":`, uint64(a.DupAckFrame))
		}
	}
	if a.AcksFrame != 0 {
		o.next(`,"tcp.analysis.acks_frame":`, uint64(a.AcksFrame))
	}
	if a.SrcChanged {
		o.nextName(`,"tcp.state.src":"`, a.SrcState.String())
	}
	if a.DstChanged {
		o.nextName(`,"tcp.state.dst":"`, a.DstState.String())
	}
}
