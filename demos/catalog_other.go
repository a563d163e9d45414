//go:build !unix

package demos

import (
	"errors"

	"github.com/sockscope/sockscope/internal/socktable"
)

// List returns no demos: they are written against the BSD socket API of
// Unix systems.
func List() []*Demo { return nil }

// Get finds nothing: see List.
func Get(name string) (*Demo, bool) { return nil, false }

// sockSet stands in for the open sockets where there are no lessons.
type sockSet struct{}

func (e *Env) socketTable() ([]socktable.Entry, []string, error) {
	return nil, nil, errors.New("the lessons' socket table needs Linux")
}
