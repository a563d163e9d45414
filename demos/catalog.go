//go:build unix

package demos

// List returns every demo, in the order the tutorials teach them (topic by
// topic: see Topics). The slice is new; the demos are shared.
func List() []*Demo {
	return []*Demo{
		tcpEcho, tcpMulti, blocking, ipv6, // first sockets
		messageBoundaries, partialSend, slowReader, nagle, // byte stream and buffers
		halfClose, timeWait, backlog, // connection life
		peerClose, refused, // errors
		udpEcho, udpBroadcast, udpOverflow, // UDP
		unixStream, socketTypes, // local sockets
	}
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
