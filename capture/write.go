package capture

// Writers.
//
// Why not gopacket's pcapgo.Writer / pcapgo.NgWriter (v1.1.19): both take
// the link type as a layers.LinkType, which is a uint8, so LINUX_SLL2 (276)
// and every other link type above 255 cannot be written; NgWriter also
// needs every interface declared up front, where we add one per link type
// (and time range) as frames arrive.

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"math/bits"
	"os"
	"path/filepath"
	"strings"
)

// WriteFormat selects what a FileWriter produces.
type WriteFormat uint8

const (
	// WritePcapng writes pcapng: any mix of link types, any time (see
	// ifaceFor).
	WritePcapng WriteFormat = iota
	// WritePcap writes classic pcap with the nanosecond magic: one link
	// type, seconds up to 2106.
	WritePcap
)

// writeSnapLen is the snapshot length written in headers (libpcap's default
// and maximum for most link types).
const writeSnapLen = 262144

const writeBufSize = 64 << 10

// FileWriter writes frames to a pcap or pcapng stream. It buffers: Close
// must be called, and returns any write error. It is not safe for
// concurrent use.
type FileWriter struct {
	name     string
	format   WriteFormat
	linkType uint32 // the header's (pcap) or the empty file's IDB (pcapng)
	bw       *bufio.Writer
	gz       *gzip.Writer // non-nil when compressing
	file     *os.File     // closed by Close when Create opened it

	started bool           // header written
	ifaces  []writtenIface // pcapng: the interfaces written so far
	frames  int
	err     error // sticky
	closed  bool
	scratch [32]byte
}

