//go:build linux

package capture

// Live capture on Linux: one AF_PACKET socket per capture, read through a
// TPACKET_V3 memory-mapped ring (ring_linux.go) or, where the ring cannot
// be set up (or SOCKSCOPE_LIVE_RING=0), with one recvmsg(2) per packet.
// Everything but the reading itself — the socket, the kernel filter with
// its loopback prologue, bind, the wait, the Frame we fill — is shared by
// the two. Why this shape:
//
//   - recvmsg with MSG_DONTWAIT into one buffer that lives as long as the
//     source, raw syscall and our own msghdr: no allocation per frame
//     (unix.Recvmsg allocates a Sockaddr each call).
//   - Timestamps are the kernel's, from the SO_TIMESTAMPNS control message.
//   - The frame's original length comes from the PACKET_AUXDATA control
//     message (tp_len), which stays right even when a filter's return value
//     made the kernel trim the frame; MSG_TRUNC is the fallback. AUXDATA
//     also carries VLAN tags that the NIC stripped, which we put back into
//     the frame as libpcap does.
//   - Waiting is ppoll(2) on the socket and an eventfd with a 50 ms timeout:
//     Close writes the eventfd and Next returns at once; a cancelled
//     context is noticed within 50 ms. Nothing ever sits in a blocking read
//     that Close cannot end (the trap pcapgo.EthernetHandle falls into).
//   - The socket is created with protocol 0, so it receives nothing until
//     bind(2); the kernel filter is attached before bind. No frame the filter
//     would reject can slip in first, and no drain step is needed (libpcap
//     creates its socket the same way).
//   - On a loopback interface the kernel hands packet sockets each packet
//     twice, once outgoing and once incoming. A small prologue to the
//     kernel filter rejects the outgoing copy (SKF_AD_PKTTYPE), and Next
//     checks sll_pkttype as well. On lo alone (not "any"),
//     PACKET_IGNORE_OUTGOING keeps the outgoing copies from reaching the
//     socket at all, which is cheaper for the sender. Outgoing frames on other interfaces are
//     real traffic and are kept.

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"unsafe"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

const (
	// pollInterval bounds how long Next waits before it looks at its
	// context again.
	pollInterval = 50_000_000 // ns

	defaultBufferSize = 4 << 20

	sllHeaderLen = 16 // Linux cooked capture v1 header
	vlanTagLen   = 4

	// The interface name tcpdump uses for all interfaces at once.
	anyInterface = "any"

	sizeofAuxdata = int(unsafe.Sizeof(unix.TpacketAuxdata{}))
)

// LiveSource reads frames from a network interface as they pass. Create one
// with OpenLive, call Next from one goroutine, and Close it (from any
// goroutine: a waiting Next returns ErrLiveClosed). Stats may be called from
// any goroutine.
type LiveSource struct {
	name     string
	ifindex  int // 0 for "any"
	linkType uint32
	snapLen  int
	cooked   bool    // SOCK_DGRAM: we write the SLL header ourselves
	vlan     bool    // Ethernet: put NIC-stripped VLAN tags back
	loIndex  []int32 // loopback interfaces whose outgoing copies we drop
	userVM   *bpf.VM // the filter, run here in cooked mode
	promisc  bool    // membership to drop on Close
	ifDropAt uint64  // /proc/net/dev drop count when opened
	ifDropOK bool    // ifDropAt is valid
	closed   atomic.Bool
	captured atomic.Uint64

	// readMu is held by Next for its whole call; Close takes it to wait
	// until Next has let go of the file descriptors.
	readMu sync.Mutex
	// mu guards fd and evfd against Close while Stats uses them, and the
	// accumulated counters.
	mu    sync.Mutex
	fd    int
	evfd  int
	stats LiveStats // Received, Dropped, Freezes so far (the kernel resets on read)

	// ring is the TPACKET_V3 ring Next reads, nil on the recvmsg path;
	// notice says why there is none ("" when the ring is in use or was
	// turned off by SOCKSCOPE_LIVE_RING=0).
	ring   *ring
	notice string

	// Next's working memory, reused for every frame.
	buf   []byte // headroom (VLAN tag or SLL header) + snapLen
	head  int    // that headroom
	oob   []byte // control messages; 8-byte aligned
	iov   unix.Iovec
	from  unix.RawSockaddrLinklayer
	msg   unix.Msghdr
	pfd   [2]unix.PollFd
	wait  unix.Timespec
	polls int // ppoll calls so far: lets a test see that waiting does not spin
}

