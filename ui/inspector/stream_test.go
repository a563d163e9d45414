//go:build linux

package inspector

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sockscope/sockscope/internal/ptytest"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"
	"golang.org/x/sys/unix"
)

// A FIFO with no writer: the inspector is on the screen, says it waits for
// data, and q ends it at once, though the source is still waiting.
func TestInspectorStreamQuitsWhileWaiting(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := unix.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	h := runFileHarness(t, fifo, Options{})
	h.waitText("fifo", "0 packets", "waiting for data")
	at := time.Now()
	h.sim.InjectKey(tcell.KeyRune, 'q', tcell.ModNone) // not h.key: its settle needs the loop q ends
	select {
	case err := <-h.done:
		t.Logf("RunFile returned %v after q", time.Since(at).Round(time.Microsecond))
		if err != nil {
			t.Fatalf("RunFile after q: %v", err)
		}
		h.done <- nil // for the harness's cleanup
	case <-time.After(5 * time.Second):
		t.Fatal("RunFile still running 5 s after q")
	}
}

// A FIFO whose writer sends something that is not a capture: the
// inspector ends by itself and returns the error, to be printed once the
// terminal is restored.
func TestInspectorStreamNotCapture(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := unix.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	h := runFileHarness(t, fifo, Options{})
	h.waitText("waiting for data")
	w, err := os.OpenFile(fifo, os.O_WRONLY, 0) // the inspector has it open
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("hello, not a capture\n"))
	w.Close()
	select {
	case err := <-h.done:
		if err == nil || err.Error() != fifo+": not a pcap or pcapng file" {
			t.Fatalf("RunFile: %v", err)
		}
		h.done <- nil
	case <-time.After(5 * time.Second):
		t.Fatal("the inspector stays up on an input that is not a capture")
	}
}

// "-" on the terminal the inspector reads its keys from is refused before
// the screen is touched.
func TestInspectorStdinTerminal(t *testing.T) {
	_, pts := ptytest.Open(t)
	saved := os.Stdin
	os.Stdin = pts
	defer func() { os.Stdin = saved }()
	started := false
	err := RunFile(context.Background(), "-", Options{started: func(*tview.Application, *inspector) { started = true }})
	if !errors.Is(err, ErrStdinTerminal) || started {
		t.Fatalf("RunFile(-) on a terminal: %v (screen started: %v)", err, started)
	}
}
