package capture

// pcapng reader.
//
// Why not gopacket's pcapgo.NgReader (v1.1.19):
//   - it keeps each interface's link type in a layers.LinkType (uint8), so
//     LINUX_SLL2 (276) cannot even be recognised;
//   - with default options it skips, silently, every packet whose interface
//     has a different link type from the first interface (WantMixedLinkType
//     returns them, with the link type tucked into AncillaryData);
//   - a file with a Section Header and no Interface Description Block fails
//     with EOF at open instead of holding zero packets;
//   - it reports no byte offsets, so damage cannot be located, and it
//     allocates per packet.
//
// The format is a sequence of blocks: type (4 bytes), total length (4),
// body, total length again (4), all lengths multiples of 4. A Section Header
// Block (SHB) starts each section and sets its byte order; Interface
// Description Blocks (IDB) number the section's interfaces from 0; packet
// blocks (EPB, SPB, obsolete PB) refer to those interfaces. Every other
// block is skipped after its framing has been checked.

import (
	"fmt"
	"io"
	"math"
	"math/bits"
)

// maxInterfaces bounds the interfaces of one section, so that a hostile file
// made of tiny IDBs cannot grow the table without limit.
const maxInterfaces = 1 << 16

// ngIface is one Interface Description Block.
type ngIface struct {
	linkType uint32
	snapLen  uint32 // 0 = no limit
	units    uint64 // timestamp ticks per second (if_tsresol; 1e6 by default)
	offset   int64  // seconds added to every timestamp (if_tsoffset)
}

// ngState is the pcapng reader's view of the current section.
type ngState struct {
	be        bool // current section is big-endian
	ifaces    []ngIface
	firstLink uint32 // link type of the first interface in the file
	firstSnap uint32
	haveFirst bool
}

// openNg reads the first Section Header Block, then any blocks up to the
// first interface, so that LinkType is known before the first packet. An
// error in the SHB is returned here; an error after it is kept for Next.
func (r *FileReader) openNg() error {
	if err := r.readSHB(0); err != nil {
		if fe, ok := err.(*FormatError); ok {
			fe.Packet = 0 // a file-header error
		}
		return err
	}
	r.format = "pcapng"
	for len(r.pcapng.ifaces) == 0 {
		h, _ := r.src.peek(8)
		if len(h) < 8 {
			break // Next reports the end or the truncation
		}
		switch u32(r.pcapng.be, h) {
		case blockSHB, blockEPB, blockSPB, blockPB:
			return nil
		}
		if _, err := r.ngBlock(nil); err != nil {
			r.err = err
			break
		}
	}
	return nil
}

// nextNg reads blocks until one holds a packet.
func (r *FileReader) nextNg(f *Frame) error {
	for {
		got, err := r.ngBlock(f)
		if err != nil || got {
			return err
		}
	}
}

// ngBlock reads one block, filling f and returning true if it is a packet.
// f may be nil when the caller knows the next block holds no packet.
func (r *FileReader) ngBlock(f *Frame) (bool, error) {
	st := &r.pcapng
	off := r.src.off
	h, err := r.src.peek(8)
	if len(h) < 8 {
		if len(h) == 0 && err == io.EOF {
			return false, io.EOF
		}
		return false, r.readFailure(off, "block header", 8, len(h), err)
	}
	typ := u32(st.be, h)
	if typ == blockSHB {
		return false, r.readSHB(off)
	}
	blen := u32(st.be, h[4:])
	switch typ {
	case blockEPB, blockPB:
		blk, err := r.readBlock(off, typ, blen, ngMinEPBLen)
		if err != nil {
			return false, err
		}
		return true, r.ngPacket(f, off, typ, blk)
	case blockSPB:
		blk, err := r.readBlock(off, typ, blen, ngMinSPBLen)
		if err != nil {
			return false, err
		}
		return true, r.ngSimplePacket(f, off, blk)
	case blockIDB:
		blk, err := r.readBlock(off, typ, blen, ngMinIDBLen)
		if err != nil {
			return false, err
		}
		return false, r.addInterface(off, blk)
	default:
		// NRB, ISB, DSB, custom blocks, and types we do not know.
		return false, r.skipBlock(off, typ, blen)
	}
}

// readSHB reads a Section Header Block at off and starts a new section.
func (r *FileReader) readSHB(off int64) error {
	st := &r.pcapng
	h, err := r.src.peek(12)
	if len(h) < 12 {
		return r.readFailure(off, "section header block", 12, len(h), err)
	}
	var be bool
	switch bom := u32(false, h[8:]); bom {
	case ngByteOrderMagic:
	case bits.ReverseBytes32(ngByteOrderMagic):
		be = true
	default:
		return r.failAt(off, nil, fmt.Sprintf("section header block has bad byte-order magic 0x%08x", bom))
	}
	blen := u32(be, h[4:])
	st.be = be // readBlock checks the trailer in the new section's order
	blk, err := r.readBlock(off, blockSHB, blen, ngMinSHBLen)
	if err != nil {
		return err
	}
	// Sections with another major version may be laid out differently:
	// libpcap, tcpdump and tshark stop here, and so do we.
	if major, minor := u16(be, blk[12:]), u16(be, blk[14:]); major != 1 {
		return r.failAt(off, nil, fmt.Sprintf("unsupported pcapng version %d.%d", major, minor))
	}
	st.ifaces = st.ifaces[:0]
	return nil
}

