package trace

import (
	"encoding/binary"
	"net/netip"
	"strconv"
)

// parseSockaddr decodes a struct sockaddr as a Linux program passed it
// (little- or big-endian host: only the port and the addresses are in
// network order, the family is read as little-endian, which amd64 and
// arm64 are). Unknown families give just Family.
func parseSockaddr(b []byte) Addr {
	if len(b) < 2 {
		return Addr{}
	}
	fam := int(binary.LittleEndian.Uint16(b))
	a := Addr{Family: fam}
	switch fam {
	case afInet:
		if len(b) >= 8 {
			port := binary.BigEndian.Uint16(b[2:])
			a.AddrPort = netip.AddrPortFrom(netip.AddrFrom4([4]byte(b[4:8])), port)
		}
	case afInet6:
		if len(b) >= 24 {
			port := binary.BigEndian.Uint16(b[2:])
			ip := netip.AddrFrom16([16]byte(b[8:24]))
			if len(b) >= 28 {
				if scope := binary.LittleEndian.Uint32(b[24:]); scope != 0 {
					ip = ip.WithZone(strconv.FormatUint(uint64(scope), 10))
				}
			}
			a.AddrPort = netip.AddrPortFrom(ip, port)
		}
	case afUnix:
		path := b[2:]
		switch {
		case len(path) == 0:
			// unnamed (an autobound or socketpair socket)
		case path[0] == 0:
			a.Path = "@" + printable(path[1:]) // abstract: every byte counts
		default:
			for i, c := range path {
				if c == 0 {
					path = path[:i]
					break
				}
			}
			a.Path = printable(path)
		}
	}
	return a
}
