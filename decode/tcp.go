package decode

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/google/gopacket/layers"
)

// TCP (RFC 9293): tcpdump's line for a segment, its node in the details
// pane and its JSON fields. The connection tracker is in tcp_*.go.

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

func (b *detailBuilder) tcp(o int, v *layers.TCP) DetailNode {
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
		node(o, 2, "Source Port: %d", v.SrcPort),
		node(o+2, 2, "Destination Port: %d", v.DstPort),
	}
	if tracked {
		c = append(c, node(0, 0, "[Stream index: %d]", p.Rel.Stream))
	}
	c = append(c, node(0, 0, "[TCP Segment Len: %d]", segLen))
	if tracked {
		c = append(c,
			node(o+4, 4, "Sequence Number: %d    (relative sequence number)", p.Rel.Seq),
			node(o+4, 4, "Sequence Number (raw): %d", v.Seq),
			node(0, 0, "[Next Sequence Number: %d    (relative sequence number)]", p.Rel.NextSeq))
		if v.ACK {
			c = append(c, node(o+8, 4, "Acknowledgment Number: %d    (relative ack number)", p.Rel.Ack))
		} else {
			c = append(c, node(o+8, 4, "Acknowledgment Number: 0"))
		}
		c = append(c, node(o+8, 4, "Acknowledgment number (raw): %d", v.Ack))
	} else {
		c = append(c, node(o+4, 4, "Sequence Number (raw): %d", v.Seq), node(o+8, 4, "Acknowledgment number (raw): %d", v.Ack))
	}
	c = append(c, node(o+12, 1, "%04b .... = Header Length: %d bytes (%d)", v.DataOffset, int(v.DataOffset)*4, v.DataOffset))
	fl := node(o+12, 2, "Flags: 0x%03x (%s)", flags, tcpFlagList(flags))
	fl.Children = append(fl.Children, node(o+12, 1, "000. .... .... = Reserved: Not set"))
	for _, f := range tcpFlagBits {
		fl.Children = append(fl.Children, node(o+12, 2, "%s = %s: %s", bitPicture(f.bit, flags&f.bit != 0), f.name, setLabel(flags&f.bit != 0)))
	}
	c = append(c, fl, node(o+14, 2, "Window: %d", v.Window))
	if tracked {
		c = append(c, node(0, 0, "[Calculated window size: %d]", p.Analysis.WindowSize))
		if p.Analysis.WindowScaled && v.Window != 0 && !v.SYN {
			c = append(c, node(0, 0, "[Window size scaling factor: %d]", p.Analysis.WindowSize/uint32(v.Window)))
		}
	}
	c = append(c, node(o+16, 2, "Checksum: 0x%04x [unverified]", v.Checksum), node(o+18, 2, "Urgent Pointer: %d", v.Urgent))
	if hl > 20 {
		c = append(c, b.tcpOptions(o+20, hl-20, v.Options))
	}
	if tracked {
		if a := &p.Analysis; a.SrcChanged || a.DstChanged {
			st := node(0, 0, "[Endpoint states after this segment: %s %s, %s %s]", a.SrcRole, a.SrcState, a.DstRole, a.DstState)
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
		n.Children = append(n.Children, node(0, 0, "[This is an ACK to the segment in frame: %d]", a.AcksFrame))
	}
	if a.Flags != 0 {
		f := node(0, 0, "[TCP Analysis Flags]")
		for i, t := range expertText {
			if a.Flags&(1<<i) == 0 {
				continue
			}
			if Expert(1<<i) == ExpertDuplicateAck {
				f.Children = append(f.Children, node(0, 0, "[Duplicate ACK #%d of frame %d]", a.DupAckNum, a.DupAckFrame))
				continue
			}
			f.Children = append(f.Children, node(0, 0, "[%s]", t))
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
				label = fmt.Sprintf("TCP Option - Maximum segment size: %d bytes", int(d[0])<<8|int(d[1]))
			}
		case OptWScale:
			if len(d) == 1 {
				label = fmt.Sprintf("TCP Option - Window scale: %d (multiply by %d)", d[0], 1<<min(d[0], 14))
			}
		case OptSACKPerm:
			label = "TCP Option - SACK permitted"
		case OptSACK:
			var edges []string
			for i := 0; i+8 <= len(d); i += 8 {
				edges = append(edges, fmt.Sprintf("%d-%d", be32(d[i:]), be32(d[i+4:])))
			}
			label = "TCP Option - SACK " + strings.Join(edges, " ")
		case OptTimestamp:
			if len(d) == 8 {
				label = fmt.Sprintf("TCP Option - Timestamps: TSval %d, TSecr %d", be32(d), be32(d[4:]))
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

func appendTCPJSON(o *jsonObj, p *Packet) {
	o.uint(`"tcp.srcport":`, uint64(p.SrcPort))
	o.uint(`"tcp.dstport":`, uint64(p.DstPort))
	o.uint(`"tcp.stream":`, uint64(p.Rel.Stream))
	o.uint(`"tcp.flags":`, uint64(p.TCPFlags))
	o.uint(`"tcp.seq":`, uint64(p.Rel.Seq))
	o.uint(`"tcp.ack":`, uint64(p.Rel.Ack))
	o.uint(`"tcp.seq_raw":`, uint64(p.Seq))
	o.uint(`"tcp.ack_raw":`, uint64(p.Ack))
	// In a first fragment the segment's length is unknown: the IP length
	// covers only this fragment. Wireshark leaves the fields out too.
	if !p.MoreFragments() {
		o.uint(`"tcp.len":`, uint64(p.PayloadLen))
		o.uint(`"tcp.nxtseq":`, uint64(p.Rel.NextSeq))
	}
	o.uint(`"tcp.hdr_len":`, uint64(p.TCPHdrLen))
	o.uint(`"tcp.window_size_value":`, uint64(p.Window))
	o.uint(`"tcp.window_size":`, uint64(p.Analysis.WindowSize))
	if p.TCPFlags&TCPUrg != 0 {
		o.uint(`"tcp.urgent_pointer":`, uint64(p.Urgent))
	}
	opt := &p.TCPOptions
	if opt.HasMSS {
		o.uint(`"tcp.options.mss_val":`, uint64(opt.MSS))
	}
	if opt.HasWS {
		o.uint(`"tcp.options.wscale.shift":`, uint64(opt.WScale))
	}
	if opt.SACKPerm {
		o.uint(`"tcp.options.sack_perm":`, 1)
	}
	if opt.HasTS {
		o.uint(`"tcp.options.timestamp.tsval":`, uint64(opt.TSVal))
		o.uint(`"tcp.options.timestamp.tsecr":`, uint64(opt.TSEcr))
	}
	if opt.NSACK > 0 {
		o.uint(`"tcp.options.sack.count":`, uint64(opt.NSACK))
	}
	appendAnalysisJSON(o, &p.Analysis)
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
		for i, k := range expertFields {
			if f&(1<<i) != 0 {
				o.uint(k, 1)
			}
		}
		if a.DupAckNum != 0 {
			o.uint(`"tcp.analysis.duplicate_ack_num":`, uint64(a.DupAckNum))
			o.uint(`"tcp.analysis.duplicate_ack_frame":`, uint64(a.DupAckFrame))
		}
	}
	if a.AcksFrame != 0 {
		o.uint(`"tcp.analysis.acks_frame":`, uint64(a.AcksFrame))
	}
	if a.SrcChanged {
		o.name(`"tcp.state.src":`, a.SrcState.String())
	}
	if a.DstChanged {
		o.name(`"tcp.state.dst":`, a.DstState.String())
	}
}