// OpenLive opens a live capture. Errors are one line, fit to show a
// person: an unknown interface lists the ones there are, and a missing
// privilege wraps ErrNoPermission.
func OpenLive(opts LiveOptions) (*LiveSource, error) {
	name := opts.Interface
	ifs, err := interfaces()
	if err != nil {
		return nil, err
	}
	if name == "" {
		if name, err = defaultInterface(ifs); err != nil {
			return nil, err
		}
	}
	snap := opts.SnapLen
	if snap <= 0 {
		snap = DefaultSnapLen
	}
	if snap > MaxCapLen {
		snap = MaxCapLen
	}

	s := &LiveSource{name: name, snapLen: snap, fd: -1, evfd: -1}
	sockType := unix.SOCK_RAW
	if name == anyInterface {
		if opts.Promisc {
			return nil, errors.New(`capture on any: promiscuous mode is not supported on "any"; name an interface`)
		}
		s.cooked, s.linkType = true, LinkLinuxSLL
		for _, i := range ifs {
			if i.Loopback {
				s.loIndex = append(s.loIndex, int32(i.Index))
			}
		}
	} else {
		iface, ok := findInterface(ifs, name)
		if !ok {
			return nil, unknownInterfaceError(name, ifs)
		}
		if !iface.Up {
			return nil, fmt.Errorf(`capture on %s: the interface is down (bring it up with "ip link set %s up")`, name, name)
		}
		s.ifindex = iface.Index
		s.linkType = iface.LinkType
		s.cooked = iface.LinkType == LinkLinuxSLL
		s.vlan = iface.LinkType == LinkEthernet
		if iface.Loopback {
			s.loIndex = []int32{int32(iface.Index)}
		}
	}
	if s.cooked {
		sockType = unix.SOCK_DGRAM
		if opts.Filter != nil {
			// The kernel would run the program on the frame without the
			// SLL header it was compiled for, so run it here instead.
			prog := make([]bpf.Instruction, len(opts.Filter))
			for k, raw := range opts.Filter {
				prog[k] = raw.Disassemble()
			}
			if s.userVM, err = bpf.NewVM(prog); err != nil {
				return nil, fmt.Errorf("capture on %s: filter program not usable: %v", name, err)
			}
		}
	}

	// Protocol 0: no frames arrive until bind, after the filter is in place.
	fd, err := unix.Socket(unix.AF_PACKET, sockType|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		switch {
		case errors.Is(err, unix.EPERM) || errors.Is(err, unix.EACCES):
			return nil, noPermission(name, err)
		case errors.Is(err, unix.EAFNOSUPPORT):
			return nil, fmt.Errorf("capture on %s: this kernel has no packet sockets (AF_PACKET): %w", name, err)
		}
		return nil, fmt.Errorf("capture on %s: socket: %w", name, err)
	}
	s.fd = fd
	if err := s.setup(opts); err != nil {
		s.closeFDs()
		return nil, err
	}
	s.ifDropAt, s.ifDropOK = ifDrops(s.name)
	return s, nil
}

