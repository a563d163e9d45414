//go:build !linux

package capture

import (
	"context"
	"errors"
	"net"
	"runtime"
)

// Live capture needs Linux AF_PACKET sockets. On other systems the API
// exists so that callers build everywhere, and every entry point says
// plainly that it is not available.

var errLiveUnsupported = errors.New("capture: live capture is only implemented on Linux (this is " + runtime.GOOS + "); read a capture file instead")

// LiveSource reads frames from a network interface. On this system OpenLive
// always fails, so no LiveSource is ever returned.
type LiveSource struct{}

// OpenLive returns an error: live capture is only implemented on Linux.
func OpenLive(opts LiveOptions) (*LiveSource, error) { return nil, errLiveUnsupported }

// Next returns an error: live capture is only implemented on Linux.
func (s *LiveSource) Next(ctx context.Context, f *Frame) error { return errLiveUnsupported }

// Stats returns an error: live capture is only implemented on Linux.
func (s *LiveSource) Stats() (LiveStats, error) { return LiveStats{}, errLiveUnsupported }

// Ring returns false, 0.
func (s *LiveSource) Ring() (bool, int) { return false, 0 }

// Notice returns "".
func (s *LiveSource) Notice() string { return "" }

// LinkType returns 0.
func (s *LiveSource) LinkType() uint32 { return 0 }

// Interface returns "".
func (s *LiveSource) Interface() string { return "" }

// SnapLen returns 0.
func (s *LiveSource) SnapLen() int { return 0 }

// Close does nothing.
func (s *LiveSource) Close() error { return nil }

// interfaces lists interfaces with the standard library; hardware and link
// types are unknown (0).
func interfaces() ([]IfaceInfo, error) {
	nifs, err := net.Interfaces()
	if err != nil {
		return nil, err
	}
	ifs := make([]IfaceInfo, len(nifs))
	for k, i := range nifs {
		ifs[k] = IfaceInfo{
			Name:     i.Name,
			Index:    i.Index,
			Up:       i.Flags&net.FlagUp != 0,
			Running:  i.Flags&net.FlagRunning != 0,
			Loopback: i.Flags&net.FlagLoopback != 0,
		}
	}
	return ifs, nil
}
