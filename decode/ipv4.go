package decode

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
)

// ipv4 decodes the IPv4 header itself rather than through gopacket's, which
// keeps a TSO total length of 0 in 16 bits (wrong above 64 KiB), allocates
// for options, and stops at a bad option where Wireshark and tcpdump decode
// on. It also
//   - decodes an IPv6 header met where IPv4 was announced (version 6 behind
//     ethertype 0x0800 or a raw-IPv4 link type), as both tools do;
//   - hands the first fragment (offset 0, MF set) to the transport layer,
//     where gopacket stops at every fragment;
//   - stops at IP-in-IP: the tunnel pass decodes the inner header (tunnel.go).
type ipv4 struct {
	layers.IPv4
	six   *ipv6 // the Decoder's IPv6 layer, for version 6
	isV6  bool
	total int // total length: the header's, or the bytes at hand when it is 0 (TSO, BIG TCP)
	// read says how far a bad header was read: 1 header length, 2 up to the
	// total length, 3 every fixed field.
	read int
	note string // a problem that did not stop decoding (Wireshark's expert message)
}

var (
	errIPv4Short   = errors.New("IPv4 header shorter than 20 bytes")
	errIPv4Version = errors.New("IPv4 header with IP version not 4")
	errIPv4Cut     = errors.New("IPv4 header cut short: not all of its options were captured")
)

func (i *ipv4) LayerPayload() []byte {
	if i.isV6 {
		return i.six.LayerPayload()
	}
	return i.Payload
}

func (i *ipv4) DecodeFromBytes(data []byte, df gopacket.DecodeFeedback) error {
	i.isV6, i.read, i.note, i.total = false, 0, "", 0
	if len(data) > 0 && data[0]>>4 == 6 {
		i.isV6 = true
		i.note = "Bogus IPv4 version (6, decoded as IPv6)"
		return i.six.DecodeFromBytes(data, df)
	}
	if len(data) < 20 {
		df.SetTruncated()
		return errIPv4Short
	}
	i.Version = data[0] >> 4
	if i.Version != 4 {
		return errIPv4Version
	}
	i.IHL = data[0] & 0x0f
	hl := int(i.IHL) * 4
	i.read = 1
	if hl < 20 {
		return fmt.Errorf("Bogus IP header length (%d, must be at least 20)", hl)
	}
	i.TOS = data[1]
	i.Length = binary.BigEndian.Uint16(data[2:4])
	i.total = int(i.Length)
	if i.Length == 0 { // TCP segmentation offload, BIG TCP: the frame says
		i.total = len(data)
	}
	i.read = 2
	if i.total < hl {
		return fmt.Errorf("Bogus IP length (%d, less than header length %d)", i.total, hl)
	}
	ff := binary.BigEndian.Uint16(data[6:8])
	i.Id = binary.BigEndian.Uint16(data[4:6])
	i.Flags = layers.IPv4Flag(ff >> 13)
	i.FragOffset = ff & 0x1fff
	i.TTL = data[8]
	i.Protocol = layers.IPProtocol(data[9])
	i.Checksum = binary.BigEndian.Uint16(data[10:12])
	i.SrcIP, i.DstIP = data[12:16], data[16:20]
	i.read = 3
	if hl > len(data) {
		df.SetTruncated()
		i.BaseLayer = layers.BaseLayer{Contents: data}
		return errIPv4Cut
	}
	end := min(i.total, len(data))
	if i.total > len(data) {
		df.SetTruncated()
	}
	i.BaseLayer = layers.BaseLayer{Contents: data[:hl], Payload: data[hl:end]}
	i.note = ipv4OptionsProblem(data[20:hl])
	return nil
}

// ipv4OptionsProblem checks the option list's lengths as Wireshark does and
// names the first problem, or returns "".
func ipv4OptionsProblem(opts []byte) string {
	for len(opts) > 0 {
		switch opts[0] {
		case 0: // end of options
			return ""
		case 1: // no-op
			opts = opts[1:]
			continue
		}
		if len(opts) < 2 {
			return "IPv4 option list ends inside an option"
		}
		if l := int(opts[1]); l < 2 || l > len(opts) {
			return "IPv4 option length runs past the end of the options"
		}
		opts = opts[opts[1]:]
	}
	return ""
}