// setup configures the socket, attaches the filter and binds.
func (s *LiveSource) setup(opts LiveOptions) error {
	fail := func(what string, err error) error {
		return fmt.Errorf("capture on %s: %s: %w", s.name, what, err)
	}
	bufSize := opts.BufferSize
	// The ring first; without it, a socket buffer of bufSize.
	// SO_RCVBUFFORCE passes rmem_max with CAP_NET_ADMIN; else the kernel
	// caps SO_RCVBUF. Neither failure is fatal.
	if env := os.Getenv(ringEnv); env != "0" {
		size := opts.BufferSize
		if mib, err := strconv.Atoi(env); err == nil && mib > 0 && size <= 0 {
			size = min(mib, 1<<12) << 20
		}
		r, err := setupRing(s.fd, s.snapLen, size)
		if err != nil {
			s.notice = fmt.Sprintf("capture on %s: no memory-mapped ring (%v): reading one packet per recvmsg", s.name, err)
		}
		s.ring = r
	}
	if s.ring == nil {
		if bufSize <= 0 {
			bufSize = defaultBufferSize
		}
		if unix.SetsockoptInt(s.fd, unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, bufSize) != nil {
			_ = unix.SetsockoptInt(s.fd, unix.SOL_SOCKET, unix.SO_RCVBUF, bufSize)
		}
	}
	if err := unix.SetsockoptInt(s.fd, unix.SOL_PACKET, unix.PACKET_AUXDATA, 1); err != nil {
		return fail("PACKET_AUXDATA", err)
	}
	if err := unix.SetsockoptInt(s.fd, unix.SOL_SOCKET, unix.SO_TIMESTAMPNS, 1); err != nil {
		return fail("SO_TIMESTAMPNS", err)
	}

	user := opts.Filter
	if s.cooked {
		user = nil // run in user space, see OpenLive
	}
	prog, err := kernelProgram(user, s.snapLen, s.loIndex, s.ifindex == 0)
	if err != nil {
		return fmt.Errorf("capture on %s: %w", s.name, err)
	}
	if len(prog) > 0 {
		filter := make([]unix.SockFilter, len(prog))
		for k, r := range prog {
			filter[k] = unix.SockFilter{Code: r.Op, Jt: r.Jt, Jf: r.Jf, K: r.K}
		}
		fprog := unix.SockFprog{Len: uint16(len(filter)), Filter: &filter[0]}
		if err := unix.SetsockoptSockFprog(s.fd, unix.SOL_SOCKET, unix.SO_ATTACH_FILTER, &fprog); err != nil {
			if errors.Is(err, unix.ENOMEM) && user != nil {
				// Over net.core.optmem_max: too long for this kernel too.
				err = fmt.Errorf("%w: %w", ErrFilterTooLong, err)
			}
			return fail("the kernel rejected the filter program", err)
		}
	}

	if s.ifindex != 0 && len(s.loIndex) > 0 && ignoreOutgoing {
		// On one loopback interface every outgoing packet is the twin of
		// an incoming one: ask the kernel (4.20 on) not to hand them to
		// us at all, which saves the clone and the filter run that the
		// sender pays for each. The prologue above still rejects them
		// where the option is unknown.
		_ = unix.SetsockoptInt(s.fd, unix.SOL_PACKET, unix.PACKET_IGNORE_OUTGOING, 1)
	}

	sa := &unix.SockaddrLinklayer{Protocol: htons(unix.ETH_P_ALL), Ifindex: s.ifindex}
	if err := unix.Bind(s.fd, sa); err != nil {
		if errors.Is(err, unix.ENODEV) || errors.Is(err, unix.ENXIO) {
			return fmt.Errorf("capture on %s: the interface disappeared", s.name)
		}
		return fail("bind", err)
	}
	if opts.Promisc {
		mreq := unix.PacketMreq{Ifindex: int32(s.ifindex), Type: unix.PACKET_MR_PROMISC}
		if err := unix.SetsockoptPacketMreq(s.fd, unix.SOL_PACKET, unix.PACKET_ADD_MEMBERSHIP, &mreq); err != nil {
			return fail("promiscuous mode", err)
		}
		s.promisc = true
	}

	evfd, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		return fail("eventfd", err)
	}
	s.evfd = evfd

	head := 0
	switch {
	case s.cooked:
		head = sllHeaderLen
	case s.vlan:
		head = vlanTagLen
	}
	s.buf = make([]byte, head+s.snapLen)
	s.head = head
	oob := make([]uint64, (unix.CmsgSpace(sizeofAuxdata)+unix.CmsgSpace(int(unsafe.Sizeof(unix.Timespec{})))+64)/8)
	s.oob = unsafe.Slice((*byte)(unsafe.Pointer(&oob[0])), len(oob)*8)
	s.iov.Base = &s.buf[head]
	s.iov.SetLen(s.snapLen)
	s.msg.Name = (*byte)(unsafe.Pointer(&s.from))
	s.msg.Iov = &s.iov
	s.msg.SetIovlen(1)
	s.msg.Control = &s.oob[0]
	s.pfd = [2]unix.PollFd{{Fd: int32(s.fd), Events: unix.POLLIN}, {Fd: int32(s.evfd), Events: unix.POLLIN}}
	return nil
}

