//go:build linux

package capture

// Tests of the TPACKET_V3 ring. The tests in live_linux_test.go run on the
// ring too (openLive checks that it is in use); TestLiveRecvmsgPath runs
// the main ones again on the recvmsg path.

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sockscope/sockscope/internal/netns"
	"golang.org/x/sys/unix"
)

func TestRingGeometry(t *testing.T) {
	for _, tc := range []struct {
		snap, size     int
		block, nblocks int
	}{
		{DefaultSnapLen, 0, 512 << 10, 32},
		{65535, 0, 128 << 10, 128},
		{64, 0, 128 << 10, 128},
		{128, 1, 128 << 10, 2},
		{MaxCapLen, 0, 4 << 20, 4},
	} {
		b, n := ringGeometry(tc.snap, tc.size)
		if b != tc.block || n != tc.nblocks {
			t.Errorf("ringGeometry(%d, %d) = %d, %d; want %d, %d", tc.snap, tc.size, b, n, tc.block, tc.nblocks)
		}
	}
}

// TestRingOrderLengthsTimes: many datagrams of different sizes, enough to
// fill several blocks, arrive once each, in order, with their lengths
// and timestamps that do not go back and lie within the sending.
func TestRingOrderLengthsTimes(t *testing.T) {
	if netns.ReexecTest(t) {
		return
	}
	// Small blocks (snaplen 200) so that the datagrams span many of them.
	s := openLive(t, LiveOptions{Interface: "lo", SnapLen: 200})
	_, send := udpPair(t, "127.0.0.1")
	const n = 3000
	before := time.Now()
	for i := range n {
		p := make([]byte, 4+i%300)
		binary.BigEndian.PutUint32(p, uint32(i))
		if _, err := send.Write(p); err != nil {
			t.Fatal(err)
		}
	}
	after := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), safety)
	defer cancel()
	var f Frame
	var last time.Time
	for i := 0; i < n; {
		if err := s.Next(ctx, &f); err != nil {
			t.Fatalf("after %d datagrams: %v", i, err)
		}
		_, _, pl, ok := udp(ipv4Of(f.Data, f.LinkType))
		if !ok || len(pl) < 4 {
			continue // not ours
		}
		wantPl := 4 + i%300
		if got := binary.BigEndian.Uint32(pl); got != uint32(i) {
			t.Fatalf("datagram %d where %d was due", got, i)
		}
		if wantLen := 14 + 20 + 8 + wantPl; f.Len != wantLen || len(f.Data) != min(wantLen, 200) {
			t.Errorf("datagram %d: Len %d, captured %d; want %d, %d", i, f.Len, len(f.Data), wantLen, min(wantLen, 200))
		}
		ts := time.Unix(f.Sec, f.Nsec)
		if f.NoTime || ts.Before(last) || ts.Before(before.Add(-time.Second)) || ts.After(after.Add(time.Second)) {
			t.Errorf("datagram %d: time %v (NoTime %v) after %v; sent between %v and %v", i, ts, f.NoTime, last, before, after)
		}
		last = ts
		i++
	}
	st, err := s.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if st.Dropped != 0 {
		t.Errorf("%d dropped with a reader at hand", st.Dropped)
	}
	t.Logf("stats %+v, ring %d blocks of %d bytes", st, s.ring.blocks, s.ring.blockSize)
}

// TestRingQuietLink: a single packet on an otherwise quiet link comes out
// of a block the kernel retires by its timer, not because it is full. The
// deadline only keeps a failure from hanging; the delay is logged.
func TestRingQuietLink(t *testing.T) {
	if netns.ReexecTest(t) {
		return
	}
	s := openLive(t, LiveOptions{Interface: "lo"})
	_, send := udpPair(t, "127.0.0.1")
	for round := range 3 {
		time.Sleep(3 * ringRetire * time.Millisecond) // the block before is retired; quiet
		sent := time.Now()
		write(t, send, fmt.Sprint("lone ", round))
		got := readUntil(t, s, func(c captured) bool { return hasPayload(c, fmt.Sprint("lone ", round)) })
		t.Logf("round %d: the lone datagram came out after %v (%d frames)", round, time.Since(sent), len(got))
	}
}

