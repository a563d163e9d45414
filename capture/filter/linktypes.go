package filter

import "fmt"

// linkKind says how a link type tells the network protocol.
type linkKind uint8

const (
	linkEthernet linkKind = iota // EtherType at 12, payload at 14
	linkSLL                      // Linux cooked v1: protocol at 14, payload at 16
	linkSLL2                     // Linux cooked v2: protocol at 0, payload at 20
	linkNull                     // BSD loopback: 4-byte AF_ value, host byte order
	linkLoop                     // OpenBSD loopback: 4-byte AF_ value, network byte order
	linkRaw                      // raw IP: version nibble tells v4 from v6
	linkIPv4                     // raw IPv4 only
	linkIPv6                     // raw IPv6 only
	linkOther                    // any other: only len and link[...] tests
)

// link describes one supported link type.
type link struct {
	linkType    uint32
	name        string
	kind        linkKind
	offLinkType uint32 // offset of the EtherType-like field (Ethernet, SLL, SLL2)
	offLinkPL   uint32 // offset of the network-layer header
}

// links are the link types Compile accepts, by LINKTYPE_* value.
var links = map[uint32]link{
	0:   {0, "NULL", linkNull, 0, 4},
	1:   {1, "EN10MB", linkEthernet, 12, 14},
	12:  {12, "RAW", linkRaw, 0, 0},
	101: {101, "RAW", linkRaw, 0, 0},
	108: {108, "LOOP", linkLoop, 0, 4},
	113: {113, "LINUX_SLL", linkSLL, 14, 16},
	228: {228, "IPV4", linkIPv4, 0, 0},
	229: {229, "IPV6", linkIPv6, 0, 0},
	276: {276, "LINUX_SLL2", linkSLL2, 0, 20},
}

// otherLinkNames names some link types sockscope cannot filter, for messages.
var otherLinkNames = map[uint32]string{
	9: "PPP", 10: "FDDI", 50: "PPP_HDLC", 104: "C_HDLC", 105: "IEEE802_11",
	127: "IEEE802_11_RADIOTAP", 239: "NFLOG", 220: "USB_LINUX_MMAPPED",
	249: "NETLINK",
}

func linkTypeName(lt uint32) string {
	if l, ok := links[lt]; ok {
		return fmt.Sprintf("%s (%d)", l.name, lt)
	}
	if n, ok := otherLinkNames[lt]; ok {
		return fmt.Sprintf("%s (%d)", n, lt)
	}
	return fmt.Sprintf("%d", lt)
}

// AF_ values of the loopback headers: AF_INET is 2 everywhere; AF_INET6
// is 24 (NetBSD, OpenBSD, BSD/OS, Npcap), 28 (FreeBSD, DragonFly) or 30
// (macOS), and a savefile may hold any of them.
var (
	afInet  = []uint32{2}
	afInet6 = []uint32{24, 28, 30}
)

// Linux cooked-capture constants.
const (
	sllP8022       = 0x0004 // LINUX_SLL_P_802_2: the payload starts with an 802.2 LLC header
	sllOutgoing    = 4      // packet type "sent by us"
	llcsapIP       = 0x06
	llcsapNetBEUI  = 0xf0
	llcsapISONS    = 0xfe
	llcsapIPX      = 0xe0
	ethertypeAtalk = 0x809b
	ethertypeAARP  = 0x80f3
)

func bswap32(v uint32) uint32 {
	return v>>24 | v>>8&0xff00 | v<<8&0xff0000 | v<<24
}

// linktype is libpcap's gen_linktype: a test that the frame carries
// protocol p (an EtherType, or an LLC SAP when p <= 1500), with the
// offsets after vlans "vlan" keywords.
func (lw *lowerer) linktype(p uint32, vlans int) cond {
	l := lw.link
	off := l.offLinkType + 4*uint32(vlans)
	pl := lw.payload(vlans)
	switch l.kind {
	case linkEthernet:
		if p > etherMTU {
			return cmpK(load{size: 2, off: off}, jeq, p)
		}
		// 802.3 frame (length, not type) with an LLC header.
		isLLC := cNot{cmpK(load{size: 2, off: off}, jgt, etherMTU)}
		switch p {
		case llcsapIP, llcsapISONS, llcsapNetBEUI:
			return and(isLLC, cmpK(load{size: 2, off: pl}, jeq, p<<8|p))
		case llcsapIPX:
			lw.fail(-1, "ether proto 0xe0 (IPX) is not supported by sockscope")
		}
		return and(isLLC, cmpK(load{size: 1, off: pl}, jeq, p))
	case linkSLL, linkSLL2:
		if p > etherMTU {
			return cmpK(load{size: 2, off: off}, jeq, p)
		}
		isLLC := cmpK(load{size: 2, off: off}, jeq, sllP8022)
		switch p {
		case llcsapIP, llcsapISONS, llcsapNetBEUI:
			return and(isLLC, cmpK(load{size: 2, off: pl}, jeq, p<<8|p))
		case llcsapIPX:
			lw.fail(-1, "ether proto 0xe0 (IPX) is not supported by sockscope")
		}
		return and(isLLC, cmpK(load{size: 1, off: pl}, jeq, p))
	case linkNull, linkLoop:
		var afs []uint32
		switch p {
		case ethertypeIP:
			afs = afInet
		case ethertypeIPv6:
			afs = afInet6
		default:
			return cConst(false)
		}
		var c cond
		for _, af := range afs {
			// LOOP is big-endian. NULL is in the byte order of the
			// machine that wrote the file, which Compile does not know:
			// accept both (libpcap knows it from the file header).
			vals := []uint32{af}
			if l.kind == linkNull {
				vals = []uint32{bswap32(af), af}
			}
			for _, v := range vals {
				c = or(c, cmpK(load{size: 4, off: 0}, jeq, v))
			}
		}
		return c
	case linkRaw:
		switch p {
		case ethertypeIP:
			return cmpMask(load{size: 1, off: 0}, 0xf0, jeq, 0x40)
		case ethertypeIPv6:
			return cmpMask(load{size: 1, off: 0}, 0xf0, jeq, 0x60)
		}
		return cConst(false)
	case linkIPv4:
		return cConst(p == ethertypeIP)
	case linkIPv6:
		return cConst(p == ethertypeIPv6)
	}
	lw.failLink()
	return nil
}

// payload is the offset of the network-layer header after vlans tags.
func (lw *lowerer) payload(vlans int) uint32 {
	if lw.link.kind == linkOther {
		lw.failLink()
	}
	return lw.link.offLinkPL + 4*uint32(vlans)
}

// failLink rejects a protocol test on a link type sockscope cannot parse
// (libpcap: "link-layer type filtering not implemented").
func (lw *lowerer) failLink() {
	lw.fail(lw.pos, "protocol tests are not supported for this link type; only len, greater, less and ether[...] are")
}

// linkFor returns how to filter frames of a link type; link types sockscope
// cannot parse get linkOther.
func linkFor(lt uint32) link {
	if l, ok := links[lt]; ok {
		return l
	}
	return link{linkType: lt, name: linkTypeName(lt), kind: linkOther}
}