// ignoreOutgoing says whether a capture on one loopback interface asks for
// PACKET_IGNORE_OUTGOING; tests turn it off to check the filter's prologue
// alone.
var ignoreOutgoing = true

// kernelProgram builds the program attached to the socket: a prologue that
// rejects the outgoing copy of loopback packets (when loIndex is not
// empty), then the user's filter, or "keep snapLen bytes" when there is
// none. anyDev says the socket sees every interface, so the prologue must
// also check the interface index.
func kernelProgram(user []bpf.RawInstruction, snapLen int, loIndex []int32, anyDev bool) ([]bpf.RawInstruction, error) {
	var prog []bpf.RawInstruction
	asm := func(in bpf.Instruction) {
		raw, err := in.Assemble()
		if err != nil {
			panic(err) // only fixed, valid instructions come here
		}
		prog = append(prog, raw)
	}
	if len(loIndex) > 0 {
		// A = pkttype; outgoing → next, else skip to the user part.
		//   single interface:  ld type; jeq OUTGOING ? 0 : 1; ret 0
		//   any:               ld type; jeq OUTGOING ? 0 : k+2;
		//                      ld ifindex; jeq lo1 ? k-1 : 0; ...; jeq lok ? 0 : 1; ret 0
		asm(bpf.LoadExtension{Num: bpf.ExtType})
		if !anyDev {
			asm(bpf.JumpIf{Cond: bpf.JumpEqual, Val: unix.PACKET_OUTGOING, SkipFalse: 1})
		} else {
			k := len(loIndex)
			asm(bpf.JumpIf{Cond: bpf.JumpEqual, Val: unix.PACKET_OUTGOING, SkipFalse: uint8(k + 2)})
			asm(bpf.LoadExtension{Num: bpf.ExtInterfaceIndex})
			for i, idx := range loIndex {
				if i < k-1 {
					asm(bpf.JumpIf{Cond: bpf.JumpEqual, Val: uint32(idx), SkipTrue: uint8(k - 1 - i)})
				} else {
					asm(bpf.JumpIf{Cond: bpf.JumpEqual, Val: uint32(idx), SkipFalse: 1})
				}
			}
		}
		asm(bpf.RetConstant{Val: 0})
		if user != nil {
			// The user's program may count on starting with A = 0.
			asm(bpf.LoadConstant{Dst: bpf.RegA, Val: 0})
		}
	}
	if user == nil {
		asm(bpf.RetConstant{Val: uint32(snapLen)})
	} else {
		prog = append(prog, user...)
	}
	if len(prog) > 4096 { // BPF_MAXINSNS
		return nil, fmt.Errorf("%w (%d instructions, the kernel takes 4096)", ErrFilterTooLong, len(prog))
	}
	return prog, nil
}

// Next waits for the next frame and fills f with it. It returns ctx.Err()
// within 50 ms of ctx being done, ErrLiveClosed once Close has been called,
// or the error that ended the capture (the interface went down, ...).
// f.Data is valid until the next call to Next. Next is not safe for
// concurrent use with itself.
func (s *LiveSource) Next(ctx context.Context, f *Frame) error {
	s.readMu.Lock()
	defer s.readMu.Unlock()
	if s.ring != nil {
		return s.nextRing(ctx, f)
	}
	done := ctx.Done()
	for {
		if s.closed.Load() {
			return ErrLiveClosed
		}
		if done != nil {
			select {
			case <-done:
				return ctx.Err()
			default:
			}
		}
		n, errno := s.recv()
		switch errno {
		case 0:
			if s.fill(f, n) {
				s.captured.Add(1)
				return nil
			}
		case unix.EAGAIN, unix.EINTR:
			// The raw ppoll syscall writes the time left back into its
			// timeout (glibc hides this): set it afresh every time, or
			// after the first timeout it is zero and this loop spins.
			if err := s.wait50(); err != nil {
				return err
			}
		default:
			return s.readError("recvmsg", errno)
		}
	}
}

