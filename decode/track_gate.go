package decode

// Tracked says whether Decode hands p to its tracker: TCP and UDP
// packets, and ICMP errors quoting one. A pipeline that tracks on another
// goroutine than it decodes (Decoder.Seq set aside) tracks exactly these.
func Tracked(p *Packet) bool {
	return p.Layers&(LayerTCP|LayerUDP) != 0 || p.Quote.Valid
}
