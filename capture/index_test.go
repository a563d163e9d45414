package capture

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/sockscope/sockscope/internal/corpus"
)

// TestIndexedReaderCorpus reads every capture of the corpus in order with
// OpenIndexed, then reads each frame again by its offset, in reverse order
// and from another goroutine, and wants the same frames as Open gives.
func TestIndexedReaderCorpus(t *testing.T) {
	dir := corpus.PcapDir(t)
	for _, name := range corpus.Captures(t, dir) {
		path := filepath.Join(dir, name)
		want, wantErr := readFile(t, path)
		ir, err := OpenIndexed(path)
		if err != nil {
			if wantErr == nil {
				t.Errorf("%s: OpenIndexed: %v", name, err)
			}
			continue
		}
		var got []Frame
		var f Frame
		for {
			err = ir.Next(&f)
			if err != nil {
				break
			}
			c := f
			c.Data = append([]byte(nil), f.Data...)
			got = append(got, c)
		}
		if err == io.EOF {
			err = nil
		}
		if (err == nil) != (wantErr == nil) || err != nil && err.Error() != wantErr.Error() {
			t.Errorf("%s: Next ended with %v, Open's reader with %v", name, err, wantErr)
		}
		if len(got) != len(want) {
			t.Fatalf("%s: %d frames, want %d", name, len(got), len(want))
		}
		gz := strings.HasSuffix(name, ".gz")
		if ir.Seekable() == gz {
			t.Errorf("%s: Seekable = %v", name, ir.Seekable())
		}
		if !ir.Seekable() {
			if err := ir.ReadAt(0, &f); !errors.Is(err, ErrNotSeekable) {
				t.Errorf("%s: ReadAt on a compressed file: %v", name, err)
			}
			ir.Close()
			continue
		}
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			var g Frame
			for i := len(want) - 1; i >= 0; i-- {
				if err := ir.ReadAt(want[i].Offset, &g); err != nil {
					t.Errorf("%s: frame %d: ReadAt(%d): %v", name, i+1, want[i].Offset, err)
					return
				}
				w := want[i]
				if !bytes.Equal(g.Data, w.Data) || g.Sec != w.Sec || g.Nsec != w.Nsec || g.NoTime != w.NoTime ||
					g.Len != w.Len || g.LinkType != w.LinkType || g.Interface != w.Interface || g.Offset != w.Offset {
					t.Errorf("%s: frame %d read at %d differs:\n got %+v\nwant %+v", name, i+1, w.Offset,
						frameHead(g), frameHead(w))
					return
				}
			}
		}()
		wg.Wait()
		ir.Close()
		if err := ir.ReadAt(0, &f); err == nil {
			t.Errorf("%s: ReadAt after Close succeeded", name)
		}
	}
}

func frameHead(f Frame) Frame { f.Data = f.Data[:min(len(f.Data), 16)]; return f }

// TestIndexedReaderBadOffset wants an error, never a panic or a wrong
// frame, for offsets that are not the start of a record.
func TestIndexedReaderBadOffset(t *testing.T) {
	dir := corpus.PcapDir(t)
	for _, name := range corpus.Captures(t, dir)[:20] {
		path := filepath.Join(dir, name)
		ir, err := OpenIndexed(path)
		if err != nil {
			continue
		}
		var f Frame
		for ir.Next(&f) == nil {
		}
		for _, off := range []int64{-1, 1 << 40, 3} {
			func() {
				defer func() {
					if p := recover(); p != nil {
						t.Errorf("%s: ReadAt(%d) panicked: %v", name, off, p)
					}
				}()
				_ = ir.ReadAt(off, &f)
			}()
		}
		ir.Close()
	}
}

// TestIndexedReaderGzip: a compressed file reads in order and says it
// cannot seek.
func TestIndexedReaderGzip(t *testing.T) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(pcapFile(false, pcapMagicMicro, 2, 4, 65535, 1,
		pcapRec{1, 2, 3, 3, []byte{1, 2, 3}}, pcapRec{1, 3, 2, 2, []byte{4, 5}}))
	zw.Close()
	path := filepath.Join(t.TempDir(), "x.pcap.gz")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	ir, err := OpenIndexed(path)
	if err != nil {
		t.Fatal(err)
	}
	defer ir.Close()
	if ir.Seekable() || ir.Size() != -1 {
		t.Errorf("Seekable %v Size %d on gzip", ir.Seekable(), ir.Size())
	}
	var f Frame
	n := 0
	for ir.Next(&f) == nil {
		n++
	}
	if n != 2 {
		t.Errorf("read %d frames, want 2", n)
	}
}

// TestIndexedReaderSections: frames of several pcapng sections, in both
// byte orders and with different interfaces, read back by offset with their
// own section's interface (link type, time resolution).
func TestIndexedReaderSections(t *testing.T) {
	var all []byte
	le := &ngBuilder{}
	le.shb(1, 0).idb(1, 0).idb(101, 0, le.opt(optTSResol, []byte{9})).
		epb(0, 1_000_000, 3, []byte{1, 2, 3}).epb(1, 2_000_000_000, 2, []byte{4, 5})
	all = append(all, le.buf...)
	be := &ngBuilder{be: true}
	be.shb(1, 0).idb(113, 0).epb(0, 5_000_000, 4, []byte{6, 7, 8, 9}).spb(2, []byte{10, 11})
	all = append(all, be.buf...)
	path := filepath.Join(t.TempDir(), "sections.pcapng")
	if err := os.WriteFile(path, all, 0o644); err != nil {
		t.Fatal(err)
	}
	ir, err := OpenIndexed(path)
	if err != nil {
		t.Fatal(err)
	}
	defer ir.Close()
	var want []Frame
	var f Frame
	for ir.Next(&f) == nil {
		c := f
		c.Data = bytes.Clone(f.Data)
		want = append(want, c)
	}
	if len(want) != 4 {
		t.Fatalf("%d frames, want 4", len(want))
	}
	for i := len(want) - 1; i >= 0; i-- {
		w := want[i]
		if err := ir.ReadAt(w.Offset, &f); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(f.Data, w.Data) || f.LinkType != w.LinkType || f.Sec != w.Sec || f.Nsec != w.Nsec || f.NoTime != w.NoTime || f.Len != w.Len {
			t.Errorf("frame %d: got %+v want %+v", i+1, f, w)
		}
	}
	if want[1].LinkType != 101 || want[1].Sec != 2 || want[2].LinkType != 113 || !want[3].NoTime {
		t.Errorf("test file not read as built: %+v", want)
	}
}
