package static

import "unsafe"

// Prefill and Mapping let the external tests see what init fills.
const Prefill = prefill

// Mapping is the mapping that holds the static memory.
func Mapping() (lo, hi uintptr, ok bool) {
	return mappingOf(uintptr(unsafe.Pointer(&anchor[0])))
}