// TestRingDrops: a reader that stalls while a tiny ring overflows; the
// kernel counts what it could not store, and every frame is either read
// or counted as dropped.
func TestRingDrops(t *testing.T) {
	if netns.ReexecTest(t) {
		return
	}
	s := openLive(t, LiveOptions{Interface: "lo", SnapLen: 128, BufferSize: 1}) // 2 blocks of 128 KiB
	_, send := udpPair(t, "127.0.0.1")
	const n = 5000 // about 240 bytes each in the ring: twice what it holds
	for i := range n {
		write(t, send, fmt.Sprint("stalled ", i))
	}
	st, err := s.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if st.Dropped == 0 || st.Freezes == 0 || st.Received != n {
		t.Errorf("after %d frames into a ring of %d bytes: %+v; want drops, freezes and %d received", n, s.ring.blockSize*s.ring.blocks, st, n)
	}
	// What the ring holds can still be read (until a quiet spell well past
	// the block timeout), and once it is, the ring works again: a frame
	// sent while it is full is dropped, not queued.
	var got []captured
	var f Frame
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 10*ringRetire*time.Millisecond)
		err := s.Next(ctx, &f)
		cancel()
		if errors.Is(err, context.DeadlineExceeded) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, captured{Frame: f})
	}
	write(t, send, "sentinel")
	got = append(got, readUntil(t, s, func(c captured) bool { return hasPayload(c, "sentinel") })...)
	st2, err := s.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if read := uint64(len(got)); read+st2.Dropped != st2.Received || st2.Captured != read {
		t.Errorf("read %d, stats %+v: read + dropped != received", read, st2)
	}
	if st2.Received != n+1 {
		t.Errorf("received %d, want %d", st2.Received, n+1)
	}
	t.Logf("%d sent, %d read, stats %+v", n+1, len(got), st2)
}

// TestLiveRecvmsgPath runs the main live tests again with the ring turned
// off, as when the kernel refuses it.
func TestLiveRecvmsgPath(t *testing.T) {
	if netns.ReexecTest(t) {
		return
	}
	t.Setenv(ringEnv, "0")
	s := openLive(t, LiveOptions{Interface: "lo"})
	if on, _ := s.Ring(); on || s.Notice() != "" {
		t.Fatalf("%s=0: ring %v, notice %q; want no ring and no notice", ringEnv, on, s.Notice())
	}
	s.Close()
	for name, test := range map[string]func(*testing.T){
		"LoopbackUDPOnce":   TestLiveLoopbackUDPOnce,
		"LoopbackTCPOnce":   TestLiveLoopbackTCPOnce,
		"Cancel":            TestLiveCancel,
		"CloseUnblocksNext": TestLiveCloseUnblocksNext,
		"Stats":             TestLiveStats,
		"Filter":            TestLiveFilter,
		"FrameFields":       TestLiveFrameFields,
		"Any":               TestLiveAny,
		"NoAllocs":          TestLiveNoAllocs,
	} {
		t.Run(name, test)
	}
}

// TestRingCloseKeepsFrame: Close unmaps the ring, but the frame Next gave
// last lives in the source's own buffer and stays readable.
func TestRingCloseKeepsFrame(t *testing.T) {
	if netns.ReexecTest(t) {
		return
	}
	s := openLive(t, LiveOptions{Interface: "lo"})
	_, send := udpPair(t, "127.0.0.1")
	write(t, send, "kept after close")
	got := readUntil(t, s, func(c captured) bool { return hasPayload(c, "kept after close") })
	var f Frame
	ctx, cancel := context.WithTimeout(context.Background(), safety)
	defer cancel()
	write(t, send, "last")
	if err := s.Next(ctx, &f); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, _, pl, ok := udp(ipv4Of(f.Data, f.LinkType)); !ok || string(pl) != "last" {
		t.Errorf("after Close the last frame reads % x", f.Data)
	}
	if err := s.Next(ctx, &f); !errors.Is(err, ErrLiveClosed) {
		t.Errorf("Next after Close: %v", err)
	}
	_ = got
}

