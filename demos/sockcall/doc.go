// Package sockcall is the record of a lesson's socket calls and the lookup
// that ties them to the wire: Call (one socket call with its result, its
// times, and the kernel's view of every socket of the lesson right after
// it), Correlate (which frames carried which call's bytes, which recv read
// which send), and the call's label and JSON object.
//
// It is not protocol decoding: it sits below demos/ (which records Calls)
// and above decode (whose Packets it reads). It has no goroutines and no
// shared state; a Links value is built once and then only read.
package sockcall
