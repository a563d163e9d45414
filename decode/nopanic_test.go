package decode_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/sockscope/sockscope/capture"
	"github.com/sockscope/sockscope/decode"
	"github.com/sockscope/sockscope/internal/corpus"
)

// TestNoRecoveredPanic decodes every frame of every capture in the shared
// corpus and in testdata, every FuzzDecode seed and every input kept in
// testdata/fuzz/FuzzDecode, and fails if the Decoder ever had to recover
// from a panic: the recovery is a last net, and taking it is a bug in a
// decoding layer's bounds checks.
func TestNoRecoveredPanic(t *testing.T) {
	dec := decode.NewDecoder()
	var p decode.Packet
	frames, inputs := 0, 0
	check := func(what string, f *capture.Frame, n int) {
		before := dec.Recovered()
		dec.Decode(f, n, &p)
		frames++
		if dec.Recovered() != before {
			t.Errorf("%s frame %d: decoder panic recovered: %s", what, n, p.Err)
		}
	}
	decodeFile := func(path, name string) {
		r, err := capture.Open(path)
		if err != nil {
			return // an unreadable capture is the reader's business
		}
		defer r.Close()
		inputs++
		var f capture.Frame
		for n := 1; ; n++ {
			if err := r.Next(&f); err != nil {
				if !errors.Is(err, io.EOF) {
					t.Logf("%s: stops at frame %d: %v", name, n, err)
				}
				return
			}
			check(name, &f, n)
		}
	}
	if dir, ok := corpus.FindPcapDir(); ok {
		for _, rel := range corpus.Captures(t, dir) {
			decodeFile(filepath.Join(dir, rel), rel)
		}
	} else if os.Getenv(corpus.EnvRequire) != "" {
		t.Fatalf("shared capture corpus not found")
	}
	local, _ := filepath.Glob(filepath.Join("testdata", "*.pcap*"))
	for _, path := range local {
		decodeFile(path, path)
	}
	for i, s := range append(decodeSeeds(), tunnelSeeds()...) {
		inputs++
		check("seed", &capture.Frame{Len: len(s.data), LinkType: s.link, Data: s.data}, i+1)
	}
	kept, _ := filepath.Glob(filepath.Join("testdata", "fuzz", "FuzzDecode", "*"))
	for _, path := range kept {
		link, data, err := readFuzzInput(path)
		if err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		inputs++
		check(path, &capture.Frame{Len: len(data), LinkType: link, Data: data}, 1)
	}
	t.Logf("decoded %d frames from %d inputs (captures, seeds, kept fuzz inputs); recovered panics: %d", frames, inputs, dec.Recovered())
	if frames == 0 {
		t.Fatal("nothing decoded")
	}
}

// readFuzzInput reads a FuzzDecode input in Go's corpus file format:
// "go test fuzz v1", then uint32(link) and []byte("…").
func readFuzzInput(path string) (uint32, []byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, nil, err
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 3 || lines[0] != "go test fuzz v1" {
		return 0, nil, errors.New("not a two-value fuzz input")
	}
	num := strings.TrimSuffix(strings.TrimPrefix(lines[1], "uint32("), ")")
	link, err := strconv.ParseUint(num, 0, 32)
	if err != nil {
		return 0, nil, err
	}
	q := strings.TrimSuffix(strings.TrimPrefix(lines[2], "[]byte("), ")")
	data, err := strconv.Unquote(q)
	if err != nil {
		return 0, nil, err
	}
	return uint32(link), []byte(data), nil
}
