package capture

// Classic pcap reader.
//
// Why not gopacket's pcapgo.Reader (v1.1.19):
//   - its LinkType is a layers.LinkType, a uint8: LINUX_SLL2 (276) reads back
//     as 20, and a link-type field with FCS bits set (0x30000001) is folded
//     silently instead of being masked the way libpcap does;
//   - a record whose captured length exceeds the file's snaplen is a hard
//     error there, though libpcap, tcpdump and Wireshark read it
//     (tcpdump/mptcp-dss-oobr.pcap: caplen 74 > snaplen 73);
//   - it folds invalid sub-second values into the seconds, which hides the
//     "(invalid us)" that tcpdump reports;
//   - it reports no byte offsets, so damage cannot be located;
//   - it allocates per packet unless ZeroCopyReadPacketData is used.
//
// The file format: a 24-byte global header (magic, version 2.4, zone,
// sigfigs, snaplen, link type) then records of a 16-byte header (seconds,
// µs or ns, captured length, original length) followed by the captured
// bytes. The magic gives both the byte order and the timestamp unit.

import (
	"encoding/binary"
	"fmt"
	"io"
)

// pcapState is what a classic pcap reader remembers from the global header.
type pcapState struct {
	be       bool // big-endian file
	nano     bool // nanosecond timestamps
	linkType uint32
	snapLen  uint32
	// lengths says whether the record's two length fields are in the
	// wrong order, as written by some pcap 2.0–2.3 writers (libpcap's
	// "lengths_swapped").
	lengths lengthOrder
}

type lengthOrder uint8

const (
	lengthsNormal lengthOrder = iota
	lengthsSwapped
	lengthsMaybeSwapped // 2.3: swapped only if caplen > len
)

// linkTypeMask keeps the LINKTYPE_ value of a pcap header's link-type field:
// libpcap's LT_LINKTYPE. The upper 16 bits hold FCS-length and reserved bits.
const linkTypeMask = 0xFFFF

// openPcap reads the global header.
func (r *FileReader) openPcap() error {
	h, err := r.src.peek(pcapHeaderLen)
	if len(h) < pcapHeaderLen {
		if err != io.EOF && err != io.ErrUnexpectedEOF {
			return ioError(r.name, err)
		}
		return &FormatError{File: r.name, Err: fmt.Sprintf(
			"truncated pcap file header: need %d bytes, have %d", pcapHeaderLen, len(h)), cause: io.ErrUnexpectedEOF}
	}
	st := &r.pcap
	switch binary.LittleEndian.Uint32(h) {
	case pcapMagicMicro:
	case pcapMagicNano:
		st.nano = true
	case pcapMagicMicroSwapped:
		st.be = true
	case pcapMagicNanoSwapped:
		st.be, st.nano = true, true
	}
	major, minor := u16(st.be, h[4:]), u16(st.be, h[6:])
	// libpcap reads 2.0 through 2.4 (2.4 has been current since 1998).
	if major != 2 || minor > 4 {
		return &FormatError{File: r.name, Err: fmt.Sprintf("unsupported pcap version %d.%d", major, minor)}
	}
	switch {
	case minor < 3:
		st.lengths = lengthsSwapped
	case minor == 3:
		st.lengths = lengthsMaybeSwapped
	}
	st.snapLen = u32(st.be, h[16:])
	st.linkType = u32(st.be, h[20:]) & linkTypeMask
	r.src.take(pcapHeaderLen)
	r.format = "pcap"
	if st.nano {
		r.format = "pcap (nanosecond)"
	}
	return nil
}

// nextPcap reads one record.
func (r *FileReader) nextPcap(f *Frame) error {
	off := r.src.off
	h, err := r.src.peek(pcapRecordLen)
	if len(h) < pcapRecordLen {
		if len(h) == 0 && err == io.EOF {
			return io.EOF
		}
		return r.readFailure(off, "record header", pcapRecordLen, len(h), err)
	}
	capLen, err := r.pcapCapLen(h, off)
	if err != nil {
		return err
	}
	n := pcapRecordLen + capLen
	rec, err := r.src.take(n)
	if err != nil {
		return r.readFailure(off, "record", capLen, max(len(rec)-pcapRecordLen, 0), err)
	}
	r.pcapFrame(f, rec[:n:n], off)
	return nil
}

// pcapCapLen returns the captured length of the record whose header is h,
// at off; an absurd one is damage.
func (r *FileReader) pcapCapLen(h []byte, off int64) (int, error) {
	capLen, _ := r.pcap.recordLens(h)
	// A captured length above the file's snaplen or the original length is
	// accepted, as libpcap and Wireshark do; only an absurd one is damage.
	if capLen > MaxCapLen {
		return 0, r.failAt(off, nil, fmt.Sprintf(
			"captured length %d exceeds the %d-byte maximum", capLen, MaxCapLen))
	}
	return int(capLen), nil
}

// recordLens returns the captured and original lengths of the record
// whose header is h, put right where the file swaps them.
func (st *pcapState) recordLens(h []byte) (capLen, origLen uint32) {
	capLen, origLen = u32(st.be, h[8:]), u32(st.be, h[12:])
	if st.lengths == lengthsSwapped || (st.lengths == lengthsMaybeSwapped && capLen > origLen) {
		capLen, origLen = origLen, capLen
	}
	return capLen, origLen
}

// pcapFrame fills f from rec, a whole record (header and captured bytes)
// read from off; f.Data aliases rec.
func (r *FileReader) pcapFrame(f *Frame, rec []byte, off int64) {
	st := &r.pcap
	sec, sub := u32(st.be, rec[0:]), u32(st.be, rec[4:])
	_, origLen := st.recordLens(rec)
	f.Sec = int64(sec)
	f.Nsec = int64(sub) // kept as written even when ≥ 1e6 µs / 1e9 ns
	if !st.nano {
		f.Nsec *= 1000
	}
	f.NoTime = false
	f.Len = int(origLen)
	f.LinkType = st.linkType
	f.Interface = 0
	f.Offset = off
	f.Data = rec[pcapRecordLen:len(rec):len(rec)]
	f.Options, f.OptionsBE = nil, false // pcap records have none
}

func u16(be bool, b []byte) uint16 {
	if be {
		return binary.BigEndian.Uint16(b)
	}
	return binary.LittleEndian.Uint16(b)
}

func u32(be bool, b []byte) uint32 {
	if be {
		return binary.BigEndian.Uint32(b)
	}
	return binary.LittleEndian.Uint32(b)
}

func u64(be bool, b []byte) uint64 {
	if be {
		return binary.BigEndian.Uint64(b)
	}
	return binary.LittleEndian.Uint64(b)
}
