package inspector

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"

	"github.com/sockscope/sockscope/capture"
	"github.com/sockscope/sockscope/capture/filter"
)

// A capture filter the file's link type cannot take ("vlan" on Linux
// cooked frames) is refused before the screen comes up, as replay's text
// output refuses it before printing, so that the command can exit 2 with
// the message on a normal terminal.
func TestRunFileRefusesFilterForLinkTypeBeforeScreen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cooked.pcap")
	w, err := capture.Create(path, capture.LinkLinuxSLL)
	if err != nil {
		t.Fatal(err)
	}
	data := make([]byte, 16+20)
	data[14], data[15], data[16] = 0x08, 0x00, 0x45 // IPv4
	if err := w.WriteFrame(&capture.Frame{Sec: 1700000000, Len: len(data), LinkType: capture.LinkLinuxSLL, Data: data}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	m, err := filter.NewMatcher("tcp or vlan")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // were the inspector to start, it would stop at once
	err = RunFile(ctx, path, Options{
		Filter: m,
		Screen: tcell.NewSimulationScreen("UTF-8"),
		started: func(*tview.Application, *inspector) {
			t.Error("the inspector started with a filter the file cannot take")
		},
	})
	var le *filter.LinkTypeError
	if !errors.As(err, &le) || !strings.HasPrefix(err.Error(), path+": filter: column 8: ") {
		t.Errorf("got %v, want the file's name and a *filter.LinkTypeError", err)
	}
}
