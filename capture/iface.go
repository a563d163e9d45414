package capture

import (
	"errors"
	"strings"
)

// IfaceInfo describes a network interface a live capture can use.
type IfaceInfo struct {
	Name  string
	Index int
	// Up is IFF_UP (administratively up); Running is IFF_RUNNING (up and
	// with a carrier: frames can flow).
	Up      bool
	Running bool
	// Loopback is IFF_LOOPBACK. On a loopback interface every packet is
	// both sent and received; a live capture shows it once.
	Loopback bool
	// ARPHRD is the kernel's hardware type (ARPHRD_ETHER = 1,
	// ARPHRD_LOOPBACK = 772, ARPHRD_NONE = 0xfffe for tun and WireGuard,
	// ...). 0 where unknown (systems other than Linux).
	ARPHRD uint16
	// LinkType is the LINKTYPE_* of the frames a live capture on this
	// interface produces (LinkEthernet, LinkRaw, LinkLinuxSLL, ...). 0
	// where live capture is not supported.
	LinkType uint32
}

// String is "NAME (up, loopback)" and the like, for listings.
func (i IfaceInfo) String() string {
	var flags []string
	switch {
	case i.Running:
		flags = append(flags, "up")
	case i.Up:
		flags = append(flags, "up, no carrier")
	default:
		flags = append(flags, "down")
	}
	if i.Loopback {
		flags = append(flags, "loopback")
	}
	return i.Name + " (" + strings.Join(flags, ", ") + ")"
}

// Interfaces lists the network interfaces of this process's network
// namespace, in index order.
func Interfaces() ([]IfaceInfo, error) { return interfaces() }

// DefaultInterface picks the interface a capture uses when none is named,
// as tcpdump does: the first interface that is up and not loopback,
// preferring one with a carrier. If there is none it returns an error that
// lists the interfaces there are.
func DefaultInterface() (string, error) {
	ifs, err := Interfaces()
	if err != nil {
		return "", err
	}
	return defaultInterface(ifs)
}

func defaultInterface(ifs []IfaceInfo) (string, error) {
	for _, running := range []bool{true, false} {
		for _, i := range ifs {
			if i.Up && !i.Loopback && (i.Running || !running) {
				return i.Name, nil
			}
		}
	}
	have := make([]string, len(ifs))
	for k, i := range ifs {
		have[k] = i.String()
	}
	return "", errors.New("capture: no interface is up besides loopback, so there is no default; name one (have: " + strings.Join(have, ", ") + ")")
}

// findInterface returns the interface named name from ifs.
func findInterface(ifs []IfaceInfo, name string) (IfaceInfo, bool) {
	for _, i := range ifs {
		if i.Name == name {
			return i, true
		}
	}
	return IfaceInfo{}, false
}
