package socktable

import (
	"errors"
	"fmt"
	"net/netip"
	"syscall"
)

// ErrTruncated is wrapped by Parse's error for a reply that ends inside a
// message or holds a message shorter than its structure.
var ErrTruncated = errors.New("socktable: truncated sock_diag reply")

// Parse decodes a sock_diag dump reply: the bytes of one or more recv
// buffers, a sequence of netlink messages, for a request of the given
// family (AF_INET, AF_INET6 or AF_UNIX) and protocol (IPPROTO_TCP or
// IPPROTO_UDP; 0 for AF_UNIX). It returns the entries, and whether the
// reply's end (NLMSG_DONE) was among the messages; nothing after it is read.
// An NLMSG_ERROR message, or a DONE carrying a negative errno, is returned
// as a *KernelError.
func Parse(b []byte, family, protocol uint8) (entries []Entry, done bool, err error) {
	for len(b) > 0 {
		if len(b) < nlmsgHdrLen {
			return entries, false, fmt.Errorf("%w: %d bytes left, a header takes %d", ErrTruncated, len(b), nlmsgHdrLen)
		}
		n := int(hostOrder.Uint32(b[0:]))
		typ := hostOrder.Uint16(b[4:])
		if n < nlmsgHdrLen || n > len(b) {
			return entries, false, fmt.Errorf("%w: message of %d bytes with %d left", ErrTruncated, n, len(b))
		}
		body := b[nlmsgHdrLen:n]
		switch typ {
		case nlmsgDone:
			if len(body) >= 4 {
				if e := int32(hostOrder.Uint32(body)); e < 0 {
					return entries, true, &KernelError{Errno: syscall.Errno(-e)}
				}
			}
			return entries, true, nil
		case nlmsgError:
			if len(body) < 4 {
				return entries, false, fmt.Errorf("%w: NLMSG_ERROR of %d bytes", ErrTruncated, len(body))
			}
			e := int32(hostOrder.Uint32(body))
			if e == 0 { // an acknowledgement; a dump does not ask for one
				break
			}
			return entries, false, &KernelError{Errno: syscall.Errno(-e)}
		case sockDiagByFamily:
			var e Entry
			var err error
			if family == afUnix {
				e, err = parseUnix(body)
			} else {
				e, err = parseInet(body, protocol)
			}
			if err != nil {
				return entries, false, err
			}
			entries = append(entries, e)
		}
		// messages are 4-byte aligned (NLMSG_ALIGN)
		n = (n + 3) &^ 3
		if n > len(b) {
			n = len(b)
		}
		b = b[n:]
	}
	return entries, false, nil
}

// KernelError is an errno the kernel answered a dump with.
type KernelError struct{ Errno syscall.Errno }

func (e *KernelError) Error() string { return "sock_diag: " + e.Errno.Error() }
func (e *KernelError) Unwrap() error { return e.Errno }

// parseInet decodes an inet_diag_msg and its attributes.
func parseInet(b []byte, protocol uint8) (Entry, error) {
	if len(b) < inetMsgLen {
		return Entry{}, fmt.Errorf("%w: inet_diag_msg of %d bytes, want %d", ErrTruncated, len(b), inetMsgLen)
	}
	e := Entry{
		Proto:   TCP,
		State:   State(b[1]),
		Timer:   Timer(b[2]),
		Retrans: b[3],
	}
	if protocol == ipprotoUDP {
		e.Proto = UDP
	}
	sport := uint16(b[4])<<8 | uint16(b[5]) // network order
	dport := uint16(b[6])<<8 | uint16(b[7])
	switch b[0] {
	case afInet:
		e.Local = netip.AddrPortFrom(netip.AddrFrom4([4]byte(b[8:12])), sport)
		e.Peer = netip.AddrPortFrom(netip.AddrFrom4([4]byte(b[24:28])), dport)
	case afInet6:
		e.Local = netip.AddrPortFrom(netip.AddrFrom16([16]byte(b[8:24])), sport)
		e.Peer = netip.AddrPortFrom(netip.AddrFrom16([16]byte(b[24:40])), dport)
	default:
		return Entry{}, fmt.Errorf("socktable: inet_diag_msg of family %d", b[0])
	}
	e.Ifindex = hostOrder.Uint32(b[40:])
	// b[44:52] is the kernel's cookie for the socket
	e.TimerMS = hostOrder.Uint32(b[52:])
	e.RecvQ = hostOrder.Uint32(b[56:])
	e.SendQ = hostOrder.Uint32(b[60:])
	e.UID = hostOrder.Uint32(b[64:])
	e.Inode = hostOrder.Uint32(b[68:])
	if e.Timer == NoTimer {
		e.TimerMS = 0
	}
	err := attributes(b[inetMsgLen:], func(typ uint16, v []byte) {
		if typ == inetDiagSKV6Only && len(v) >= 1 {
			e.V6Only = v[0] != 0
		}
	})
	return e, err
}

// parseUnix decodes a unix_diag_msg and its attributes.
func parseUnix(b []byte) (Entry, error) {
	if len(b) < unixMsgLen {
		return Entry{}, fmt.Errorf("%w: unix_diag_msg of %d bytes, want %d", ErrTruncated, len(b), unixMsgLen)
	}
	e := Entry{State: State(b[2]), Inode: hostOrder.Uint32(b[4:])}
	switch b[1] {
	case sockStream:
		e.Proto = UnixStream
	case sockDgram:
		e.Proto = UnixDgram
	case sockSeqpacket:
		e.Proto = UnixSeqpacket
	default:
		e.Proto = Proto(fmt.Sprintf("unix-%d", b[1]))
	}
	err := attributes(b[unixMsgLen:], func(typ uint16, v []byte) {
		switch typ {
		case unixDiagName:
			e.Path = unixName(v)
		case unixDiagPeer:
			if len(v) >= 4 {
				e.PeerInode = hostOrder.Uint32(v)
			}
		case unixDiagRQLen:
			if len(v) >= 8 {
				e.RecvQ = hostOrder.Uint32(v)
				e.SendQ = hostOrder.Uint32(v[4:])
			}
		case unixDiagUID:
			if len(v) >= 4 {
				e.UID = hostOrder.Uint32(v)
			}
		}
	})
	return e, err
}

// unixName turns a sun_path as the kernel reports it into the table's
// form: a path up to its first NUL; an abstract name (leading NUL) with
// "@" for that NUL and every other byte kept.
func unixName(v []byte) string {
	if len(v) == 0 {
		return ""
	}
	if v[0] == 0 {
		return "@" + string(v[1:])
	}
	for i, c := range v {
		if c == 0 {
			return string(v[:i])
		}
	}
	return string(v)
}

// attributes calls f for each route attribute (struct rtattr: len u16,
// type u16, value, padded to 4 bytes) in b.
func attributes(b []byte, f func(typ uint16, v []byte)) error {
	for len(b) >= 4 {
		n := int(hostOrder.Uint16(b[0:]))
		typ := hostOrder.Uint16(b[2:]) &^ 0xc000 // NLA_F_NESTED, NLA_F_NET_BYTEORDER
		if n < 4 || n > len(b) {
			return fmt.Errorf("%w: attribute %d of %d bytes with %d left", ErrTruncated, typ, n, len(b))
		}
		f(typ, b[4:n])
		n = (n + 3) &^ 3
		if n > len(b) {
			n = len(b)
		}
		b = b[n:]
	}
	return nil
}