// wait50 waits in ppoll until the socket has something, Close writes the
// eventfd, or pollInterval has passed.
func (s *LiveSource) wait50() error {
	// The raw ppoll syscall writes the time left back into its
	// timeout (glibc hides this): set it afresh every time, or
	// after the first timeout it is zero and the caller spins.
	s.wait = unix.NsecToTimespec(pollInterval)
	s.polls++
	_, err := unix.Ppoll(s.pfd[:], &s.wait, nil)
	if err != nil && err != unix.EINTR {
		return fmt.Errorf("capture on %s: poll: %w", s.name, err)
	}
	return nil
}

// readError is the error that ends a capture whose socket reported errno.
func (s *LiveSource) readError(op string, errno syscall.Errno) error {
	switch errno {
	case unix.ENETDOWN:
		return fmt.Errorf("capture on %s: the interface went down: %w", s.name, errno)
	case unix.ENXIO, unix.ENODEV:
		return fmt.Errorf("capture on %s: the interface disappeared: %w", s.name, errno)
	}
	return fmt.Errorf("capture on %s: %s: %w", s.name, op, errno)
}

// nextRing is Next on the ring: packets of the blocks the kernel has
// handed over, then a wait of at most pollInterval when there are none.
func (s *LiveSource) nextRing(ctx context.Context, f *Frame) error {
	done := ctx.Done()
	for {
		if s.closed.Load() {
			return ErrLiveClosed
		}
		if done != nil {
			select {
			case <-done:
				return ctx.Err()
			default:
			}
		}
		if p, ok := s.ring.next(); ok {
			keep := s.fillRing(f, &p)
			s.ring.done()
			if keep {
				s.captured.Add(1)
				return nil
			}
			continue
		}
		if err := s.wait50(); err != nil {
			return err
		}
		if s.pfd[0].Revents&(unix.POLLERR|unix.POLLHUP|unix.POLLNVAL) != 0 {
			// The interface went down or away (sk_err): what recvmsg
			// would have returned. Frames still in the ring come first.
			if s.ring.ready() {
				continue
			}
			if e, err := unix.GetsockoptInt(s.fd, unix.SOL_SOCKET, unix.SO_ERROR); err == nil && e != 0 {
				return s.readError("ring", syscall.Errno(e))
			}
		}
	}
}

// fillRing turns a packet of the ring into f, copying its bytes into the
// source's buffer. It returns false for a frame to skip.
func (s *LiveSource) fillRing(f *Frame, p *ringPacket) bool {
	h := p.hdr
	n := copy(s.buf[s.head:], p.data)
	var vt vlanTag
	if h.Status&unix.TP_STATUS_VLAN_VALID != 0 {
		vt.ok, vt.tci, vt.tpid = true, uint16(h.Hv1.Vlan_tci), 0x8100
		if h.Status&unix.TP_STATUS_VLAN_TPID_VALID != 0 {
			vt.tpid = h.Hv1.Vlan_tpid
		}
	}
	return s.build(f, p.from, int(h.Len), n, vt, int64(h.Sec), int64(h.Nsec), true)
}

// vlanTag is a VLAN tag the NIC took out of a frame.
type vlanTag struct {
	ok        bool
	tci, tpid uint16
}

// recv reads one frame without waiting. n is the frame's length as the
// kernel delivered it (MSG_TRUNC), which may exceed the buffer.
func (s *LiveSource) recv() (n int, errno syscall.Errno) {
	s.msg.Namelen = unix.SizeofSockaddrLinklayer
	s.msg.SetControllen(len(s.oob))
	s.msg.Flags = 0
	r, _, e := unix.Syscall(unix.SYS_RECVMSG, uintptr(s.fd), uintptr(unsafe.Pointer(&s.msg)), unix.MSG_TRUNC|unix.MSG_DONTWAIT)
	return int(r), e
}

