package hugepages

import "unsafe"

// Prefill and StaticMapping let the external tests see what init fills.
const Prefill = prefill

// StaticMapping is the mapping that holds the static memory.
func StaticMapping() (lo, hi uintptr, ok bool) {
	return mappingOf(uintptr(unsafe.Pointer(&anchor[0])))
}
