package decode

// heldTree keeps the segments a TCPFollower holds behind a gap, ordered by
// stream offset, so that an arrival costs O(log n) in the number held:
// with a sorted slice, every out-of-order segment paid a scan and a copy
// of the queue (800,000 shuffled 1-byte segments took 44 s; see
// BenchmarkFollowOutOfOrder). It is a treap: a binary search tree by pos
// that is also a heap by a random priority, which keeps it balanced
// whatever order the segments come in. The priorities come from a
// generator of the tree's own, so the input cannot pick them.
type heldTree struct {
	root *heldSeg
	rnd  uint32 // xorshift state
}

// heldSeg is a copy of bytes that arrived after a gap. Held segments do
// not overlap.
type heldSeg struct {
	pos       int64  // offset in the direction's stream of data[0] (see followHalf.offset)
	seq       uint32 // raw sequence number of data[0]
	data      []byte
	frame     int
	sec, nsec int64

	prio        uint32
	left, right *heldSeg
}

func (s *heldSeg) end() int64 { return s.pos + int64(len(s.data)) }

func (t *heldTree) empty() bool { return t.root == nil }

// min returns the segment with the lowest offset, nil if none.
func (t *heldTree) min() *heldSeg {
	s := t.root
	if s == nil {
		return nil
	}
	for s.left != nil {
		s = s.left
	}
	return s
}

// popMin removes the segment min returned. The lowest node has no left
// child, so its right subtree takes its place; the heap order holds
// because that subtree's priorities were below its own.
func (t *heldTree) popMin() {
	if t.root == nil {
		return
	}
	if t.root.left == nil {
		t.root = t.root.right
		return
	}
	p := t.root
	for p.left.left != nil {
		p = p.left
	}
	p.left = p.left.right
}

// floor returns the held segment with the greatest pos <= pos, nil if none.
func (t *heldTree) floor(pos int64) *heldSeg {
	var best *heldSeg
	for s := t.root; s != nil; {
		if s.pos <= pos {
			best, s = s, s.right
		} else {
			s = s.left
		}
	}
	return best
}

// ceil returns the held segment with the least pos >= pos, nil if none.
func (t *heldTree) ceil(pos int64) *heldSeg {
	var best *heldSeg
	for s := t.root; s != nil; {
		if s.pos >= pos {
			best, s = s, s.left
		} else {
			s = s.right
		}
	}
	return best
}

// insert adds s, which overlaps no held segment.
func (t *heldTree) insert(s *heldSeg) {
	if t.rnd == 0 {
		t.rnd = 0x9e3779b9
	}
	t.rnd ^= t.rnd << 13
	t.rnd ^= t.rnd >> 17
	t.rnd ^= t.rnd << 5
	s.prio, s.left, s.right = t.rnd, nil, nil
	t.root = insertHeld(t.root, s)
}

// insertHeld inserts s below root as a leaf, then rotates it up while its
// priority beats its parent's; it returns the subtree's new root. The
// recursion is as deep as the tree: O(log n) expected.
func insertHeld(root, s *heldSeg) *heldSeg {
	if root == nil {
		return s
	}
	if s.pos < root.pos {
		root.left = insertHeld(root.left, s)
		if root.left.prio > root.prio {
			l := root.left
			root.left, l.right = l.right, root
			return l
		}
		return root
	}
	root.right = insertHeld(root.right, s)
	if root.right.prio > root.prio {
		r := root.right
		root.right, r.left = r.left, root
		return r
	}
	return root
}
