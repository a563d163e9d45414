//go:build linux

package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sockscope/sockscope/internal/netns"
)

// A live capture whose filter is longer than the kernel takes (4096
// instructions) says so in one line and filters in user space: the real
// binary, in a fresh network namespace, on lo, with "port 1 or … or port
// 3000". Datagrams go to ports outside the set first, then inside it;
// with -c 3 exactly the three inside must come out, each once (the
// outgoing copy on lo is still dropped).
func TestCaptureLongFilterFallsBackToUserSpace(t *testing.T) {
	if netns.ReexecTest(t) {
		return
	}
	bin := sockscopeBinary(t)
	// Only guards against a hang; the capture ends by itself at -c 3.
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "capture", "-i", "lo", "--json", "-c", "3", portList(1, 3000))
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SUDO_") { // no -Z drop to a sudo user
			cmd.Env = append(cmd.Env, kv)
		}
	}
	var out strings.Builder
	cmd.Stdout = &out
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait for "listening on": the socket is bound, so every datagram
	// sent from here on reaches it.
	errLines := bufio.NewScanner(stderr)
	var errOut []string
	for errLines.Scan() {
		errOut = append(errOut, errLines.Text())
		if strings.HasPrefix(errLines.Text(), "listening on lo") {
			break
		}
	}
	if len(errOut) == 0 || !strings.HasPrefix(errOut[len(errOut)-1], "listening on lo") {
		cmd.Wait()
		t.Fatalf("capture did not start; stderr %q", errOut)
	}

	tx, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Close()
	if p := tx.LocalAddr().(*net.UDPAddr).Port; p <= 3000 {
		t.Fatalf("source port %d is inside the filter's set", p)
	}
	// Nothing listens: an ICMP error follows each datagram, which the
	// filter must drop too (no port test matches ICMP).
	sent := []int{4000, 3001, 65000, 2999, 1, 3000}
	for _, port := range sent {
		if _, err := tx.WriteTo([]byte("long filter"), &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port}); err != nil {
			t.Fatal(err)
		}
	}
	rest, _ := io.ReadAll(stderr)
	werr := cmd.Wait()
	errOut = append(errOut, strings.Split(strings.TrimSpace(string(rest)), "\n")...)
	if werr != nil {
		t.Fatalf("capture: %v; stderr %q", werr, errOut)
	}
	const fallback = "sockscope: the filter is "
	var notes []string
	for _, l := range errOut {
		if strings.HasPrefix(l, fallback) {
			notes = append(notes, l)
		}
	}
	if len(notes) != 1 || !strings.HasSuffix(notes[0], "more than the kernel takes (4096): filtering in user space") {
		t.Errorf("want one fallback line on stderr, got %q", errOut)
	}
	var ports []int
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var p struct {
			Dst int `json:"udp.dstport"`
		}
		if err := json.Unmarshal([]byte(line), &p); err != nil {
			t.Fatalf("not JSON: %q", line)
		}
		ports = append(ports, p.Dst)
	}
	if want := []int{2999, 1, 3000}; !slices.Equal(ports, want) {
		t.Errorf("captured datagrams to ports %v, want %v (sent to %v)", ports, want, sent)
	}
	// "packets captured" counts what passed the filter here, the lines
	// printed, not every frame the kernel handed over unfiltered.
	want := fmt.Sprintf("%d packets captured", len(ports))
	if !slices.Contains(errOut, want) {
		t.Errorf("want %q on stderr (one per line printed), got %q", want, errOut)
	}
}
