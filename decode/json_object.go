package decode

import "strconv"

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