// checkBlockLen validates a block's total length before anything is read.
func (r *FileReader) checkBlockLen(off int64, typ, blen, minLen uint32) error {
	switch {
	case blen < minLen:
		return r.failAt(off, nil, fmt.Sprintf("%s block length %d is below the minimum %d", blockName(typ), blen, minLen))
	case blen%4 != 0:
		return r.failAt(off, nil, fmt.Sprintf("%s block length %d is not a multiple of 4", blockName(typ), blen))
	case blen > ngMaxBlockLen:
		return r.failAt(off, nil, fmt.Sprintf("%s block length %d exceeds the %d-byte maximum", blockName(typ), blen, ngMaxBlockLen))
	}
	return nil
}

// readBlock reads a whole block (header to trailer) after checking its
// length, and checks that the trailing length matches.
func (r *FileReader) readBlock(off int64, typ, blen, minLen uint32) ([]byte, error) {
	if err := r.checkBlockLen(off, typ, blen, minLen); err != nil {
		return nil, err
	}
	blk, err := r.src.take(int(blen))
	if err != nil {
		return nil, r.readFailure(off, blockName(typ)+" block", int(blen), len(blk), err)
	}
	if t := u32(r.pcapng.be, blk[blen-4:]); t != blen {
		return nil, r.trailerMismatch(off, typ, blen, t)
	}
	return blk, nil
}

// skipBlock passes over a block we do not interpret, checking its framing.
func (r *FileReader) skipBlock(off int64, typ, blen uint32) error {
	if err := r.checkBlockLen(off, typ, blen, ngMinBlockLen); err != nil {
		return err
	}
	n, err := r.src.skip(int(blen) - 4)
	if err != nil {
		return r.readFailure(off, blockName(typ)+" block", int(blen), n, err)
	}
	t, err := r.src.take(4)
	if err != nil {
		return r.readFailure(off, blockName(typ)+" block", int(blen), n+len(t), err)
	}
	if tl := u32(r.pcapng.be, t); tl != blen {
		return r.trailerMismatch(off, typ, blen, tl)
	}
	return nil
}

func (r *FileReader) trailerMismatch(off int64, typ, head, trail uint32) error {
	return r.failAt(off, nil, fmt.Sprintf(
		"%s block total length in header %d and trailer %d don't match", blockName(typ), head, trail))
}

// addInterface parses an Interface Description Block.
func (r *FileReader) addInterface(off int64, blk []byte) error {
	st := &r.pcapng
	if len(st.ifaces) >= maxInterfaces {
		return r.failAt(off, nil, fmt.Sprintf("more than %d interfaces in one section", maxInterfaces))
	}
	ifc := ngIface{
		linkType: uint32(u16(st.be, blk[8:])),
		snapLen:  u32(st.be, blk[12:]),
		units:    1e6,
	}
	opts := blk[16 : len(blk)-4]
	for len(opts) >= 4 {
		code, n := u16(st.be, opts), int(u16(st.be, opts[2:]))
		if code == optEndOfOpt {
			break
		}
		padded := (n + 3) &^ 3
		if 4+padded > len(opts) {
			return r.failAt(off, nil, fmt.Sprintf(
				"interface description block option %d of length %d runs past the end of the block", code, n))
		}
		val := opts[4 : 4+n]
		opts = opts[4+padded:]
		// Options of the wrong size are ignored, as Wireshark does.
		switch {
		case code == optTSResol && n == 1:
			units, ok := tsUnits(val[0])
			if !ok {
				return r.failAt(off, nil, fmt.Sprintf("interface description block if_tsresol 0x%02x is beyond 64-bit timestamps", val[0]))
			}
			ifc.units = units
		case code == optTSOffset && n == 8:
			ifc.offset = int64(u64(st.be, val))
		}
	}
	st.ifaces = append(st.ifaces, ifc)
	if !st.haveFirst {
		st.firstLink, st.firstSnap, st.haveFirst = ifc.linkType, ifc.snapLen, true
	}
	return nil
}

// tsUnits turns an if_tsresol value into ticks per second: 10^v, or 2^(v&0x7f)
// when the top bit is set. Resolutions whose tick count per second does not
// fit in 64 bits are refused, as libpcap does.
func tsUnits(v byte) (uint64, bool) {
	if v&0x80 != 0 {
		e := v & 0x7f
		return 1 << e, e <= 63
	}
	if v > 19 {
		return 0, false
	}
	u := uint64(1)
	for range v {
		u *= 10
	}
	return u, true
}