// Create creates a capture file. The format follows the name: classic pcap
// (nanosecond timestamps) when it ends in ".pcap", pcapng otherwise; a
// further ".gz" compresses the output. "-" writes pcapng to standard output.
// linkType is the pcap header's link type, and the link type declared by an
// empty pcapng file; pcapng adds an interface per link type as frames
// arrive, and another when a frame's time needs a different if_tsresol or
// if_tsoffset (see ifaceFor).
func Create(path string, linkType uint32) (*FileWriter, error) {
	if path == "-" {
		return NewWriter(os.Stdout, "stdout", WritePcapng, linkType), nil
	}
	base, compress := strings.CutSuffix(path, ".gz")
	format := WritePcapng
	if strings.EqualFold(filepath.Ext(base), ".pcap") {
		format = WritePcap
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	var out io.Writer = f
	var gz *gzip.Writer
	if compress {
		gz = gzip.NewWriter(f)
		out = gz
	}
	w := NewWriter(out, path, format, linkType)
	w.gz, w.file = gz, f
	return w, nil
}

// NewWriter writes a capture to any stream; name is used in errors. Close
// flushes but does not close out.
func NewWriter(out io.Writer, name string, format WriteFormat, linkType uint32) *FileWriter {
	return &FileWriter{
		name:     name,
		format:   format,
		linkType: linkType,
		bw:       bufio.NewWriterSize(out, writeBufSize),
	}
}

// WriteFrame appends one frame. A frame with NoTime is written with
// timestamp 0. Out-of-range sub-second values (pcap's "invalid µs") are
// normalised into the seconds: the instant is kept, the oddity is not.
//
// A frame the format cannot hold (a second link type in classic pcap, a
// time outside its range) is refused with an error, and so is every later
// frame; Close still writes out the frames before it.
func (w *FileWriter) WriteFrame(f *Frame) error { return w.WriteFrameComment(f, "") }

// WriteFrameComment appends one frame with a packet comment (pcapng's
// opt_comment, which Wireshark shows above the packet's layers). Classic
// pcap has no place for comments: there it is dropped.
func (w *FileWriter) WriteFrameComment(f *Frame, comment string) error {
	if w.err != nil {
		return w.err
	}
	if w.closed {
		return fmt.Errorf("%s: write after Close", w.name)
	}
	if err := w.writeFrame(f, comment); err != nil {
		w.err = err
		return err
	}
	w.frames++
	return nil
}

func (w *FileWriter) writeFrame(f *Frame, comment string) error {
	if len(f.Data) > MaxCapLen {
		return w.frameErr(fmt.Sprintf("captured length %d exceeds the %d-byte maximum", len(f.Data), MaxCapLen))
	}
	if f.Len < 0 || int64(f.Len) > math.MaxUint32 {
		return w.frameErr(fmt.Sprintf("original length %d does not fit in 32 bits", f.Len))
	}
	if f.LinkType > 0xFFFF {
		return w.frameErr(fmt.Sprintf("link type %d does not fit in 16 bits", f.LinkType))
	}
	sec, nsec := f.Sec, f.Nsec
	if f.NoTime {
		sec, nsec = 0, 0
	}
	if nsec < 0 || nsec >= 1e9 {
		sec += nsec / 1e9
		nsec %= 1e9
		if nsec < 0 {
			sec, nsec = sec-1, nsec+1e9
		}
	}
	if w.format == WritePcap {
		return w.writePcapRecord(f, sec, nsec)
	}
	return w.writeEPB(f, sec, nsec, comment)
}

func (w *FileWriter) frameErr(what string) error {
	return fmt.Errorf("%s: packet %d: %s", w.name, w.frames+1, what)
}

// Flush writes out what is buffered, so that a reader of the file (or a
// process killed after this) sees every frame written so far. It writes
// the header first if no frame did. With gzip it ends the current deflate
// block (gzip.Writer.Flush), which costs a few bytes of compression.
func (w *FileWriter) Flush() error {
	if w.err != nil || w.closed {
		return w.err
	}
	if !w.started {
		if w.err = w.start(w.linkType); w.err == nil && w.format == WritePcapng {
			w.err = w.addInterface(writtenIface{linkType: w.linkType, resol: 9})
		}
		if w.err != nil {
			return w.err
		}
	}
	if err := w.bw.Flush(); err != nil {
		w.err = err
		return err
	}
	if w.gz != nil {
		if err := w.gz.Flush(); err != nil {
			w.err = err
			return err
		}
	}
	return nil
}

// Close writes the header if no frame did, flushes, and closes what Create
// opened. It returns the first error met while writing (the same error
// WriteFrame returned, if it refused a frame).
func (w *FileWriter) Close() error {
	if w.closed {
		return w.err
	}
	w.closed = true
	if w.err == nil && !w.started {
		w.err = w.start(w.linkType)
		if w.err == nil && w.format == WritePcapng {
			w.err = w.addInterface(writtenIface{linkType: w.linkType, resol: 9})
		}
	}
	// Flush even after a refused frame, so that the frames before it are
	// kept: the file stays valid, just shorter.
	if err := w.bw.Flush(); w.err == nil {
		w.err = err
	}
	if w.gz != nil {
		if err := w.gz.Close(); w.err == nil {
			w.err = err
		}
	}
	if w.file != nil {
		if err := w.file.Close(); w.err == nil {
			w.err = err
		}
	}
	return w.err
}

// Name is the name given to Create or NewWriter ("stdout" for "-").
func (w *FileWriter) Name() string { return w.name }

// start writes the file header: the pcap global header, or a pcapng Section
// Header Block plus, for an empty file, the interface for linkType.
func (w *FileWriter) start(linkType uint32) error {
	w.started = true
	if w.format == WritePcap {
		if linkType > 0xFFFF {
			return fmt.Errorf("%s: link type %d does not fit in 16 bits", w.name, linkType)
		}
		h := w.scratch[:pcapHeaderLen]
		le := binary.LittleEndian
		le.PutUint32(h[0:], pcapMagicNano)
		le.PutUint16(h[4:], 2)
		le.PutUint16(h[6:], 4)
		le.PutUint32(h[8:], 0)  // thiszone
		le.PutUint32(h[12:], 0) // sigfigs
		le.PutUint32(h[16:], writeSnapLen)
		le.PutUint32(h[20:], linkType)
		_, err := w.bw.Write(h)
		return err
	}
	w.writeSHB()
	return nil
}

// writePcapRecord writes one classic pcap record.
func (w *FileWriter) writePcapRecord(f *Frame, sec, nsec int64) error {
	if !w.started {
		if err := w.start(w.linkType); err != nil {
			return err
		}
	}
	if f.LinkType != w.linkType {
		return fmt.Errorf("%s: classic pcap holds one link type (have %d, got %d); write to a .pcapng name instead",
			w.name, w.linkType, f.LinkType)
	}
	if sec < 0 || sec > math.MaxUint32 {
		return w.frameErr(fmt.Sprintf("time %d s is outside classic pcap's range (1970 to 2106); write to a .pcapng name instead", sec))
	}
	h := w.scratch[:pcapRecordLen]
	le := binary.LittleEndian
	le.PutUint32(h[0:], uint32(sec))
	le.PutUint32(h[4:], uint32(nsec))
	le.PutUint32(h[8:], uint32(len(f.Data)))
	le.PutUint32(h[12:], uint32(f.Len))
	w.bw.Write(h)
	_, err := w.bw.Write(f.Data)
	return err
}

// writeSHB writes a little-endian Section Header Block, version 1.0, section
// length unknown, with shb_userappl "sockscope".
func (w *FileWriter) writeSHB() {
	const app = "sockscope"
	const optLen = 4 + (len(app)+3)&^3 + 4 // shb_userappl, opt_endofopt
	const blen = ngMinSHBLen + optLen
	var b [blen]byte
	le := binary.LittleEndian
	le.PutUint32(b[0:], blockSHB)
	le.PutUint32(b[4:], uint32(blen))
	le.PutUint32(b[8:], ngByteOrderMagic)
	le.PutUint16(b[12:], 1)
	le.PutUint16(b[14:], 0)
	le.PutUint64(b[16:], math.MaxUint64) // section length not specified (-1)
	le.PutUint16(b[24:], optSHBUserAp)
	le.PutUint16(b[26:], uint16(len(app)))
	copy(b[28:], app)
	// opt_endofopt is the zero bytes after the padded value
	le.PutUint32(b[blen-4:], uint32(blen))
	w.bw.Write(b[:])
}

// addInterface writes an Interface Description Block (snaplen 262144,
// if_tsresol, and if_tsoffset when not 0) for the next interface number.
func (w *FileWriter) addInterface(ifc writtenIface) error {
	blen := uint32(ngMinIDBLen + 8 + 4) // if_tsresol (4 + 1 padded to 4), opt_endofopt
	if ifc.offset != 0 {
		blen += 4 + 8
	}
	b := make([]byte, blen)
	le := binary.LittleEndian
	le.PutUint32(b[0:], blockIDB)
	le.PutUint32(b[4:], blen)
	le.PutUint16(b[8:], uint16(ifc.linkType))
	le.PutUint32(b[12:], writeSnapLen)
	le.PutUint16(b[16:], optTSResol)
	le.PutUint16(b[18:], 1)
	b[20] = ifc.resol
	if ifc.offset != 0 {
		le.PutUint16(b[24:], optTSOffset)
		le.PutUint16(b[26:], 8)
		le.PutUint64(b[28:], uint64(ifc.offset))
	}
	le.PutUint32(b[blen-4:], blen)
	w.ifaces = append(w.ifaces, ifc)
	_, err := w.bw.Write(b)
	return err
}

// writeEPB writes one Enhanced Packet Block, adding an interface for the
// frame's link type first if this is the first frame of that type.
func (w *FileWriter) writeEPB(f *Frame, sec, nsec int64, comment string) error {
	if !w.started {
		w.start(w.linkType) // errors stick in bw and show at the next Write
	}
	id, ts, err := w.ifaceFor(f.LinkType, sec, nsec)
	if err != nil {
		return err
	}
	capLen := len(f.Data)
	pad := (4 - capLen%4) % 4
	if len(comment) > 0xFFFF {
		comment = comment[:0xFFFF]
	}
	optLen := 0
	if comment != "" { // opt_comment, padded, then opt_endofopt
		optLen = 4 + (len(comment)+3)&^3 + 4
	}
	blen := uint32(ngMinEPBLen + capLen + pad + optLen)
	h := w.scratch[:28]
	le := binary.LittleEndian
	le.PutUint32(h[0:], blockEPB)
	le.PutUint32(h[4:], blen)
	le.PutUint32(h[8:], uint32(id))
	le.PutUint32(h[12:], uint32(ts>>32))
	le.PutUint32(h[16:], uint32(ts))
	le.PutUint32(h[20:], uint32(capLen))
	le.PutUint32(h[24:], uint32(f.Len))
	w.bw.Write(h)
	w.bw.Write(f.Data)
	t := w.scratch[:pad]
	clear(t)
	w.bw.Write(t)
	if comment != "" {
		o := w.scratch[:4]
		le.PutUint16(o[0:], 1) // opt_comment
		le.PutUint16(o[2:], uint16(len(comment)))
		w.bw.Write(o)
		w.bw.WriteString(comment)
		o = w.scratch[:(4-len(comment)%4)%4+4] // padding and opt_endofopt
		clear(o)
		w.bw.Write(o)
	}
	t = w.scratch[:4]
	le.PutUint32(t, blen)
	_, err = w.bw.Write(t)
	return err
}

// maxNgSec is the last second whose nanoseconds fit in pcapng's 64-bit
// timestamp (in 2554).
const maxNgSec = (math.MaxUint64 - 999_999_999) / 1_000_000_000

// writtenIface is one interface a pcapng FileWriter has declared: frames
// of one link type whose times it can hold.
type writtenIface struct {
	linkType uint32
	resol    uint8 // if_tsresol: ticks of 10^-resol s, 0 to 9
	offset   int64 // if_tsoffset: seconds added to every timestamp
}

// pow10 holds 10^0 to 10^9.
var pow10 = [...]uint64{1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9}

// ticks returns the 64-bit timestamp that stands for sec.nsec on ifc, and
// false if ifc cannot hold that time exactly: before its offset, beyond
// 2^64 ticks, or finer than its resolution.
func (ifc *writtenIface) ticks(sec, nsec int64) (uint64, bool) {
	rel := sec - ifc.offset
	if (ifc.offset > 0 && rel > sec) || (ifc.offset < 0 && rel < sec) || rel < 0 {
		return 0, false // overflowed, or before the offset
	}
	tick := pow10[9-ifc.resol] // nanoseconds per tick
	if uint64(nsec)%tick != 0 {
		return 0, false
	}
	hi, lo := bits.Mul64(uint64(rel), pow10[ifc.resol])
	ts, carry := bits.Add64(lo, uint64(nsec)/tick, 0)
	return ts, hi == 0 && carry == 0
}

// ifaceFor returns the interface a frame of linkType at sec.nsec is written
// on, and its timestamp there. pcapng's timestamp is 64 bits of ticks of
// the interface's if_tsresol, plus its if_tsoffset seconds, so a time
// nanoseconds cannot hold (after 2554: a pcapng whose µs timestamps run to
// 2^64, around the year 586,000) needs an interface of its own. The
// writer does not know the times to come when it writes an interface
// block, so it adds one when a frame needs it:
//
//   - an interface already written for the link type that holds the time
//     exactly is reused (one interface per link type for ordinary files);
//   - else a new one, nanoseconds if they fit in 64 bits, else the finest
//     coarser decimal resolution that holds the time without loss (the
//     input's µs for that file);
//   - else (the time is before 1970, or too fine for any resolution that
//     reaches it) nanoseconds with an if_tsoffset a little before it.
func (w *FileWriter) ifaceFor(linkType uint32, sec, nsec int64) (int, uint64, error) {
	for i := range w.ifaces {
		if ifc := &w.ifaces[i]; ifc.linkType == linkType {
			if ts, ok := ifc.ticks(sec, nsec); ok {
				return i, ts, nil
			}
		}
	}
	if len(w.ifaces) >= maxInterfaces {
		return 0, 0, w.frameErr(fmt.Sprintf("needs more than %d interfaces to hold its time", maxInterfaces))
	}
	// The fallback's offset is the start of the 2^34-second block (544
	// years, within the 584 that 64 bits of nanoseconds span) holding sec,
	// so that later frames near it share the interface.
	ifc := writtenIface{linkType: linkType, resol: 9, offset: sec &^ (1<<34 - 1)}
	ts, _ := ifc.ticks(sec, nsec)
	for r := uint8(9); ; r-- {
		c := writtenIface{linkType: linkType, resol: r}
		if t, ok := c.ticks(sec, nsec); ok {
			ifc, ts = c, t
			break
		}
		if r == 0 {
			break
		}
	}
	return len(w.ifaces), ts, w.addInterface(ifc)
}