func (i *ipv4) NextLayerType() gopacket.LayerType {
	if i.isV6 {
		return i.six.NextLayerType()
	}
	if i.FragOffset != 0 {
		return gopacket.LayerTypeFragment
	}
	return ipNext(i.Protocol)
}

// collectIPv4 copies the header into p: all of it, or (for a header that
// failed) the fields read before the problem, as Wireshark shows them.
func (d *Decoder) collectIPv4(p *Packet) {
	ip := &d.ip4
	if ip.isV6 {
		d.collectIPv6(p)
		p.Note = ip.note
		return
	}
	if ip.read == 0 {
		return
	}
	p.Layers |= LayerIPv4
	p.IPVersion = 4
	p.IPHdrLen = uint16(ip.IHL) * 4
	if ip.read < 2 {
		return
	}
	p.TOS = ip.TOS
	p.IPLen = uint32(ip.total)
	if ip.read < 3 {
		return
	}
	p.Src = netip.AddrFrom4([4]byte(ip.SrcIP))
	p.Dst = netip.AddrFrom4([4]byte(ip.DstIP))
	p.IPProto = uint8(ip.Protocol)
	p.IPID = ip.Id
	p.IPFlags = uint8(ip.Flags)
	p.FragOffset = ip.FragOffset
	p.TTL = ip.TTL
	if ip.note != "" {
		p.Note = ip.note
	}
}

// ipNext is the layer after an IP header with protocol proto: IP-in-IP is
// left to the tunnel pass, so that the inner header does not overwrite the
// outer one in the parser's single IPv4 and IPv6 layers.
func ipNext(proto layers.IPProtocol) gopacket.LayerType {
	next := proto.LayerType()
	if next == layers.LayerTypeIPv4 || next == layers.LayerTypeIPv6 {
		return gopacket.LayerTypePayload
	}
	return next
}

// anyTunnel is every Tunnel bit: a quick test that passes for every
// tunnelled packet.
const anyTunnel = ^Tunnel(0)

func init() {
	registerProto(&Proto{Name: "ip", Title: "Internet Protocol Version 4", Order: 100, Layer: LayerIPv4, Tunnel: anyTunnel,
		Has:      func(p *Packet) bool { _, ok := firstIPField(p, 4); return ok },
		Gopacket: "IPv4", Node: ipv4Node, JSON: appendIPv4JSON,
		Fields: ipv4Fields("", firstIPField)})
	registerProto(&Proto{Name: "inner.ip", Title: "Internet Protocol Version 4", Order: 102, Tunnel: anyTunnel, NoNode: true,
		Has:    func(p *Packet) bool { _, ok := innerIPField(p, 4); return ok },
		JSON:   innerIPJSON(4),
		Fields: ipv4Fields("inner.", innerIPField)})
}

