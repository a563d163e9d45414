//go:build unix && !linux

package demos

// v6PeerExtra is Linux only; elsewhere the demos fail at their first
// socket call anyway (errNotLinux).
func v6PeerExtra(fd int) (flowinfo, scopeID uint32, err error) { return 0, 0, errNotLinux }
