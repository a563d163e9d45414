//go:build linux

package capture

// The TPACKET_V3 receive ring of a live capture (see packet(7) and the
// kernel's Documentation/networking/packet_mmap.rst). Why this shape:
//
//   - One mmap'd ring of blocks shared with the kernel: the kernel writes
//     packets back to back into the current block and hands the block over
//     (block_status |= TP_STATUS_USER) when it is full or when
//     tp_retire_blk_tov has passed since its first packet, so a quiet link
//     still shows a lone packet within ringRetire. We read blocks in ring
//     order, walk each block's list of tpacket3_hdr, and give the block
//     back (block_status = TP_STATUS_KERNEL) as soon as its last packet has
//     been copied out. No system call per packet: ppoll only when the next
//     block is not ours yet.
//   - Each packet is copied out of the ring into the source's own buffer,
//     as recvmsg would have done, so Frame.Data stays valid until the next
//     Next even if Close (from another goroutine) unmaps the ring, and a
//     block is never kept from the kernel for longer than it takes to copy
//     its packets. The copy costs a few tens of ns for a small packet.
//   - Timestamps are the ring headers' tp_sec/tp_nsec, in nanoseconds for
//     TPACKET_V3, on CLOCK_REALTIME: the skb's receive stamp (taken because
//     SO_TIMESTAMPNS is on, TP_STATUS_TS_SOFTWARE), else the time the
//     packet socket saw it (no TS flag). Hardware stamps are never asked
//     for (no PACKET_TIMESTAMP).
//   - tp_len is the frame's length before the filter's return value or the
//     snapshot length trimmed it, as PACKET_AUXDATA's tp_len is on the
//     recvmsg path; NIC-stripped VLAN tags come in tp_vlan_tci/tpid.
//   - The kernel filter (loopback outgoing copies dropped, the user's
//     program) runs before the ring as before: rejected packets cost no
//     ring space and are not counted.
//   - Counters: PACKET_STATISTICS with a tpacket_stats_v3 (packets, drops,
//     freeze count), reset by the kernel on every read.
//
// Sizes: blocks are a power of two of pages, big enough for one frame of
// the snapshot length (the kernel truncates a frame longer than a block
// and keeps its tp_len) and at least ringMinBlock; the ring is
// LiveOptions.BufferSize (0 = defaultRingSize) cut into such blocks, at
// least ringMinBlocks of them.

import (
	"fmt"
	"os"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"
)

const (
	defaultRingSize = 16 << 20
	ringMinBlock    = 128 << 10
	ringMaxBlock    = 4 << 20
	ringMinBlocks   = 2
	// ringRetire is tp_retire_blk_tov in milliseconds: the longest a packet
	// waits in a block that is not full before the kernel hands it over.
	ringRetire = 20

	// tpacketAlign is TPACKET_ALIGNMENT.
	tpacketAlign = 16
	// blockDescLen is BLK_PLUS_PRIV(0): the block descriptor, 8-aligned.
	blockDescLen = 48
	// sllOffset is where the sockaddr_ll follows a tpacket3_hdr:
	// TPACKET_ALIGN(sizeof(struct tpacket3_hdr)).
	sllOffset = (unix.SizeofTpacket3Hdr + tpacketAlign - 1) &^ (tpacketAlign - 1)
	// ringHeadroom bounds the bytes in front of a frame's data in a block:
	// tpacket3_hdr, sockaddr_ll, alignment.
	ringHeadroom = 128

	// ringEnv names the environment variable that turns the ring off
	// (SOCKSCOPE_LIVE_RING=0): live capture then reads one packet per
	// recvmsg, as before the ring. For comparisons (scripts/bench-live.sh)
	// and as a way out should a kernel misbehave. A number N > 0 makes
	// the ring N MiB where LiveOptions.BufferSize is 0 (the command line
	// has no -B).
	ringEnv = "SOCKSCOPE_LIVE_RING"
)

// ring is a mapped TPACKET_V3 receive ring and the reader's place in it.
type ring struct {
	mem       []byte
	blockSize int
	blocks    int
	cur       int     // the block being read, or waited for
	off       uintptr // offset in block cur of the next packet
	left      uint32  // packets of block cur not read yet; 0: cur is not ours yet
}

// ringGeometry returns the block size and count for a snapshot length and
// a ring size in bytes.
func ringGeometry(snapLen, size int) (blockSize, blocks int) {
	if size <= 0 {
		size = defaultRingSize
	}
	need := blockDescLen + ringHeadroom + vlanTagLen + snapLen
	blockSize = ringMinBlock
	for blockSize < need && blockSize < ringMaxBlock {
		blockSize *= 2
	}
	if page := os.Getpagesize(); blockSize < page {
		blockSize = page
	}
	blocks = max(size/blockSize, ringMinBlocks)
	return blockSize, blocks
}