// fill turns the frame just received (n bytes delivered) into f. It
// returns false for a frame to skip.
func (s *LiveSource) fill(f *Frame, n int) bool {
	wire := n
	var ts *unix.Timespec
	var aux *unix.TpacketAuxdata
	oob := s.oob[:s.msg.Controllen]
	for len(oob) >= unix.SizeofCmsghdr {
		h := (*unix.Cmsghdr)(unsafe.Pointer(&oob[0]))
		if h.Len < unix.SizeofCmsghdr || uint64(h.Len) > uint64(len(oob)) {
			break
		}
		data := oob[unix.CmsgLen(0):h.Len]
		switch {
		case h.Level == unix.SOL_SOCKET && h.Type == unix.SCM_TIMESTAMPNS && len(data) >= int(unsafe.Sizeof(unix.Timespec{})):
			ts = (*unix.Timespec)(unsafe.Pointer(&data[0]))
		case h.Level == unix.SOL_PACKET && h.Type == unix.PACKET_AUXDATA && len(data) >= sizeofAuxdata:
			aux = (*unix.TpacketAuxdata)(unsafe.Pointer(&data[0]))
		}
		next := unix.CmsgSpace(int(h.Len) - unix.CmsgLen(0))
		if next >= len(oob) {
			break
		}
		oob = oob[next:]
	}
	var vt vlanTag
	if aux != nil {
		wire = int(aux.Len) // before any trimming by the filter's return value
		if aux.Status&unix.TP_STATUS_VLAN_VALID != 0 {
			vt.ok, vt.tci, vt.tpid = true, aux.Vlan_tci, 0x8100
			if aux.Status&unix.TP_STATUS_VLAN_TPID_VALID != 0 {
				vt.tpid = aux.Vlan_tpid
			}
		}
	}
	var sec, nsec int64
	if ts != nil {
		sec, nsec = int64(ts.Sec), int64(ts.Nsec)
	}
	return s.build(f, &s.from, wire, min(n, s.snapLen), vt, sec, nsec, ts != nil)
}

// build fills f with the frame whose captured bytes are in s.buf from
// s.head on (capLen of them), wire bytes long before any trimming, received
// from `from`. It returns false for a frame to skip.
func (s *LiveSource) build(f *Frame, from *unix.RawSockaddrLinklayer, wire, capLen int, vt vlanTag, sec, nsec int64, hasTime bool) bool {
	if from.Pkttype == unix.PACKET_OUTGOING && s.isLoopback(from.Ifindex) {
		return false // the kernel filter already drops these; belt and braces
	}
	var data []byte
	switch {
	case s.cooked:
		h := s.buf[:sllHeaderLen]
		binary.BigEndian.PutUint16(h[0:], uint16(from.Pkttype))
		binary.BigEndian.PutUint16(h[2:], from.Hatype)
		binary.BigEndian.PutUint16(h[4:], uint16(from.Halen))
		copy(h[6:14], from.Addr[:])
		binary.NativeEndian.PutUint16(h[14:], from.Protocol) // already network order
		// Like libpcap, the snapshot length counts the header we add.
		data = s.buf[:min(sllHeaderLen+capLen, s.snapLen)]
		wire += sllHeaderLen
		if s.userVM != nil {
			keep, err := s.userVM.Run(data)
			if err != nil || keep == 0 {
				return false
			}
			data = data[:min(keep, len(data))]
		}
	case s.vlan && vt.ok && capLen >= 12:
		// The NIC took the 802.1Q tag out; put it back after the MACs.
		copy(s.buf[0:12], s.buf[vlanTagLen:vlanTagLen+12])
		binary.BigEndian.PutUint16(s.buf[12:], vt.tpid)
		binary.BigEndian.PutUint16(s.buf[14:], vt.tci)
		data = s.buf[:min(capLen+vlanTagLen, s.snapLen)]
		wire += vlanTagLen
	case s.vlan:
		data = s.buf[vlanTagLen : vlanTagLen+capLen]
	default:
		data = s.buf[:capLen]
	}

	*f = Frame{LinkType: s.linkType, Len: max(wire, len(data)), Data: data, Sec: sec, Nsec: nsec, NoTime: !hasTime}
	return true
}

func (s *LiveSource) isLoopback(ifindex int32) bool {
	for _, i := range s.loIndex {
		if i == ifindex {
			return true
		}
	}
	return false
}

// Stats returns the capture's counters so far. It may be called from any
// goroutine, also after Close (it then returns the final counts).
func (s *LiveSource) Stats() (LiveStats, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var err error
	if s.fd >= 0 {
		err = s.pollStatsLocked()
	}
	st := s.stats
	st.Captured = s.captured.Load()
	if s.ifDropOK {
		if now, ok := ifDrops(s.name); ok && now >= s.ifDropAt {
			st.IfDropped = now - s.ifDropAt
		}
	}
	return st, err
}

