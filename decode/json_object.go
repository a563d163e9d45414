package decode

import (
	"encoding/binary"
	"slices"
	"strconv"
)

// JSONObject writes one JSON object with the escaping and number forms of
// the packet JSON, for the packages above decode that print objects of
// their own beside packets (a lesson's calls and buffers). Keys are given
// quoted with their colon, `"call.op":`, as inside decode.
type JSONObject struct{ o jsonObj }

// NewJSONObject starts an object at the end of dst.
func NewJSONObject(dst []byte) *JSONObject {
	return &JSONObject{o: jsonObj{b: append(dst, '{')}}
}

// Bytes closes the object and returns the buffer.
func (j *JSONObject) Bytes() []byte { return append(j.o.b, '}') }

// Str writes text sockscope composed (escaped by the one policy).
func (j *JSONObject) Str(k, v string) { j.o.str(k, v) }

// Data writes bytes from the wire or a program as a JSON string, escaped
// by the one policy (invalid UTF-8 as visible escapes).
func (j *JSONObject) Data(k string, v []byte) {
	j.o.key(k)
	j.o.b = append(j.o.b, '"')
	j.o.b = appendJSONString(j.o.b, v)
	j.o.b = append(j.o.b, '"')
}

// Int writes a signed number.
func (j *JSONObject) Int(k string, v int64) {
	j.o.key(k)
	j.o.b = strconv.AppendInt(j.o.b, v, 10)
}

// Uint writes an unsigned number.
func (j *JSONObject) Uint(k string, v uint64) { j.o.uint(k, v) }

// Ints writes a list of numbers.
func (j *JSONObject) Ints(k string, v []int) {
	j.o.key(k)
	j.o.b = append(j.o.b, '[')
	for i, n := range v {
		if i > 0 {
			j.o.b = append(j.o.b, ',')
		}
		j.o.b = strconv.AppendInt(j.o.b, int64(n), 10)
	}
	j.o.b = append(j.o.b, ']')
}

// Bool writes true or false.
func (j *JSONObject) Bool(k string, v bool) {
	j.o.key(k)
	j.o.b = strconv.AppendBool(j.o.b, v)
}

// Epoch writes an instant as a string in frame.time_epoch's form.
func (j *JSONObject) Epoch(k string, sec, nsec int64) {
	j.o.key(k)
	j.o.b = append(j.o.b, '"')
	j.o.b = appendEpoch(j.o.b, sec, nsec)
	j.o.b = append(j.o.b, '"')
}

// AppendEpoch appends an instant in frame.time_epoch's form
// ("1733480000.123456789").
func AppendEpoch(dst []byte, sec, nsec int64) []byte { return appendEpoch(dst, sec, nsec) }

// appendKey appends a member's key k (`"ip.src":`), after a comma unless
// it is the object's first, and leaves fmtRoom bytes of room for a
// number after it. A line has some thirty keys: those of 8 to 32 bytes,
// nearly all, are copied here in words, the last overlapping the one
// before, where append would call memmove for each.
func appendKey(b []byte, comma bool, k string) []byte {
	if need := 1 + len(k) + fmtRoom; cap(b)-len(b) < need {
		b = slices.Grow(b, need)
	}
	n := len(b)
	w := b[n : n+1+len(k)]
	w[0] = ',' // the key overwrites it when it is the first
	if comma {
		w = w[1:]
		n++
	}
	putKey(w, k)
	return b[:n+len(k)]
}

// putKey copies k to the front of w (len(w) >= len(k)): keys of 8 to 32
// bytes in words, others with copy.
func putKey(w []byte, k string) {
	if len(k) < 8 || len(k) > 32 || len(w) < len(k) {
		copy(w, k)
		return
	}
	binary.LittleEndian.PutUint64(w, le64(k))
	if len(k) > 16 {
		binary.LittleEndian.PutUint64(w[8:], le64(k[8:]))
		if len(k) > 24 {
			binary.LittleEndian.PutUint64(w[16:], le64(k[16:]))
		}
	}
	binary.LittleEndian.PutUint64(w[len(k)-8:], le64(k[len(k)-8:]))
}

// appendKeyUint is appendKey, then v in decimal. The protocols' common
// members go through jsonObj.next instead, with their keys as constants.
func appendKeyUint(b []byte, comma bool, k string, v uint64) []byte {
	return appendUint(appendKey(b, comma, k), v)
}

// le64 is the first eight bytes of s as a little-endian word (one load).
func le64(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}
