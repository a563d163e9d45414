package decode

// rowIndex maps a stream number to its summary row's position in the
// slab. It is kept in chunks of rowIndexChunk entries rather than one
// slice: a slice grown by append to a million entries allocates about
// five times its final 8 MiB on the way (append grows large slices by a
// quarter), late in a pass, when that garbage raises the heap's peak
// most. Only the first chunk grows (fourfold), so that a tracker that
// retires a few flows stays small.
type rowIndex struct {
	chunks [][]uint64 // entry: row position + 1, 0 if none
}

const (
	rowIndexBits  = 16
	rowIndexChunk = 1 << rowIndexBits
)

// set records that stream id's row is at pos.
func (x *rowIndex) set(id int, pos uint64) {
	c, i := id>>rowIndexBits, id&(rowIndexChunk-1)
	for len(x.chunks) <= c {
		x.chunks = append(x.chunks, nil)
	}
	ch := &x.chunks[c]
	if i >= cap(*ch) {
		n := rowIndexChunk
		if c == 0 {
			n = max(cap(*ch)*4, 1024)
			for n <= i {
				n *= 4
			}
			n = min(n, rowIndexChunk)
		}
		*ch = append(make([]uint64, 0, n), *ch...)
	}
	if i >= len(*ch) {
		*ch = (*ch)[:i+1]
	}
	(*ch)[i] = pos + 1
}

// get returns stream id's row position, if it has a row.
func (x *rowIndex) get(id int) (uint64, bool) {
	c, i := id>>rowIndexBits, id&(rowIndexChunk-1)
	if id < 0 || c >= len(x.chunks) || i >= len(x.chunks[c]) || x.chunks[c][i] == 0 {
		return 0, false
	}
	return x.chunks[c][i] - 1, true
}

// clone returns a copy that set can change without touching x, for the
// streams from on: the chunks wholly before from are shared, since only a
// flow's retirement sets its entry and every stream before the oldest live
// one has retired.
func (x *rowIndex) clone(from int) rowIndex {
	c := rowIndex{chunks: make([][]uint64, len(x.chunks))}
	for i, ch := range x.chunks {
		if (i+1)<<rowIndexBits <= from {
			c.chunks[i] = ch[:len(ch):len(ch)]
		} else if ch != nil {
			c.chunks[i] = append(make([]uint64, 0, cap(ch)), ch...)
		}
	}
	return c
}
