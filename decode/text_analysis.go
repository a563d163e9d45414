package decode

// expertMarkers are Wireshark's Info-column markers of the Expert bits, in
// bit order; the duplicate ACK's is built with its numbers.
var expertMarkers = [...]string{
	" [TCP Retransmission]", " [TCP Fast Retransmission]", " [TCP Spurious Retransmission]",
	"", " [TCP Out-Of-Order]", " [TCP Previous segment not captured]",
	" [TCP ACKed unseen segment]", " [TCP ZeroWindow]", " [TCP ZeroWindowProbe]",
	" [TCP ZeroWindowProbeAck]", " [TCP Window Full]", " [TCP Window Update]",
	" [TCP Keep-Alive]", " [TCP Keep-Alive ACK]", " [TCP Port numbers reused]",
}

// AppendAnalysisMarkers appends what the TCP analysis says of p after its
// tcpdump line: Wireshark's expert markers (" [TCP Retransmission]",
// " [TCP Dup ACK 12#1]", …) and the endpoint states that changed, as
// " {client SYN_SENT}" (the role, client/server or A/B, and the RFC 9293
// state). Nothing when there is nothing to say.
func AppendAnalysisMarkers(dst []byte, p *Packet) []byte {
	a := &p.Analysis
	if f := a.Flags; f != 0 {
		for i, m := range expertMarkers {
			if f&(1<<i) == 0 {
				continue
			}
			if Expert(1<<i) == ExpertDuplicateAck {
				dst = append(dst, " [TCP Dup ACK "...)
				dst = appendInt(dst, int(a.DupAckFrame))
				dst = append(dst, '#')
				dst = appendInt(dst, int(a.DupAckNum))
				dst = append(dst, ']')
				continue
			}
			dst = append(dst, m...)
		}
	}
	if a.SrcChanged {
		dst = appendStateMarker(dst, a.SrcRole, a.SrcState)
	}
	if a.DstChanged {
		dst = appendStateMarker(dst, a.DstRole, a.DstState)
	}
	return dst
}

func appendStateMarker(dst []byte, r Role, s TCPState) []byte {
	dst = append(dst, " {"...)
	dst = append(dst, r.String()...)
	dst = append(dst, ' ')
	dst = append(dst, s.String()...)
	return append(dst, '}')
}
