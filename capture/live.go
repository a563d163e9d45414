package capture

import (
	"errors"
	"strings"

	"golang.org/x/net/bpf"
)

// Live capture: the types every platform shares. The implementation is in
// live_linux.go (AF_PACKET sockets, read through a TPACKET_V3 ring,
// ring_linux.go, or with recvmsg where there is no ring); other systems get a stub that returns
// an error (live_other.go). Interface listing is in iface.go.
//
//	s, err := capture.OpenLive(capture.LiveOptions{Interface: "lo"})
//	if err != nil { ... }        // one line, fit to show a person; errors.Is(err, capture.ErrNoPermission)
//	defer s.Close()
//	var f capture.Frame
//	for {
//		if err := s.Next(ctx, &f); err != nil {
//			break // ctx.Err() after cancel, ErrLiveClosed after Close, else a real error
//		}
//		use(f.Data) // valid until the next Next
//	}
//	st, _ := s.Stats() // "N packets received by filter, M packets dropped by kernel"

// LiveOptions configures OpenLive. The zero value captures every frame,
// whole, on the default interface, without promiscuous mode.
type LiveOptions struct {
	// Interface is the interface name: "lo", "eth0", ..., or "any" for all
	// interfaces at once (Linux cooked capture, LinkLinuxSLL, like tcpdump
	// -i any). "" picks DefaultInterface().
	Interface string
	// SnapLen is the most bytes kept of each frame (0 = DefaultSnapLen).
	// Frame.Len is always the frame's full length.
	SnapLen int
	// Promisc puts the interface into promiscuous mode for as long as the
	// source is open (the kernel counts users, so other captures are not
	// disturbed). Not supported with "any".
	Promisc bool
	// Filter is an optional classic BPF program (as compiled by
	// capture/filter, or tcpdump -dd) for the interface's link type: it
	// sees each frame from its link-layer header on, returns 0 to drop it or
	// the number of bytes to keep. nil keeps everything.
	Filter []bpf.RawInstruction
	// BufferSize is the size in bytes of the memory-mapped ring the kernel
	// writes frames into (0 = 16 MiB, or N MiB when the environment has
	// SOCKSCOPE_LIVE_RING=N; at least two blocks, a block holding one
	// frame of SnapLen bytes; SOCKSCOPE_LIVE_RING=0 turns the ring off). Where there is no ring (see
	// LiveSource.Notice) it is the socket receive buffer instead (0 = 4 MiB),
	// which the kernel caps at net.core.rmem_max unless we have
	// CAP_NET_ADMIN.
	BufferSize int
}

// DefaultSnapLen is the snapshot length used when LiveOptions.SnapLen is 0,
// the same as tcpdump's.
const DefaultSnapLen = 262144

// LiveStats are the counters of a live capture since it was opened, named
// after the lines tcpdump prints when it stops.
type LiveStats struct {
	// Captured is the number of frames Next has returned ("N packets
	// captured").
	Captured uint64
	// Received is the number of frames that passed the kernel filter,
	// including those then dropped ("N packets received by filter";
	// PACKET_STATISTICS tp_packets).
	//
	// On a loopback interface tcpdump counts every packet twice here,
	// because the kernel hands a packet socket both the outgoing and the
	// incoming copy and libpcap drops the outgoing one only after
	// counting it. sockscope drops the outgoing copy inside the kernel
	// filter, so Received counts each packet once and stays comparable
	// with Captured; it will read about half of tcpdump's figure for the
	// same traffic on lo.
	Received uint64
	// Dropped is the number of frames the kernel dropped because the socket
	// buffer was full — we did not read fast enough ("M packets dropped by
	// kernel"; PACKET_STATISTICS tp_drops).
	Dropped uint64
	// IfDropped is the number of frames the interface's driver dropped
	// since the capture was opened (the "drop" column of /proc/net/dev for
	// the interface; "K packets dropped by interface"). It stays 0 for
	// "any" and where the figure cannot be read.
	IfDropped uint64
	// Freezes is the number of times the kernel found every block of the
	// ring still ours and began dropping (tpacket_stats_v3
	// tp_freeze_q_cnt): how often, rather than how much, we fell behind.
	// It stays 0 without a ring.
	Freezes uint64
}

// ErrNoPermission is wrapped by the error OpenLive returns when the process
// may not open a packet socket (no CAP_NET_RAW).
var ErrNoPermission = errors.New("capture needs CAP_NET_RAW")

// ErrLiveClosed is returned by Next once the source has been closed,
// including to a Next that was waiting when Close was called.
var ErrLiveClosed = errors.New("capture: live source closed")

// ErrFilterTooLong is wrapped by the error OpenLive returns when
// LiveOptions.Filter, with the few instructions the capture adds in front
// (dropping the outgoing copy of loopback frames), is longer than the 4096
// instructions Linux accepts in a socket filter. Callers may open again
// with no Filter and filter in user space.
var ErrFilterTooLong = errors.New("filter program too long for the kernel")

// permissionError is the error for a packet socket we may not open. Its
// message is one line that tells a person what to do.
type permissionError struct {
	iface string
	errno error // EPERM or EACCES
}

func (e *permissionError) Error() string {
	// Not "setcap … $(which sockscope)" alone: that gives the capability
	// to every user of the machine. The usage text shows the setup that
	// gives it to one group.
	return "capture on " + e.iface + ` needs CAP_NET_RAW: run as root, or from a copy of sockscope that only one group may run and that has the capability (chgrp, chmod 750, setcap cap_net_raw,cap_net_admin+ep: "sockscope capture --help" shows how); the demos need neither`
}

func (e *permissionError) Unwrap() []error { return []error{ErrNoPermission, e.errno} }

// noPermission returns the one-line error for a capture on iface that the
// operating system refused with errno (EPERM or EACCES).
func noPermission(iface string, errno error) error {
	if iface == "" {
		iface = "the default interface"
	}
	return &permissionError{iface: iface, errno: errno}
}

// unknownInterfaceError names the interface asked for and lists those that
// exist, on one line.
func unknownInterfaceError(name string, have []IfaceInfo) error {
	names := make([]string, 0, len(have)+1)
	for _, i := range have {
		names = append(names, i.Name)
	}
	names = append(names, "any")
	return errors.New(`capture: no interface named "` + name + `" (available: ` + strings.Join(names, ", ") + ")")
}