// time converts a raw timestamp to seconds and nanoseconds. ok is false
// when the seconds, with if_tsoffset added, do not fit in an int64: a
// timestamp in units of a second (if_tsresol 0) reaches 2^64 s, and a
// large if_tsoffset wraps (the raw seconds are unsigned, so only upward).
// Nothing real is that far from 1970: it is damage, and reporting it beats
// printing a time from the other end of the range.
func (ifc *ngIface) time(ts uint64) (sec, nsec int64, ok bool) {
	var s, ns uint64
	switch u := ifc.units; u {
	case 1e6:
		s, ns = ts/1e6, ts%1e6*1e3
	case 1e9:
		s, ns = ts/1e9, ts%1e9
	default:
		s = ts / u
		hi, lo := bits.Mul64(ts%u, 1e9)
		ns, _ = bits.Div64(hi, lo, u) // hi < u because ts%u < u: no overflow
	}
	if s > math.MaxInt64 {
		return 0, 0, false
	}
	sec = int64(s) + ifc.offset
	if ifc.offset > 0 && sec < int64(s) {
		return 0, 0, false
	}
	return sec, int64(ns), true
}

// iface returns the interface a packet block refers to.
func (r *FileReader) iface(off int64, id uint32) (*ngIface, error) {
	if int64(id) >= int64(len(r.pcapng.ifaces)) {
		return nil, r.failAt(off, nil, fmt.Sprintf(
			"packet refers to interface %d, but its section defines %d", id, len(r.pcapng.ifaces)))
	}
	return &r.pcapng.ifaces[id], nil
}

// ngPacket decodes an Enhanced Packet Block or an obsolete Packet Block.
// Their layouts agree except for the interface field: 32 bits in an EPB,
// 16 bits (then 16 bits of drop count) in a PB.
func (r *FileReader) ngPacket(f *Frame, off int64, typ uint32, blk []byte) error {
	be := r.pcapng.be
	id := u32(be, blk[8:])
	if typ == blockPB {
		id = uint32(u16(be, blk[8:]))
	}
	ifc, err := r.iface(off, id)
	if err != nil {
		return err
	}
	capLen, origLen := u32(be, blk[20:]), u32(be, blk[24:])
	if room := uint32(len(blk)) - ngMinEPBLen; capLen > room {
		return r.failAt(off, nil, fmt.Sprintf(
			"%s block captured length %d exceeds the %d bytes the block holds", blockName(typ), capLen, room))
	}
	ts := uint64(u32(be, blk[12:]))<<32 | uint64(u32(be, blk[16:]))
	sec, nsec, ok := ifc.time(ts)
	if !ok {
		return r.failAt(off, nil, fmt.Sprintf(
			"timestamp %d in units of 1/%d s plus interface %d's if_tsoffset %d s overflows 64-bit seconds",
			ts, ifc.units, id, ifc.offset))
	}
	f.Sec, f.Nsec = sec, nsec
	f.NoTime = false
	f.Len = int(origLen)
	f.LinkType = ifc.linkType
	f.Interface = int(id)
	f.Offset = off
	end := 28 + int(capLen)
	f.Data = blk[28:end:end]
	f.Options, f.OptionsBE = nil, be
	if opts := 28 + (int(capLen)+3)&^3; opts < len(blk)-4 {
		f.Options = blk[opts : len(blk)-4 : len(blk)-4]
	}
	return nil
}

// ngSimplePacket decodes a Simple Packet Block: no interface field (it is
// interface 0), no timestamp, no captured length. The captured length is the
// original length cut to the interface's snaplen and to the block's room.
func (r *FileReader) ngSimplePacket(f *Frame, off int64, blk []byte) error {
	if len(r.pcapng.ifaces) == 0 {
		return r.failAt(off, nil, "simple packet block before any interface description block")
	}
	ifc := &r.pcapng.ifaces[0]
	origLen := u32(r.pcapng.be, blk[8:])
	capLen := origLen
	if ifc.snapLen != 0 && capLen > ifc.snapLen {
		capLen = ifc.snapLen
	}
	if room := uint32(len(blk)) - ngMinSPBLen; capLen > room {
		capLen = room
	}
	f.Sec, f.Nsec, f.NoTime = 0, 0, true
	f.Len = int(origLen)
	f.LinkType = ifc.linkType
	f.Interface = 0
	f.Offset = off
	end := 12 + int(capLen)
	f.Data = blk[12:end:end]
	f.Options = nil // a simple packet block has none
	return nil
}

// blockName names a block type in error messages.
func blockName(typ uint32) string {
	switch typ {
	case blockSHB:
		return "section header"
	case blockIDB:
		return "interface description"
	case blockPB:
		return "packet"
	case blockSPB:
		return "simple packet"
	case blockNRB:
		return "name resolution"
	case blockISB:
		return "interface statistics"
	case blockEPB:
		return "enhanced packet"
	case blockDSB:
		return "decryption secrets"
	case blockCustom, blockCustomNoCp:
		return "custom"
	}
	return fmt.Sprintf("type 0x%08x", typ)
}
