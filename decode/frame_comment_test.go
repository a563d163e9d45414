package decode_test

import (
	"encoding/binary"
	"encoding/json"
	"strings"
	"testing"

	"github.com/sockscope/sockscope/capture"
	"github.com/sockscope/sockscope/decode"
)

// commentOpts builds pcapng options holding the comments, little-endian.
func commentOpts(comments ...string) []byte {
	var b []byte
	for _, c := range comments {
		b = binary.LittleEndian.AppendUint16(b, 1)
		b = binary.LittleEndian.AppendUint16(b, uint16(len(c)))
		b = append(b, c...)
		for len(b)%4 != 0 {
			b = append(b, 0)
		}
	}
	return append(b, 0, 0, 0, 0)
}

// frame.comment in JSON (a string, or an array for several) and the text
// printer's comment lines, escaped; none for a frame without comments.
func TestFrameComments(t *testing.T) {
	data := make([]byte, 60) // an Ethernet frame of zeros: decodes to little
	for _, tc := range []struct {
		comments []string
		json     any
		text     string
	}{
		{nil, nil, ""},
		{[]string{"#6 client connect(127.0.0.1:7001) = 0"}, "#6 client connect(127.0.0.1:7001) = 0", "\n    comment: #6 client connect(127.0.0.1:7001) = 0"},
		{[]string{"one", "two\x1b[31m\nthree"}, []any{"one", `two\x1b[31m\nthree`}, "\n    comment: one\n    comment: two\\x1b[31m\\nthree"},
	} {
		f := capture.Frame{Sec: 1, Len: len(data), LinkType: capture.LinkEthernet, Data: data}
		if tc.comments != nil {
			f.Options = commentOpts(tc.comments...)
		}
		var p decode.Packet
		decode.NewDecoder().Decode(&f, 1, &p)
		var m map[string]any
		if err := json.Unmarshal(decode.AppendJSON(nil, &p), &m); err != nil {
			t.Fatal(err)
		}
		got, ok := m["frame.comment"]
		if tc.json == nil && ok || tc.json != nil && !equalJSON(got, tc.json) {
			t.Errorf("comments %q: frame.comment %#v, want %#v", tc.comments, got, tc.json)
		}
		if text := string(decode.AppendCommentLines(nil, &p)); text != tc.text {
			t.Errorf("comments %q: text %q, want %q", tc.comments, text, tc.text)
		}
		if strings.ContainsAny(string(decode.AppendCommentLines(nil, &p)), "\x1b\r") {
			t.Errorf("a control character reached the text")
		}
	}
}

func equalJSON(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}
