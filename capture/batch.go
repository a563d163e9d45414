package capture

import (
	"bytes"
	"errors"
	"io"
	"slices"
)

// ReadBatch reads the next frames into frames, up to len(frames) and as
// many as fit in buf, at least one unless an error comes first, with their
// bytes (Data and Options) in buf, the caller's memory: they stay valid
// until the caller reuses buf, not only until the next call. It returns how
// many frames it read and the error that came after them: io.EOF at the
// clean end of the input, a *FormatError at damage, as Next reports them;
// every later call returns the same error. A frame too large for buf gets
// memory of its own.
//
// A classic pcap input is read straight into buf, with no copy in
// between, one read a call (more only while not one record is whole): the
// records are found in buf where the read put them. Bytes read past the
// last whole record (the start of the next one) are kept, and copied to
// the start of buf at the next call. Other formats are read
// frame by frame with Next, their bytes copied into buf.
//
// A reader read with ReadBatch is read with ReadBatch only: Next refuses.
func (r *FileReader) ReadBatch(frames []Frame, buf []byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	if len(frames) == 0 {
		return 0, nil
	}
	r.batched = true
	var n int
	var err error
	if r.ng {
		n, err = r.batchByFrame(frames, buf)
	} else {
		n, err = r.batchPcap(frames, buf)
	}
	if err != nil {
		r.err = err
	}
	return n, err
}

// errBatched is what Next returns once ReadBatch has read: the bytes it
// read ahead are not where Next looks for them.
var errBatched = errors.New("capture: Next after ReadBatch")

// batchByFrame is ReadBatch for formats read with Next: each frame's bytes
// are copied into buf. A frame that does not fit in what is left of buf
// gets memory of its own and ends the batch.
func (r *FileReader) batchByFrame(frames []Frame, buf []byte) (int, error) {
	used := 0
	for i := range frames {
		f := &frames[i]
		if err := r.nextFrame(f); err != nil {
			return i, err
		}
		r.packets++
		need := len(f.Data) + len(f.Options)
		if len(buf)-used < need {
			f.Data, f.Options = bytes.Clone(f.Data), bytes.Clone(f.Options)
			return i + 1, nil
		}
		f.Data, used = keepIn(buf, used, f.Data)
		f.Options, used = keepIn(buf, used, f.Options)
	}
	return len(frames), nil
}

// keepIn copies s into buf at used, where it fits, and returns the copy
// and the new used.
func keepIn(buf []byte, used int, s []byte) ([]byte, int) {
	if s == nil {
		return nil, used
	}
	end := used + copy(buf[used:], s)
	return buf[used:end:end], end
}

// batchPcap is ReadBatch for classic pcap: the bytes kept from the last
// call, then a read into the rest of buf, then every whole record there.
func (r *FileReader) batchPcap(frames []Frame, buf []byte) (int, error) {
	if len(r.ahead) >= len(buf) {
		return r.ownPcapRecord(frames) // a record larger than buf
	}
	off := r.src.off - int64(len(r.ahead)) // where buf[0] is in the input
	have := copy(buf, r.ahead)
	n, at := 0, 0
	for {
		for n < len(frames) && have-at >= pcapRecordLen {
			capLen, err := r.pcapCapLen(buf[at:], off+int64(at))
			if err != nil {
				return n, err
			}
			end := at + pcapRecordLen + capLen
			if end > have {
				break
			}
			r.pcapFrame(&frames[n], buf[at:end:end], off+int64(at))
			r.packets++
			n, at = n+1, end
		}
		if n > 0 || r.readErr != nil || have == len(buf) {
			break
		}
		got, err := r.src.read(buf[have:])
		have += got
		r.readErr = err
	}
	r.ahead = append(r.ahead[:0], buf[at:have]...)
	switch {
	case n > 0:
		return n, nil // a read error comes after these frames, at the next call
	case have == len(buf) && r.readErr == nil:
		return r.ownPcapRecord(frames)
	case r.readErr == io.EOF && len(r.ahead) == 0:
		return 0, io.EOF
	}
	// The input ended, or failed, inside a record: what Next would say.
	rest, err := r.ahead, r.readErr
	if len(rest) < pcapRecordLen {
		return 0, r.readFailure(off+int64(at), "record header", pcapRecordLen, len(rest), err)
	}
	capLen, _ := r.pcapCapLen(rest, off+int64(at)) // checked in the loop
	return 0, r.readFailure(off+int64(at), "record", capLen, len(rest)-pcapRecordLen, err)
}

// ownPcapRecord reads the record that r.ahead starts with, which does not
// fit the caller's buffer, into memory of its own, grown as its bytes come
// (as source.take does: a length field is no reason to allocate).
func (r *FileReader) ownPcapRecord(frames []Frame) (int, error) {
	off := r.src.off - int64(len(r.ahead))
	for len(r.ahead) < pcapRecordLen && r.readErr == nil {
		r.ahead = slices.Grow(r.ahead, pcapRecordLen)
		got, err := r.src.read(r.ahead[len(r.ahead):pcapRecordLen])
		r.ahead, r.readErr = r.ahead[:len(r.ahead)+got], err
	}
	if len(r.ahead) < pcapRecordLen {
		return 0, r.readFailure(off, "record header", pcapRecordLen, len(r.ahead), r.readErr)
	}
	capLen, err := r.pcapCapLen(r.ahead, off)
	if err != nil {
		return 0, err
	}
	need := pcapRecordLen + capLen
	rec := append([]byte(nil), r.ahead[:min(need, len(r.ahead))]...)
	r.ahead = append(r.ahead[:0], r.ahead[len(rec):]...)
	for len(rec) < need {
		if r.readErr != nil {
			return 0, r.readFailure(off, "record", capLen, len(rec)-pcapRecordLen, r.readErr)
		}
		want := min(need-len(rec), readBufSize)
		rec = slices.Grow(rec, want)
		got, err := r.src.read(rec[len(rec) : len(rec)+want])
		rec, r.readErr = rec[:len(rec)+got], err
	}
	r.pcapFrame(&frames[0], rec[:need:need], off)
	r.packets++
	return 1, nil
}
