package decode

// appendTunnelText appends what tcpdump prints for the outer headers and
// the tunnel headers of a tunnelled packet, before the inner packet's own
// line. tcpdump starts a new line after VXLAN and Geneve; a text line here
// is one line, so " | " stands for that line break.
func appendTunnelText(dst []byte, p *Packet) []byte {
	t := &p.Tunnel
	o := &t.Outer
	if o.IPVersion != 0 {
		if o.IPVersion == 4 {
			dst = append(dst, "IP "...)
		} else {
			dst = append(dst, "IP6 "...)
		}
		if o.UDP {
			dst = txtAddrPort(dst, o.Src, o.SrcPort)
			dst = append(dst, " > "...)
			dst = txtAddrPort(dst, o.Dst, o.DstPort)
		} else {
			dst = txtAddr(dst, o.Src)
			dst = append(dst, " > "...)
			dst = txtAddr(dst, o.Dst)
		}
		dst = append(dst, ": "...)
	}
	return appendRegisteredText(dst, p)
}