// ipv4Fields are the fields of an IPv4 header, named prefix+"ip.*", read
// from the header get returns: the first IPv4 header (ip.*, as tshark's
// first occurrence) or a tunnel's innermost (inner.ip.*, tunnel.go).
func ipv4Fields(prefix string, get func(p *Packet, version uint8) (OuterHeaders, bool)) []ProtoField {
	// Complete: a header whose length fields were bogus has only ip.hdr_len
	// and ip.len (DecodeFromBytes above).
	full := func(p *Packet) bool { h, _ := get(p, 4); return h.Src.IsValid() }
	v := func(f func(h *OuterHeaders) uint64) func(p *Packet) uint64 {
		return func(p *Packet) uint64 { h, _ := get(p, 4); return f(&h) }
	}
	a := func(f func(h *OuterHeaders) netip.Addr) func(p *Packet) netip.Addr {
		return func(p *Packet) netip.Addr { h, _ := get(p, 4); return f(&h) }
	}
	n := prefix + "ip."
	return []ProtoField{
		{Name: n + "src", Label: "Source Address", Kind: FieldAddr, Has: full, Addr: a(func(h *OuterHeaders) netip.Addr { return h.Src })},
		{Name: n + "dst", Label: "Destination Address", Kind: FieldAddr, Has: full, Addr: a(func(h *OuterHeaders) netip.Addr { return h.Dst })},
		{Name: n + "addr", Kind: FieldAddr, Pair: [2]string{n + "src", n + "dst"}},
		{Name: n + "proto", Label: "Protocol", Has: full, Num: v(func(h *OuterHeaders) uint64 { return uint64(h.IPProto) })},
		{Name: n + "hdr_len", Label: "Header Length", Num: v(func(h *OuterHeaders) uint64 { return uint64(h.IPHdrLen) })},
		{Name: n + "len", Label: "Total Length", Has: func(p *Packet) bool { h, _ := get(p, 4); return h.Src.IsValid() || h.IPLen != 0 },
			Num: v(func(h *OuterHeaders) uint64 { return uint64(h.IPLen) })},
		{Name: n + "id", Label: "Identification", Has: full, Num: v(func(h *OuterHeaders) uint64 { return uint64(h.IPID) })},
		{Name: n + "flags.df", Label: "Don't fragment", Has: full, Num: v(func(h *OuterHeaders) uint64 { return uint64(h.IPFlags >> 1 & 1) })},
		{Name: n + "flags.mf", Label: "More fragments", Has: full, Num: v(func(h *OuterHeaders) uint64 { return uint64(h.IPFlags & 1) })},
		{Name: n + "frag_offset", Label: "Fragment Offset", Has: full, Num: v(func(h *OuterHeaders) uint64 { return uint64(h.FragOffset) })},
		{Name: n + "ttl", Label: "Time to Live", Has: full, Num: v(func(h *OuterHeaders) uint64 { return uint64(h.TTL) })},
		{Name: n + "dsfield", Label: "Differentiated Services Field", Has: full, Num: v(func(h *OuterHeaders) uint64 { return uint64(h.TOS) })},
	}
}

// appendIPv4JSON writes the first IPv4 header: a tunnel's outer one if it
// is IPv4 (tunnel_json.go), else the packet's own.
func appendIPv4JSON(o jsonObj, p *Packet) jsonObj {
	if p.Tunnel.Kinds != 0 {
		if h, ok := firstIP(p, 4); ok {
			appendIPHeaderJSON(&o, &h, &outerIPKeys)
		}
		return o
	}
	if p.IPVersion != 4 {
		return o
	}
	if !p.Src.IsValid() { // a bogus header length: Wireshark stops there
		o.next(`,"ip.hdr_len":`, uint64(p.IPHdrLen))
		if p.IPLen != 0 {
			o.next(`,"ip.len":`, uint64(p.IPLen))
		}
		return o
	}
	o.nextAddr(`,"ip.src":"`, p.Src)
	o.nextAddr(`,"ip.dst":"`, p.Dst)
	o.next(`,"ip.proto":`, uint64(p.IPProto))
	o.next(`,"ip.hdr_len":`, uint64(p.IPHdrLen))
	o.next(`,"ip.len":`, uint64(p.IPLen))
	o.next(`,"ip.id":`, uint64(p.IPID))
	o.next(`,"ip.flags.df":`, uint64(p.IPFlags>>1&1))
	o.next(`,"ip.flags.mf":`, uint64(p.IPFlags&1))
	o.next(`,"ip.frag_offset":`, uint64(p.FragOffset))
	o.next(`,"ip.ttl":`, uint64(p.TTL))
	o.next(`,"ip.dsfield":`, uint64(p.TOS))
	return o
}