// TestLiveInterfaceDown: bringing the interface down ends a waiting Next
// with an error that says so, on the ring (where the kernel's ENETDOWN
// comes as POLLERR and SO_ERROR) as on the recvmsg path.
func TestLiveInterfaceDown(t *testing.T) {
	if netns.ReexecTest(t) {
		return
	}
	setLo := func(up bool) {
		fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer unix.Close(fd)
		ifr, _ := unix.NewIfreq("lo")
		flags := ifFlags(t, "lo") &^ unix.IFF_UP
		if up {
			flags |= unix.IFF_UP
		}
		ifr.SetUint16(flags)
		if err := unix.IoctlIfreq(fd, unix.SIOCSIFFLAGS, ifr); err != nil {
			t.Fatal(err)
		}
	}
	for _, ring := range []string{"1", "0"} {
		t.Run(ringEnv+"="+ring, func(t *testing.T) {
			t.Setenv(ringEnv, ring)
			s := openLive(t, LiveOptions{Interface: "lo"})
			_, send := udpPair(t, "127.0.0.1")
			write(t, send, "before down")
			res := make(chan error, 1)
			go func() {
				ctx, cancel := context.WithTimeout(context.Background(), safety)
				defer cancel()
				var f Frame
				for {
					if err := s.Next(ctx, &f); err != nil {
						res <- err
						return
					}
				}
			}()
			time.Sleep(100 * time.Millisecond) // "before down" read, Next waiting
			setLo(false)
			defer setLo(true)
			err := <-res
			if !errors.Is(err, unix.ENETDOWN) || !strings.Contains(err.Error(), "went down") {
				t.Errorf("Next after lo went down: %v; want ENETDOWN, said in words", err)
			}
		})
	}
}

// TestLiveLoopbackPrologueOnly: with PACKET_IGNORE_OUTGOING not asked for
// (as on kernels before 4.20), the filter's prologue alone still keeps
// the outgoing copies on lo out, on the ring and on the recvmsg path.
func TestLiveLoopbackPrologueOnly(t *testing.T) {
	if netns.ReexecTest(t) {
		return
	}
	ignoreOutgoing = false
	defer func() { ignoreOutgoing = true }()
	for _, ring := range []string{"1", "0"} {
		t.Run(ringEnv+"="+ring, func(t *testing.T) {
			t.Setenv(ringEnv, ring)
			t.Run("UDP", TestLiveLoopbackUDPOnce)
			t.Run("TCP", TestLiveLoopbackTCPOnce)
			t.Run("Stats", TestLiveStats)
		})
	}
}

// TestRingSizeFromEnv: SOCKSCOPE_LIVE_RING=N sizes the ring in MiB when
// LiveOptions.BufferSize is 0; BufferSize wins otherwise.
func TestRingSizeFromEnv(t *testing.T) {
	if netns.ReexecTest(t) {
		return
	}
	for _, tc := range []struct {
		env  string
		buf  int
		want int
	}{{"", 0, defaultRingSize}, {"2", 0, 2 << 20}, {"2", 8 << 20, 8 << 20}, {"yes", 0, defaultRingSize}} {
		t.Setenv(ringEnv, tc.env)
		s := openLive(t, LiveOptions{Interface: "lo", BufferSize: tc.buf})
		if on, size := s.Ring(); !on || size != tc.want {
			t.Errorf("%s=%q, BufferSize %d: ring %v of %d bytes, want %d", ringEnv, tc.env, tc.buf, on, size, tc.want)
		}
		s.Close()
	}
}
