package decode

// Tracked says whether Decode hands p to its tracker: TCP and UDP
// packets, ICMP errors quoting one, and packets in a UDP tunnel. A pipeline that tracks on another
// goroutine than it decodes (Decoder.Seq set aside) tracks exactly these.
func Tracked(p *Packet) bool {
	return p.Layers&(LayerTCP|LayerUDP) != 0 || p.Quote.Valid || p.Tunnel.Outer.UDP
}

// Tracking is everything the tracker writes into a packet: its TCP
// numbers and analysis, and its UDP conversations (the packet's own, and
// the outer flow of a UDP tunnel). Decoding a frame without a tracker and
// setting the Tracking of the same frame's tracked decode gives the same
// Packet (a test holds the two equal on the corpus): a pipeline tracks
// in order on one goroutine, keeps only this, and decodes again where it
// formats.
type Tracking struct {
	Rel            RelSeq
	Analysis       TCPAnalysis
	UDPStream      int
	OuterUDPStream int
}

// Tracking returns what the tracker wrote into p.
func (p *Packet) Tracking() Tracking {
	return Tracking{Rel: p.Rel, Analysis: p.Analysis, UDPStream: p.UDPStream, OuterUDPStream: p.Tunnel.Outer.UDPStream}
}

// SetTracking writes t into p, as the tracker would have.
func (p *Packet) SetTracking(t Tracking) {
	p.Rel, p.Analysis, p.UDPStream = t.Rel, t.Analysis, t.UDPStream
	if t.OuterUDPStream != 0 {
		p.Tunnel.Outer.UDPStream = t.OuterUDPStream
	}
}
