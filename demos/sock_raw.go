//go:build unix

package demos

import (
	"encoding/binary"
	"errors"

	"github.com/sockscope/sockscope/demos/sockcall"
	"golang.org/x/sys/unix"
)

// SocketRawICMP creates a raw IPv4 socket for ICMP, recorded as
// socket(AF_INET, SOCK_RAW, IPPROTO_ICMP) — Python's
// socket.socket(AF_INET, SOCK_RAW, IPPROTO_ICMP), which needs root or
// CAP_NET_RAW (the lab's namespace gives it). The program writes the ICMP
// message and the kernel adds the IPv4 header; a read returns the whole IP
// packet, header included.
func (s *Sock) SocketRawICMP() error {
	s.mark()
	if s.FD >= 0 {
		return s.fail("socket", errors.New("socket already created"))
	}
	fd, err := sysSocket(unix.AF_INET, unix.SOCK_RAW, unix.IPPROTO_ICMP)
	t := s.stamp()
	s.family, s.proto = unix.AF_INET, "raw"
	c := sockcall.Call{Op: "socket", Args: "AF_INET, SOCK_RAW, IPPROTO_ICMP", Ret: fd}
	if err == nil {
		s.FD, c.FD = fd, fd
		s.env.register(s)
	}
	s.record(t, c, err, nil)
	return s.fail("socket", err)
}

// icmpEcho builds an ICMP echo request (type 8, code 0) as ping does: id,
// sequence number, payload, and the Internet checksum over all of it.
func icmpEcho(id, seq uint16, payload []byte) []byte {
	b := make([]byte, 8+len(payload))
	b[0] = 8 // echo request
	binary.BigEndian.PutUint16(b[4:], id)
	binary.BigEndian.PutUint16(b[6:], seq)
	copy(b[8:], payload)
	binary.BigEndian.PutUint16(b[2:], inetChecksum(b))
	return b
}

// inetChecksum is RFC 1071's: the ones' complement of the ones' complement
// sum of the 16-bit words.
func inetChecksum(b []byte) uint16 {
	var sum uint32
	for i := 0; i+1 < len(b); i += 2 {
		sum += uint32(binary.BigEndian.Uint16(b[i:]))
	}
	if len(b)%2 == 1 {
		sum += uint32(b[len(b)-1]) << 8
	}
	for sum>>16 != 0 {
		sum = sum&0xffff + sum>>16
	}
	return ^uint16(sum)
}
