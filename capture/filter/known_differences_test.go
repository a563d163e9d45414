package filter

import "testing"

// TestKnownDifferences pins down where Matcher and tcpdump 4.99.3 part
// ways, and why. Each case was checked by hand with tcpdump -r.
func TestKnownDifferences(t *testing.T) {
	short := ethernet(macB, macA, 0x0800, ipv4Packet(6, ip4A, ip4B, 0, tcpSegment(1, 80, 2, nil)))

	// libpcap's optimiser sees that "tcp" already decides the result
	// once tcp[100]'s protocol checks pass, and deletes the load; the
	// unoptimised program (and ours) reads past the end of the 54-byte
	// frame, which rejects it. tcpdump keeps the frame.
	if matchOn(t, "tcp[100] = 0 or tcp", 1, short) {
		t.Error(`"tcp[100] = 0 or tcp" on a short TCP frame: want false (BPF semantics)`)
	}

	// libpcap folds ip[1] & 0 to 0 and refuses the expression with
	// "division by zero"; we divide at run time, which rejects the frame.
	if matchOn(t, "ip[2:2] / (ip[1] & 0) = 0", 1, short) {
		t.Error("division by a zero computed at run time must reject the frame")
	}

	// A NULL (BSD loopback) capture stores the address family in the
	// writer's byte order, which libpcap takes from the file header. We
	// accept both orders, so a frame whose family is in the other order
	// than its file's matches here and not in tcpdump.
	if !matchOn(t, "ip", 0, null(2, true, ipv4Packet(6, ip4A, ip4B, 0, nil))) ||
		!matchOn(t, "ip", 0, null(2, false, ipv4Packet(6, ip4A, ip4B, 0, nil))) {
		t.Error("NULL frames: both byte orders of AF_INET must match ip")
	}

	// tcpdump refuses expressions its optimiser proves never match
	// ("expression rejects all packets"); we compile them to "ret #0".
	prog, err := Compile("ip6", 228, DefaultSnaplen)
	if err != nil || len(prog) != 1 {
		t.Errorf(`"ip6" on raw IPv4: got %v, %v; want a one-instruction program`, prog, err)
	}
}