// setupRing asks for TPACKET_V3 and a receive ring on fd, and maps it. It
// must run before bind. On error fd is left as it was (version 1, no
// ring) so that recvmsg still works.
func setupRing(fd, snapLen, size int) (*ring, error) {
	if err := unix.SetsockoptInt(fd, unix.SOL_PACKET, unix.PACKET_VERSION, unix.TPACKET_V3); err != nil {
		return nil, fmt.Errorf("PACKET_VERSION TPACKET_V3: %w", err)
	}
	blockSize, blocks := ringGeometry(snapLen, size)
	req := unix.TpacketReq3{
		Block_size: uint32(blockSize),
		Block_nr:   uint32(blocks),
		// TPACKET_V3 packs frames of any size into a block; the frame
		// fields only have to be consistent.
		Frame_size:     uint32(blockSize),
		Frame_nr:       uint32(blocks),
		Retire_blk_tov: ringRetire,
	}
	undo := func() { _ = unix.SetsockoptInt(fd, unix.SOL_PACKET, unix.PACKET_VERSION, unix.TPACKET_V1) }
	if err := unix.SetsockoptTpacketReq3(fd, unix.SOL_PACKET, unix.PACKET_RX_RING, &req); err != nil {
		undo()
		return nil, fmt.Errorf("PACKET_RX_RING (%d blocks of %d KiB): %w", blocks, blockSize>>10, err)
	}
	mem, err := unix.Mmap(fd, 0, blockSize*blocks, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED|unix.MAP_POPULATE)
	if err != nil {
		// A ring of zero blocks takes the ring away again.
		_ = unix.SetsockoptTpacketReq3(fd, unix.SOL_PACKET, unix.PACKET_RX_RING, &unix.TpacketReq3{})
		undo()
		return nil, fmt.Errorf("mmap of the %d MiB ring: %w", blockSize*blocks>>20, err)
	}
	return &ring{mem: mem, blockSize: blockSize, blocks: blocks}, nil
}

func (r *ring) close() {
	if r.mem != nil {
		_ = unix.Munmap(r.mem)
		r.mem = nil
	}
}

// blockHdr is the tpacket_hdr_v1 of block i.
func (r *ring) blockHdr(i int) *unix.TpacketHdrV1 {
	d := (*unix.TpacketBlockDesc)(unsafe.Pointer(&r.mem[i*r.blockSize]))
	return (*unix.TpacketHdrV1)(unsafe.Pointer(&d.Hdr[0]))
}

// ringPacket is where the next packet is: its header, its link-layer
// address and its bytes inside the ring.
type ringPacket struct {
	hdr  *unix.Tpacket3Hdr
	from *unix.RawSockaddrLinklayer
	data []byte
}

// next returns the next packet of the ring if the kernel has handed over
// the block it is in, or ok = false when the reader must wait. The packet
// stays valid until the following call to next or release.
func (r *ring) next() (p ringPacket, ok bool) {
	for r.left == 0 {
		h := r.blockHdr(r.cur)
		if atomic.LoadUint32(&h.Block_status)&unix.TP_STATUS_USER == 0 {
			return p, false
		}
		r.left, r.off = h.Num_pkts, uintptr(h.Offset_to_first_pkt)
		if r.left == 0 {
			r.release() // an empty block (the kernel does not send them, but)
		}
	}
	base := r.cur * r.blockSize
	at := base + int(r.off)
	if int(r.off)+sllOffset+int(unsafe.Sizeof(unix.RawSockaddrLinklayer{})) > r.blockSize {
		r.release() // a corrupt offset: skip the rest of the block
		return r.next()
	}
	hdr := (*unix.Tpacket3Hdr)(unsafe.Pointer(&r.mem[at]))
	p.hdr = hdr
	p.from = (*unix.RawSockaddrLinklayer)(unsafe.Pointer(&r.mem[at+sllOffset]))
	start := int(r.off) + int(hdr.Mac)
	end := start + int(hdr.Snaplen)
	if start > r.blockSize || end > r.blockSize {
		start, end = 0, 0
	}
	p.data = r.mem[base+start : base+end : base+end]
	r.left--
	r.off += uintptr(hdr.Next_offset)
	if hdr.Next_offset == 0 && r.left > 0 {
		r.left = 0 // the last packet has next_offset 0; never loop on one
	}
	return p, true
}

// ready says whether next has a packet to return.
func (r *ring) ready() bool {
	return r.left > 0 || atomic.LoadUint32(&r.blockHdr(r.cur).Block_status)&unix.TP_STATUS_USER != 0
}

// done says the packet next returned last has been copied out: once it
// was its block's last, the block goes back to the kernel.
func (r *ring) done() {
	if r.left == 0 {
		r.release()
	}
}

// release hands block cur back to the kernel and moves on to the next.
func (r *ring) release() {
	atomic.StoreUint32(&r.blockHdr(r.cur).Block_status, unix.TP_STATUS_KERNEL)
	r.left = 0
	r.cur++
	if r.cur == r.blocks {
		r.cur = 0
	}
}
