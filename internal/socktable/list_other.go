//go:build !linux

package socktable

import (
	"errors"
	"runtime"
)

// List fails: the socket table is read through Linux's sock_diag netlink
// interface, which this system (runtime.GOOS) does not have.
func List() ([]Entry, error) {
	return nil, errors.New("socktable: the socket table needs Linux (sock_diag netlink); this is " + runtime.GOOS)
}
