package main

import (
	"strings"
	"testing"
)

// TestCaptureUsageGivesCapabilitiesToOneGroup: the capture setup in the
// usage text gives the capability to one group's copy of the binary, with
// setcap after chgrp (which would clear it), not to every user.
func TestCaptureUsageGivesCapabilitiesToOneGroup(t *testing.T) {
	chgrp := strings.Index(captureUsage, "chgrp pcap $(which sockscope)")
	chmod := strings.Index(captureUsage, "chmod 750 $(which sockscope)")
	setcap := strings.Index(captureUsage, "setcap cap_net_raw,cap_net_admin+ep $(which sockscope)")
	if chgrp < 0 || chmod < 0 || setcap < 0 || setcap < chgrp || setcap < chmod {
		t.Errorf("capture usage: want chgrp pcap, chmod 750, then setcap …+ep, got:\n%s", captureUsage)
	}
	if strings.Contains(captureUsage, "+eip") {
		t.Errorf("capture usage still grants inheritable capabilities (+eip):\n%s", captureUsage)
	}
}
