package capture

import (
	"bytes"
	"encoding/binary"
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
