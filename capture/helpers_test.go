package capture

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"testing"
)

// readAll reads every frame (copying Data) until the first error; a clean
// end gives a nil error.
func readAll(t testing.TB, r *FileReader) ([]Frame, error) {
	t.Helper()
	var out []Frame
	for {
		var f Frame
		err := r.Next(&f)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		f.Data = bytes.Clone(f.Data)
		out = append(out, f)
		if len(out) > 10_000_000 {
			t.Fatalf("%s: reader does not stop", r.Name())
		}
	}
}

// readBytes opens an in-memory capture and reads it all.
func readBytes(t testing.TB, name string, data []byte) ([]Frame, error) {
	t.Helper()
	r, err := NewReader(bytes.NewReader(data), name)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return readAll(t, r)
}

// wantFormatError checks that err is a *FormatError with the given packet
// number and offset, and that its text contains what.
func wantFormatError(t testing.TB, err error, packet int, offset int64, what string) *FormatError {
	t.Helper()
	var fe *FormatError
	if !errors.As(err, &fe) {
		t.Fatalf("error = %v (%T), want *FormatError", err, err)
	}
	if fe.Packet != packet || fe.Offset != offset {
		t.Errorf("error at packet %d offset %d, want packet %d offset %d (%v)", fe.Packet, fe.Offset, packet, offset, err)
	}
	if !bytes.Contains([]byte(fe.Err), []byte(what)) {
		t.Errorf("error %q does not say %q", fe.Err, what)
	}
	return fe
}

// pcapRecords returns the byte offset of every record of a classic
// little-endian pcap file, computed straight from the layout: a 24-byte
// global header, then 16-byte record headers each followed by caplen bytes.
func pcapRecords(t testing.TB, data []byte) (offs []int64, capLens []int) {
	t.Helper()
	off := pcapHeaderLen
	for off+pcapRecordLen <= len(data) {
		c := int(binary.LittleEndian.Uint32(data[off+8:]))
		offs = append(offs, int64(off))
		capLens = append(capLens, c)
		off += pcapRecordLen + c
	}
	if off != len(data) {
		t.Fatalf("test file layout: records end at %d, file is %d bytes", off, len(data))
	}
	return offs, capLens
}

// ngBlocks returns the offset and type of every block of a single-section
// little-endian pcapng file.
func ngBlocks(t testing.TB, data []byte) (offs []int64, types []uint32) {
	t.Helper()
	off := 0
	for off+8 <= len(data) {
		offs = append(offs, int64(off))
		types = append(types, binary.LittleEndian.Uint32(data[off:]))
		off += int(binary.LittleEndian.Uint32(data[off+4:]))
	}
	if off != len(data) {
		t.Fatalf("test file layout: blocks end at %d, file is %d bytes", off, len(data))
	}
	return offs, types
}

// ngBuilder assembles pcapng files block by block, in either byte order, for
// cases the corpus lacks.
type ngBuilder struct {
	be  bool
	buf []byte
}

// byteOrder is what binary.LittleEndian and binary.BigEndian both are.
type byteOrder interface {
	binary.ByteOrder
	binary.AppendByteOrder
}

func (b *ngBuilder) order() byteOrder {
	if b.be {
		return binary.BigEndian
	}
	return binary.LittleEndian
}

// block appends a block with the given body (padded to 4 bytes).
func (b *ngBuilder) block(typ uint32, body []byte) *ngBuilder {
	o := b.order()
	pad := (4 - len(body)%4) % 4
	n := uint32(12 + len(body) + pad)
	b.buf = o.AppendUint32(b.buf, typ)
	b.buf = o.AppendUint32(b.buf, n)
	b.buf = append(b.buf, body...)
	b.buf = append(b.buf, make([]byte, pad)...)
	b.buf = o.AppendUint32(b.buf, n)
	return b
}

// opt encodes one option (code, value) with padding.
func (b *ngBuilder) opt(code uint16, val []byte) []byte {
	o := b.order()
	out := o.AppendUint16(nil, code)
	out = o.AppendUint16(out, uint16(len(val)))
	out = append(out, val...)
	return append(out, make([]byte, (4-len(val)%4)%4)...)
}

func (b *ngBuilder) shb(major, minor uint16) *ngBuilder {
	o := b.order()
	body := o.AppendUint32(nil, ngByteOrderMagic)
	body = o.AppendUint16(body, major)
	body = o.AppendUint16(body, minor)
	body = o.AppendUint64(body, ^uint64(0))
	return b.block(blockSHB, body)
}

// idb appends an interface; opts are already-encoded options (see opt).
func (b *ngBuilder) idb(link uint16, snap uint32, opts ...[]byte) *ngBuilder {
	o := b.order()
	body := o.AppendUint16(nil, link)
	body = o.AppendUint16(body, 0)
	body = o.AppendUint32(body, snap)
	for _, op := range opts {
		body = append(body, op...)
	}
	if len(opts) > 0 {
		body = append(body, 0, 0, 0, 0)
	}
	return b.block(blockIDB, body)
}

func (b *ngBuilder) epb(iface uint32, ts uint64, orig uint32, data []byte) *ngBuilder {
	o := b.order()
	body := o.AppendUint32(nil, iface)
	body = o.AppendUint32(body, uint32(ts>>32))
	body = o.AppendUint32(body, uint32(ts))
	body = o.AppendUint32(body, uint32(len(data)))
	body = o.AppendUint32(body, orig)
	return b.block(blockEPB, append(body, data...))
}

// pb appends an obsolete Packet Block: 16-bit interface id, 16-bit drops.
func (b *ngBuilder) pb(iface, drops uint16, ts uint64, orig uint32, data []byte) *ngBuilder {
	o := b.order()
	body := o.AppendUint16(nil, iface)
	body = o.AppendUint16(body, drops)
	body = o.AppendUint32(body, uint32(ts>>32))
	body = o.AppendUint32(body, uint32(ts))
	body = o.AppendUint32(body, uint32(len(data)))
	body = o.AppendUint32(body, orig)
	return b.block(blockPB, append(body, data...))
}

func (b *ngBuilder) spb(orig uint32, data []byte) *ngBuilder {
	body := b.order().AppendUint32(nil, orig)
	return b.block(blockSPB, append(body, data...))
}

// pcapFile builds a classic pcap in memory: header fields then records.
type pcapRec struct {
	sec, sub, capLen, origLen uint32
	data                      []byte
}

func pcapFile(be bool, magic uint32, major, minor uint16, snap, link uint32, recs ...pcapRec) []byte {
	var o byteOrder = binary.LittleEndian
	if be {
		o = binary.BigEndian
	}
	b := o.AppendUint32(nil, magic)
	b = o.AppendUint16(b, major)
	b = o.AppendUint16(b, minor)
	b = o.AppendUint32(b, 0)
	b = o.AppendUint32(b, 0)
	b = o.AppendUint32(b, snap)
	b = o.AppendUint32(b, link)
	for _, r := range recs {
		b = o.AppendUint32(b, r.sec)
		b = o.AppendUint32(b, r.sub)
		b = o.AppendUint32(b, r.capLen)
		b = o.AppendUint32(b, r.origLen)
		b = append(b, r.data...)
	}
	return b
}

// seq returns n bytes 0, 1, 2, ...
func seq(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i)
	}
	return b
}
