package decode

// SetFastPath turns the Decoder's fast path (fastpath.go) on or off, for
// the tests that compare it with the general path.
func SetFastPath(d *Decoder, on bool) { d.noFastPath = !on }