func appendIPv4(dst []byte, p *Packet) []byte {
	dst = append(dst, "IP "...)
	if !p.Src.IsValid() { // a bogus length field: tcpdump stops there too
		if p.IPHdrLen < 20 {
			dst = append(dst, "bad-hlen "...)
			return txtInt(dst, int(p.IPHdrLen))
		}
		dst = append(dst, "bad-len "...)
		return txtInt(dst, int(p.IPLen))
	}
	if hl := linkHeaderLen(p); hl >= 0 && int(p.IPLen) > p.Len-hl && p.Len-hl >= 0 {
		dst = append(dst, "truncated-ip - "...)
		dst = txtInt(dst, int(p.IPLen)-(p.Len-hl))
		dst = append(dst, " bytes missing! "...)
	}
	if p.FragOffset != 0 {
		// Not the first fragment: no transport header to show.
		dst = txtAddr(dst, p.Src)
		dst = append(dst, " > "...)
		dst = txtAddr(dst, p.Dst)
		dst = append(dst, ": ip-proto-"...)
		return txtUint(dst, uint64(p.IPProto))
	}
	return appendTransport(dst, p, true)
}

func ipv4Node(b *detailBuilder, o int, l gopacket.Layer) DetailNode {
	v := l.(*layers.IPv4)
	n := node(o, len(v.Contents), "Internet Protocol Version 4, Src: %s, Dst: %s", v.SrcIP, v.DstIP)
	df, mf := v.Flags&layers.IPv4DontFragment != 0, v.Flags&layers.IPv4MoreFragments != 0
	flags := node(o+6, 2, "Flags: 0x%d%s", uint8(v.Flags), ipFlagWords(df, mf))
	flags.Children = []DetailNode{
		node(o+6, 1, "0... .... = Reserved bit: %s", setLabel(v.Flags&layers.IPv4EvilBit != 0)),
		node(o+6, 1, ".%d.. .... = %s: %s", b2i(df), b.label("ip.flags.df"), setLabel(df)),
		node(o+6, 1, "..%d. .... = %s: %s", b2i(mf), b.label("ip.flags.mf"), setLabel(mf)),
	}
	n.Children = []DetailNode{
		node(o, 1, "%04b .... = Version: %d", v.Version, v.Version),
		node(o, 1, ".... %04b = %s: %d bytes (%d)", v.IHL, b.label("ip.hdr_len"), int(v.IHL)*4, v.IHL),
		node(o+1, 1, "%s: 0x%02x (DSCP: %d, ECN: %d)", b.label("ip.dsfield"), v.TOS, v.TOS>>2, v.TOS&3),
		node(o+2, 2, "%s: %d", b.label("ip.len"), v.Length),
		node(o+4, 2, "%s: 0x%04x (%d)", b.label("ip.id"), v.Id, v.Id),
		flags,
		node(o+6, 2, "%s: %d (%d bytes)", b.label("ip.frag_offset"), v.FragOffset, int(v.FragOffset)*8),
		node(o+8, 1, "%s: %d", b.label("ip.ttl"), v.TTL),
		node(o+9, 1, "%s: %s (%d)", b.label("ip.proto"), ipProtoLabel(uint8(v.Protocol)), uint8(v.Protocol)),
		node(o+10, 2, "Header Checksum: 0x%04x [not verified]", v.Checksum),
		node(o+12, 4, "%s: %s", b.label("ip.src"), v.SrcIP),
		node(o+16, 4, "%s: %s", b.label("ip.dst"), v.DstIP),
	}
	if len(v.Contents) > 20 {
		opts := node(o+20, len(v.Contents)-20, "Options: (%d bytes)", len(v.Contents)-20)
		off := o + 20
		for _, op := range v.Options {
			l := max(int(op.OptionLength), 1)
			opts.Children = append(opts.Children, node(off, l, "Option type %d, length %d", op.OptionType, op.OptionLength))
			off += l
		}
		n.Children = append(n.Children, opts)
	}
	return n
}

func ipFlagWords(df, mf bool) string {
	switch {
	case df && mf:
		return ", Don't fragment, More fragments"
	case df:
		return ", Don't fragment"
	case mf:
		return ", More fragments"
	}
	return ""
}
