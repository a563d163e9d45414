package inspector

import (
	"context"
	"errors"
	"os"
	"path/filepath"

	"golang.org/x/term"

	"github.com/sockscope/sockscope/capture"
	"github.com/sockscope/sockscope/decode/store"
)

// Inputs that may wait: a FIFO with no writer yet, a pipe whose writer
// has not written, a writer that went quiet. The inspector must not wait
// with them before it is on the screen (q would do nothing, for nothing
// is there to press it to), so they are opened by the source goroutine,
// under the inspector's context, with capture.OpenIndexedContext.

// ErrStdinTerminal refuses "-" when standard input is the terminal the
// inspector reads its keys from: both would read the same keystrokes. It is
// a usage error: the caller exits 2.
var ErrStdinTerminal = errors.New(`stdin is a terminal, not a capture: pipe or redirect one into "sockscope replay -"`)

// mayWait reports whether opening or reading path may wait for bytes:
// anything but a regular file or a directory ("-": standard input). A
// path that cannot be examined gives false and is left to Open's error.
func mayWait(path string) (bool, error) {
	var st os.FileInfo
	var err error
	if path == "-" {
		if term.IsTerminal(int(os.Stdin.Fd())) {
			return false, ErrStdinTerminal
		}
		st, err = os.Stdin.Stat()
	} else {
		st, err = os.Stat(path)
	}
	return err == nil && capture.MayWait(st), nil
}

// runStream shows a streamed input in the inspector: on the screen at
// once, "waiting for data" until the capture's header has come, then
// packets kept in memory as they arrive. An input that turns out not to
// be a capture ends the inspector, and its error is returned.
func runStream(ctx context.Context, path string, opts Options) error {
	name := path
	if path == "-" {
		name = "stdin"
	}
	s := store.NewMem(name, false, opts.maxPackets(), opts.maxBytes())
	s.SetSource(filepath.Base(name))
	s.SetNote(opts.tr("waiting for data", "等待数据"))
	ctx, quit := context.WithCancel(ctx)
	defer quit()
	return runInspector(ctx, s, opts, func(ctx context.Context) error {
		ir, err := capture.OpenIndexedContext(ctx, path)
		if err != nil {
			if ctx.Err() == nil {
				quit() // nothing to show: leave the screen, print why
			}
			return err
		}
		defer ir.Close()
		s.SetNote(opts.memNote(ir.Format(), path))
		tr, err := store.IndexFile(ctx, s, ir, opts.Filter)
		s.Finish(err) // the count is final: say so before the conversations
		s.SetConvs(tr)
		return err
	}, nil)
}