// pollStatsLocked adds the kernel's counters since the last read: reading
// PACKET_STATISTICS resets them.
func (s *LiveSource) pollStatsLocked() error {
	if s.ring != nil {
		ks, err := unix.GetsockoptTpacketStatsV3(s.fd, unix.SOL_PACKET, unix.PACKET_STATISTICS)
		if err != nil {
			return fmt.Errorf("capture on %s: PACKET_STATISTICS: %w", s.name, err)
		}
		s.stats.Received += uint64(ks.Packets) // includes the drops
		s.stats.Dropped += uint64(ks.Drops)
		s.stats.Freezes += uint64(ks.Freeze_q_cnt)
		return nil
	}
	ks, err := unix.GetsockoptTpacketStats(s.fd, unix.SOL_PACKET, unix.PACKET_STATISTICS)
	if err != nil {
		return fmt.Errorf("capture on %s: PACKET_STATISTICS: %w", s.name, err)
	}
	s.stats.Received += uint64(ks.Packets) // includes the drops
	s.stats.Dropped += uint64(ks.Drops)
	return nil
}

// Ring reports whether frames come through the memory-mapped TPACKET_V3
// ring, and the ring's size in bytes.
func (s *LiveSource) Ring() (bool, int) {
	if s.ring == nil {
		return false, 0
	}
	return true, s.ring.blockSize * s.ring.blocks
}

// Notice is one line saying why this capture reads one packet per recvmsg
// instead of through the ring (the kernel refused the ring, or there is not
// the memory for it), or "" when the ring is in use or was turned off with
// SOCKSCOPE_LIVE_RING=0. It is for a debug or verbose line: the capture
// works either way.
func (s *LiveSource) Notice() string { return s.notice }

// LinkType is the LINKTYPE_* of every frame this source returns.
func (s *LiveSource) LinkType() uint32 { return s.linkType }

// Interface is the name of the interface captured on ("any" for all).
func (s *LiveSource) Interface() string { return s.name }

// SnapLen is the most bytes kept of each frame.
func (s *LiveSource) SnapLen() int { return s.snapLen }

// Close stops the capture and releases the socket (and promiscuous mode).
// It may be called from any goroutine, more than once; a Next waiting in
// another goroutine returns ErrLiveClosed at once.
func (s *LiveSource) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	if s.evfd >= 0 {
		var one [8]byte
		binary.NativeEndian.PutUint64(one[:], 1)
		_, _ = unix.Write(s.evfd, one[:]) // wakes a Next waiting in ppoll
	}
	s.readMu.Lock() // wait for Next to let go of the descriptors
	defer s.readMu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fd >= 0 {
		_ = s.pollStatsLocked() // keep the final counts for Stats
	}
	return s.closeFDs()
}

func (s *LiveSource) closeFDs() error {
	var err error
	if s.fd >= 0 {
		if s.promisc {
			// The kernel also drops the membership when the socket
			// closes; say it explicitly anyway.
			mreq := unix.PacketMreq{Ifindex: int32(s.ifindex), Type: unix.PACKET_MR_PROMISC}
			_ = unix.SetsockoptPacketMreq(s.fd, unix.SOL_PACKET, unix.PACKET_DROP_MEMBERSHIP, &mreq)
		}
		err = unix.Close(s.fd)
		s.fd = -1
	}
	if s.ring != nil {
		s.ring.close() // Frame.Data is in s.buf, never in the ring
	}
	if s.evfd >= 0 {
		_ = unix.Close(s.evfd)
		s.evfd = -1
	}
	return err
}

func htons(v uint16) uint16 { return v<<8 | v>>8 }

