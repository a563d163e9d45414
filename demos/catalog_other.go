//go:build !unix

package demos

// List returns no demos: they are written against the BSD socket API of
// Unix systems.
func List() []*Demo { return nil }

// Get finds nothing: see List.
func Get(name string) (*Demo, bool) { return nil, false }

// sockSet stands in for the open sockets where there are no lessons.
type sockSet struct{}
