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
	if t.Kinds&TunnelGRE != 0 {
		dst = append(dst, "GREv"...)
		dst = txtUint(dst, uint64(t.GREFlagsVer&7))
		dst = append(dst, ", "...)
		if t.GREFlagsVer&0x2000 != 0 {
			dst = append(dst, "key=0x"...)
			dst = txtHex(dst, t.GREKey, 1)
			dst = append(dst, ", "...)
		}
		if t.GREFlagsVer&0x1000 != 0 {
			dst = append(dst, "seq "...)
			dst = txtUint(dst, uint64(t.GRESeq))
			dst = append(dst, ", "...)
		}
		dst = append(dst, "length "...)
		if o.IPVersion == 4 {
			dst = txtInt(dst, int(o.IPLen)-int(o.IPHdrLen))
		} else {
			dst = txtInt(dst, int(o.IPv6Plen)+40-int(o.IPHdrLen))
		}
		dst = append(dst, ": "...)
	}
	if t.Kinds&TunnelERSPAN != 0 {
		switch t.ERSPANVersion {
		case 0:
			if t.GREProto == 0x88be && t.GREFlagsVer&0x1000 == 0 {
				dst = append(dst, "ERSPAN I: "...)
				break
			}
			dst = append(dst, "ERSPAN: "...)
		case 1:
			dst = append(dst, "ERSPAN II, session "...)
			dst = txtUint(dst, uint64(t.ERSPANSpanID))
			dst = append(dst, ": "...)
		default:
			dst = append(dst, "ERSPAN III, session "...)
			dst = txtUint(dst, uint64(t.ERSPANSpanID))
			dst = append(dst, ": "...)
		}
	}
	if t.Kinds&TunnelWCCP != 0 {
		dst = append(dst, "WCCP: "...)
	}
	if t.Kinds&TunnelVXLAN != 0 {
		dst = append(dst, "VXLAN, flags [I] (0x08), vni "...)
		dst = txtUint(dst, uint64(t.VNI))
		dst = append(dst, " | "...)
	}
	if t.Kinds&TunnelGeneve != 0 {
		dst = append(dst, "Geneve, vni 0x"...)
		dst = txtHex(dst, t.VNI, 1)
		dst = append(dst, ", proto "...)
		dst = appendEtherType(dst, t.GeneveProto)[:]
		if t.GeneveOptLen > 0 {
			dst = append(dst, ", options "...)
			dst = txtUint(dst, uint64(t.GeneveOptLen))
			dst = append(dst, " bytes"...)
		}
		dst = append(dst, " | "...)
	}
	if t.Kinds&TunnelMPLS != 0 {
		dst = append(dst, "MPLS"...)
		for i := 0; i < int(t.NMPLS); i++ {
			label, ttl, bottom := t.MPLSLabel(i)
			dst = append(dst, " (label "...)
			dst = txtUint(dst, uint64(label))
			dst = append(dst, ", tc "...)
			dst = txtUint(dst, uint64(t.MPLS[i]>>9&7))
			if bottom {
				dst = append(dst, ", [S]"...)
			}
			dst = append(dst, ", ttl "...)
			dst = txtUint(dst, uint64(ttl))
			dst = append(dst, ')')
		}
		dst = append(dst, ' ')
	}
	if t.Kinds&TunnelPIM != 0 {
		dst = append(dst, "PIMv2, "...)
		if int(t.PIMType) < len(pimTypeNames) {
			dst = append(dst, pimTypeNames[t.PIMType]...)
		} else {
			dst = append(dst, "type "...)
			dst = txtUint(dst, uint64(t.PIMType))
		}
		dst = append(dst, ": "...)
	}
	if t.Kinds&TunnelMACsec != 0 {
		dst = append(dst, "802.1AE MACsec, an "...)
		dst = txtUint(dst, uint64(t.MACsecTCI&3))
		dst = append(dst, ", pn "...)
		dst = txtUint(dst, uint64(t.MACsecPN))
		if t.MACsecTCI&0x08 != 0 {
			dst = append(dst, ", encrypted"...)
		}
		dst = append(dst, ": "...)
	}
	if t.Kinds&TunnelNSH != 0 {
		dst = append(dst, "NSH, service-path-id 0x"...)
		dst = txtHex(dst, t.NSHSPI, 6)
		dst = append(dst, ", service-index 0x"...)
		dst = txtHex(dst, uint32(t.NSHSI), 2)
		dst = append(dst, ": "...)
	}
	if t.Kinds&TunnelPPPoE != 0 {
		if t.PPPoECode != 0 {
			dst = append(dst, "PPPoE ["...)
			dst = append(dst, pppoeCodeName(t.PPPoECode)...)
			dst = append(dst, "] session 0x"...)
			return txtHex(dst, uint32(t.PPPoESession), 1)
		}
		dst = append(dst, "PPPoE [ses 0x"...)
		dst = txtHex(dst, uint32(t.PPPoESession), 1)
		dst = append(dst, "] "...)
	}
	return dst
}

// pimTypeNames are tcpdump's names of the PIM version 2 message types.
var pimTypeNames = [...]string{"Hello", "Register", "Register Stop", "Join / Prune", "Bootstrap", "Assert", "Graft", "Graft ACK", "Candidate RP Advertisement"}

func pppoeCodeName(c uint8) string {
	switch c {
	case 0x09:
		return "PADI"
	case 0x07:
		return "PADO"
	case 0x19:
		return "PADR"
	case 0x65:
		return "PADS"
	case 0xa7:
		return "PADT"
	}
	return "code ?"
}
