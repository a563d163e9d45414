//go:build unix

package demos

// List returns every demo, simplest first. The slice is new; the demos
// are shared.
func List() []*Demo {
	return []*Demo{tcpEcho, tcpMulti, udpEcho, udpBroadcast, unixStream, partialSend, slowReader, udpOverflow, messageBoundaries, nagle, peerClose, refused, timeWait, halfClose}
}

// Get returns the demo called name.
func Get(name string) (*Demo, bool) {
	for _, d := range List() {
		if d.Name == name {
			return d, true
		}
	}
	return nil, false
}
