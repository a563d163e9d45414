package socktable

import "encoding/binary"

// The kernel's ABI for sock_diag, as in linux/netlink.h, linux/sock_diag.h,
// linux/inet_diag.h and linux/unix_diag.h. They are written out here, not
// taken from golang.org/x/sys/unix, so that the parser builds and is tested
// on every system; abi_linux_test.go checks them against x/sys/unix.
const (
	nlmsgHdrLen = 16 // struct nlmsghdr: len u32, type u16, flags u16, seq u32, pid u32

	nlmsgError = 2 // NLMSG_ERROR
	nlmsgDone  = 3 // NLMSG_DONE

	nlmFRequest = 0x1   // NLM_F_REQUEST
	nlmFDump    = 0x300 // NLM_F_ROOT|NLM_F_MATCH

	sockDiagByFamily = 20 // SOCK_DIAG_BY_FAMILY

	afUnix  = 1  // AF_UNIX
	afInet  = 2  // AF_INET
	afInet6 = 10 // AF_INET6

	ipprotoTCP = 6
	ipprotoUDP = 17

	// struct inet_diag_req_v2: family u8, protocol u8, ext u8, pad u8,
	// states u32, then struct inet_diag_sockid (48 bytes).
	inetReqLen = 56
	// struct inet_diag_msg: family, state, timer, retrans (u8 each),
	// inet_diag_sockid (sport, dport be16; src, dst [4]be32; if u32;
	// cookie [2]u32), then expires, rqueue, wqueue, uid, inode (u32 each).
	inetMsgLen = 72

	inetDiagSKV6Only = 11 // INET_DIAG_SKV6ONLY: u8

	// struct unix_diag_req: family u8, protocol u8, pad u16, states u32,
	// ino u32, show u32, cookie [2]u32.
	unixReqLen = 24
	// struct unix_diag_msg: family u8, type u8, state u8, pad u8, ino u32,
	// cookie [2]u32.
	unixMsgLen = 16

	udiagShowName  = 0x01 // UDIAG_SHOW_NAME
	udiagShowPeer  = 0x04 // UDIAG_SHOW_PEER
	udiagShowRQLen = 0x10 // UDIAG_SHOW_RQLEN
	udiagShowUID   = 0x40 // UDIAG_SHOW_UID (Linux 5.3)

	unixDiagName  = 0 // UNIX_DIAG_NAME: the sun_path bytes
	unixDiagPeer  = 2 // UNIX_DIAG_PEER: u32 peer inode
	unixDiagRQLen = 4 // UNIX_DIAG_RQLEN: struct unix_diag_rqlen {rqueue, wqueue u32}
	unixDiagUID   = 7 // UNIX_DIAG_UID: u32

	sockStream    = 1 // SOCK_STREAM
	sockDgram     = 2 // SOCK_DGRAM
	sockSeqpacket = 5 // SOCK_SEQPACKET

	allStates = 0xffffffff // every TCP state, TIME-WAIT and request sockets included
)

// A request is one dump: its family and protocol, and for reading the reply
// the protocol its entries have.
type request struct {
	family   uint8
	protocol uint8 // IPPROTO_TCP or IPPROTO_UDP; 0 for AF_UNIX
}

// requests are the dumps List makes, in the order it lists them: ss's
// order for -tuan (UDP before TCP, IPv4 before IPv6), then AF_UNIX.
var requests = []request{
	{afInet, ipprotoUDP},
	{afInet6, ipprotoUDP},
	{afInet, ipprotoTCP},
	{afInet6, ipprotoTCP},
	{afUnix, 0},
}

// hostOrder is the byte order of the kernel's structures on the machines
// sockscope is built for (amd64, arm64, 386, arm, riscv64, loong64 …: all
// little-endian). Ports and addresses inside them are in network order.
var hostOrder = binary.LittleEndian

// encode returns the netlink message asking the kernel for r's dump, with
// sequence number seq.
func (r request) encode(seq uint32) []byte {
	body := inetReqLen
	if r.family == afUnix {
		body = unixReqLen
	}
	b := make([]byte, nlmsgHdrLen+body)
	hostOrder.PutUint32(b[0:], uint32(len(b)))
	hostOrder.PutUint16(b[4:], sockDiagByFamily)
	hostOrder.PutUint16(b[6:], nlmFRequest|nlmFDump)
	hostOrder.PutUint32(b[8:], seq)
	// pid 0: the kernel
	p := b[nlmsgHdrLen:]
	p[0] = r.family
	p[1] = r.protocol
	if r.family == afUnix {
		hostOrder.PutUint32(p[4:], allStates)
		hostOrder.PutUint32(p[12:], udiagShowName|udiagShowPeer|udiagShowRQLen|udiagShowUID)
		return b
	}
	hostOrder.PutUint32(p[4:], allStates)
	// the socket id stays zero: every socket, any address, any port
	return b
}
