package decode

import "testing"

// TestRowIndex sets rows sparsely, across chunks and in the first chunk
// as it grows, and wants each back, and none where none was set.
func TestRowIndex(t *testing.T) {
	var x rowIndex
	ids := []int{5, 0, 1023, 1024, 70_000, 4097, rowIndexChunk - 1, rowIndexChunk, 3*rowIndexChunk + 9}
	for i, id := range ids {
		x.set(id, uint64(i*100))
	}
	for i, id := range ids {
		if pos, ok := x.get(id); !ok || pos != uint64(i*100) {
			t.Errorf("get(%d) = %d, %v; want %d", id, pos, ok, i*100)
		}
	}
	for _, id := range []int{-1, 1, 4096, 2 * rowIndexChunk, 10 * rowIndexChunk} {
		if _, ok := x.get(id); ok {
			t.Errorf("get(%d) has a row", id)
		}
	}
	if c := cap(x.chunks[0]); c != rowIndexChunk {
		t.Errorf("the first chunk holds %d entries, want %d", c, rowIndexChunk)
	}
}

// TestStreamsWindow slides the live window far past its array, as a
// flood under the flow cap does, and wants every live flow found and the
// array no larger than twice the window.
func TestStreamsWindow(t *testing.T) {
	var s streams[int]
	vals := make([]int, 100_000)
	const window = 1000
	for id := range vals {
		s.add(&vals[id])
		if id >= window {
			s.clear(id - window)
		}
		if id%997 == 0 {
			for _, k := range []int{id, max(id-window+1, 0)} {
				if s.get(k) != &vals[k] {
					t.Fatalf("after %d adds, stream %d is not found", id+1, k)
				}
			}
			if id > window && s.get(id-window) != nil {
				t.Fatalf("cleared stream %d is found", id-window)
			}
		}
	}
	if c := cap(s.buf); c > 2*(window+1) {
		t.Errorf("the array holds %d for a window of %d", c, window+1)
	}
	for id := len(vals) - window; id < len(vals); id++ {
		s.clear(id)
	}
	if s.s != nil || s.buf != nil {
		t.Errorf("the array is kept with no flow live")
	}
}

// TestRowIndexClone: a clone and its original set entries at and after
// from without seeing each other's.
func TestRowIndexClone(t *testing.T) {
	var x rowIndex
	for id := 0; id < 2*rowIndexChunk+10; id += 7 {
		x.set(id, uint64(id))
	}
	from := 2*rowIndexChunk + 4 // no entry yet: ids set are multiples of 7
	c := x.clone(from)
	if &c.chunks[0][0] != &x.chunks[0][0] || &c.chunks[2][0] == &x.chunks[2][0] {
		t.Error("the chunks before from are not shared, or the one holding from is")
	}
	x.set(from, 1)
	c.set(from+1, 2)
	c.set(3*rowIndexChunk, 3)
	if _, ok := c.get(from); ok {
		t.Error("the clone sees an entry set in the original")
	}
	if _, ok := x.get(from + 1); ok {
		t.Error("the original sees an entry set in the clone")
	}
	for id := 0; id < from; id += 7 {
		if pos, ok := c.get(id); !ok || pos != uint64(id) {
			t.Fatalf("clone: get(%d) = %d, %v", id, pos, ok)
		}
	}
}
