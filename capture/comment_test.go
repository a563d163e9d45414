package capture

import (
	"bytes"
	"encoding/binary"
	"os"
	"strings"
	"testing"
)

// A packet comment goes into the EPB's opt_comment; the frame reads back
// unchanged and the option is well formed (code 1, length, padding, end).
func TestWriteFrameComment(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf, "mem.pcapng", WritePcapng, LinkEthernet)
	f := Frame{Sec: 1700000000, Nsec: 5, Len: 5, LinkType: LinkEthernet, Data: []byte("abcde")}
	const comment = "client send(5) = 5: bytes 1-5"
	if err := w.WriteFrameComment(&f, comment); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	i := bytes.Index(data, []byte(comment))
	if i < 4 || binary.LittleEndian.Uint16(data[i-4:]) != 1 || int(binary.LittleEndian.Uint16(data[i-2:])) != len(comment) {
		t.Fatalf("opt_comment header not found before the comment")
	}
	end := i + (len(comment)+3)&^3
	if !bytes.Equal(data[end:end+4], []byte{0, 0, 0, 0}) {
		t.Errorf("no opt_endofopt after the comment: % x", data[end:end+4])
	}
	r, err := NewReader(bytes.NewReader(data), "mem.pcapng")
	if err != nil {
		t.Fatal(err)
	}
	var g Frame
	if err := r.Next(&g); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(g.Data, f.Data) || g.Sec != f.Sec || g.Nsec != f.Nsec || g.Len != f.Len {
		t.Errorf("read back %+v, want %+v", g, f)
	}
}

// Comments reads back what WriteFrameComment wrote, through the streaming
// reader and through the indexed reader's ReadAt; a frame without a
// comment has none, and a comment's bytes come back as written (escaping
// is the printer's job).
func TestReadFrameComments(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf, "mem.pcapng", WritePcapng, LinkEthernet)
	comments := []string{"client send(5) = 5", "", "odd\x1b[31m bytes\n", "你好"}
	for i, c := range comments {
		f := Frame{Sec: 1700000000 + int64(i), Len: 3 + i, LinkType: LinkEthernet, Data: bytes.Repeat([]byte{byte(i)}, 3+i)}
		if err := w.WriteFrameComment(&f, c); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	all := func(f *Frame) []string {
		var out []string
		for c := range f.Comments() {
			out = append(out, string(c))
		}
		return out
	}
	r, err := NewReader(bytes.NewReader(buf.Bytes()), "mem.pcapng")
	if err != nil {
		t.Fatal(err)
	}
	var offs []int64
	for i, want := range comments {
		var f Frame
		if err := r.Next(&f); err != nil {
			t.Fatal(err)
		}
		offs = append(offs, f.Offset)
		got := all(&f)
		if want == "" && (len(got) != 0 || f.HasComment()) || want != "" && (len(got) != 1 || got[0] != want || !f.HasComment()) {
			t.Errorf("frame %d: comments %q, want %q", i+1, got, want)
		}
		if len(f.Data) != 3+i {
			t.Errorf("frame %d: %d bytes of data, want %d", i+1, len(f.Data), 3+i)
		}
	}
	path := t.TempDir() + "/c.pcapng"
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	ir, err := OpenIndexed(path)
	if err != nil {
		t.Fatal(err)
	}
	defer ir.Close()
	var f Frame
	for i := len(comments) - 1; i >= 0; i-- { // backwards: each read its own
		if err := ir.ReadAt(offs[i], &f); err != nil {
			t.Fatal(err)
		}
		if got := all(&f); comments[i] != "" && (len(got) != 1 || got[0] != comments[i]) {
			t.Errorf("ReadAt frame %d: comments %q, want %q", i+1, got, comments[i])
		}
	}
}

// Several comments in one block, big-endian, and an option that runs past
// the block: the comments before it are read, nothing after.
func TestFrameCommentsOptions(t *testing.T) {
	opt := func(bo binary.AppendByteOrder, code uint16, val string, claim int) []byte {
		b := bo.AppendUint16(nil, code)
		b = bo.AppendUint16(b, uint16(claim))
		b = append(b, val...)
		for len(b)%4 != 0 {
			b = append(b, 0)
		}
		return b
	}
	for _, be := range []bool{false, true} {
		var bo binary.AppendByteOrder = binary.LittleEndian
		if be {
			bo = binary.BigEndian
		}
		var opts []byte
		opts = append(opts, opt(bo, 1, "first", 5)...)
		opts = append(opts, opt(bo, 2, "flags", 4)...) // epb_flags-like: not a comment
		opts = append(opts, opt(bo, 1, "second", 6)...)
		opts = append(opts, opt(bo, 1, "cut", 200)...)
		opts = append(opts, opt(bo, 1, "never", 5)...)
		f := Frame{Options: opts, OptionsBE: be}
		var got []string
		for c := range f.Comments() {
			got = append(got, string(c))
		}
		if strings.Join(got, "|") != "first|second" {
			t.Errorf("big-endian %v: comments %q, want first and second", be, got)
		}
	}
}