// linkTypeFor maps a hardware type to the LINKTYPE_* a raw (SOCK_RAW)
// capture produces, following libpcap's map_arphrd_to_dlt; types it has no
// raw mapping for get LinkLinuxSLL and are captured in cooked mode
// (SOCK_DGRAM), as libpcap does.
func linkTypeFor(arphrd uint16) uint32 {
	switch arphrd {
	case unix.ARPHRD_ETHER, unix.ARPHRD_METRICOM,
		unix.ARPHRD_LOOPBACK: // Linux loopback frames carry an Ethernet header with zero MACs
		return LinkEthernet
	case unix.ARPHRD_IEEE802, unix.ARPHRD_IEEE802_TR:
		return 6 // LINKTYPE_IEEE802_5
	case unix.ARPHRD_IEEE80211:
		return 105 // LINKTYPE_IEEE802_11
	case unix.ARPHRD_IEEE80211_PRISM:
		return 119 // LINKTYPE_IEEE802_11_PRISM
	case unix.ARPHRD_IEEE80211_RADIOTAP:
		return 127 // LINKTYPE_IEEE802_11_RADIOTAP
	case unix.ARPHRD_CAN:
		return 227 // LINKTYPE_CAN_SOCKETCAN
	case unix.ARPHRD_CISCO:
		return 104 // LINKTYPE_C_HDLC
	case unix.ARPHRD_FRAD:
		return 107 // LINKTYPE_FRELAY
	case unix.ARPHRD_IEEE802154:
		return 230 // LINKTYPE_IEEE802_15_4_NOFCS
	case unix.ARPHRD_VSOCKMON:
		return 271 // LINKTYPE_VSOCK
	case unix.ARPHRD_NONE, // tun, WireGuard: the frame is the IP packet
		unix.ARPHRD_TUNNEL, unix.ARPHRD_SIT, unix.ARPHRD_CSLIP, unix.ARPHRD_SLIP6,
		unix.ARPHRD_CSLIP6, unix.ARPHRD_ADAPT, unix.ARPHRD_SLIP, unix.ARPHRD_RAWHDLC,
		unix.ARPHRD_DLCI:
		return LinkRaw
	}
	return LinkLinuxSLL // PPP, ATM, ip6tnl, GRE, rmnet, ...: cooked
}

// interfaces lists the interfaces of the current network namespace with an
// RTM_GETLINK dump (net.Interfaces does the same but drops the hardware
// type; /sys/class/net may show another namespace's interfaces).
func interfaces() ([]IfaceInfo, error) {
	rib, err := syscall.NetlinkRIB(syscall.RTM_GETLINK, syscall.AF_UNSPEC)
	if err != nil {
		return nil, fmt.Errorf("capture: listing interfaces: %w", os.NewSyscallError("netlinkrib", err))
	}
	msgs, err := syscall.ParseNetlinkMessage(rib)
	if err != nil {
		return nil, fmt.Errorf("capture: listing interfaces: %w", os.NewSyscallError("parsenetlinkmessage", err))
	}
	var ifs []IfaceInfo
	for _, m := range msgs {
		if m.Header.Type != syscall.RTM_NEWLINK || len(m.Data) < syscall.SizeofIfInfomsg {
			continue
		}
		ifi := (*syscall.IfInfomsg)(unsafe.Pointer(&m.Data[0]))
		attrs, err := syscall.ParseNetlinkRouteAttr(&m)
		if err != nil {
			continue
		}
		info := IfaceInfo{
			Index:    int(ifi.Index),
			Up:       ifi.Flags&unix.IFF_UP != 0,
			Running:  ifi.Flags&unix.IFF_RUNNING != 0,
			Loopback: ifi.Flags&unix.IFF_LOOPBACK != 0,
			ARPHRD:   ifi.Type,
			LinkType: linkTypeFor(ifi.Type),
		}
		for _, a := range attrs {
			if a.Attr.Type == syscall.IFLA_IFNAME {
				info.Name = strings.TrimRight(string(a.Value), "\x00")
			}
		}
		if info.Name != "" {
			ifs = append(ifs, info)
		}
	}
	return ifs, nil
}

// ifDrops reads the receive "drop" counter of interface name from
// /proc/net/dev, which (unlike /sys/class/net) always describes the
// current network namespace.
func ifDrops(name string) (uint64, bool) {
	if name == anyInterface {
		return 0, false
	}
	f, err := os.Open("/proc/net/dev")
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		iface, counters, ok := strings.Cut(sc.Text(), ":")
		if !ok || strings.TrimSpace(iface) != name {
			continue
		}
		// receive: bytes packets errs drop fifo frame compressed multicast
		fields := strings.Fields(counters)
		if len(fields) < 4 {
			return 0, false
		}
		v, err := strconv.ParseUint(fields[3], 10, 64)
		return v, err == nil
	}
	return 0, false
}
