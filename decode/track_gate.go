package decode

// Tracked says whether Decode hands p to its tracker: TCP and UDP
// packets, ICMP errors quoting one, and packets in a UDP tunnel. A pipeline that tracks on another
// goroutine than it decodes (Decoder.Seq set aside) tracks exactly these.
func Tracked(p *Packet) bool {
	return p.Layers&(LayerTCP|LayerUDP) != 0 || p.Quote.Valid || p.Tunnel.Outer.UDP
}
