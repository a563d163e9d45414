package main

import (
	"fmt"
	"io"
	"time"

	"github.com/sockscope/sockscope/capture"
	"github.com/sockscope/sockscope/decode"
	"github.com/sockscope/sockscope/internal/escape"
)

// outputOptions are the flags every packet source shares.
type outputOptions struct {
	noUI   bool
	json   bool
	count  int    // stop after this many packets; 0: no limit
	out    string // -w
	stdout io.Writer
	stderr io.Writer

	flows flowOptions // --max-flows, --flow-timeout (flows.go)
}

// sink decodes frames, prints them as text or JSON, and writes them to -w.
// It is used by one goroutine.
type sink struct {
	o     *outputOptions
	print bool
	out   *asyncWriter
	w     *capture.FileWriter
	dec   *decode.Decoder
	text  *decode.TextFormatter
	p     decode.Packet
	n     int // frames taken
}

// newSink opens -w (for frames of linkType when none arrives) and the output.
func newSink(o *outputOptions, linkType uint32) (*sink, error) {
	s := &sink{
		o:     o,
		print: o.out == "" || o.noUI || o.json,
		dec:   decode.NewDecoder(),
		text:  decode.NewTextFormatter(time.Local),
	}
	s.dec.Seq.SetLimits(o.flows.limits(false))
	if o.out != "" {
		w, err := capture.Create(o.out, linkType)
		if err != nil {
			return nil, err
		}
		s.w = w
	}
	s.out = newAsyncWriter(o.stdout)
	return s, nil
}

// full reports whether -c COUNT frames have been taken.
func (s *sink) full() bool { return s.o.count > 0 && s.n >= s.o.count }

// take writes f to -w, then decodes and prints it as frame number.
func (s *sink) take(f *capture.Frame, number int) error {
	s.n++
	if s.w != nil {
		if err := s.w.WriteFrame(f); err != nil {
			return err
		}
	}
	if !s.print {
		return nil
	}
	s.dec.Decode(f, number, &s.p)
	line := s.out.Buffer()
	if s.o.json {
		line = decode.AppendJSON(line, &s.p)
	} else {
		line = s.text.Append(line, &s.p)
	}
	return s.out.Commit(append(line, '\n'))
}

// close flushes the output and closes -w, keeping the first error. With -w
// and nothing printed, it says how many packets were written.
func (s *sink) close(err error) error {
	if ferr := s.out.Close(); err == nil && ferr != nil {
		err = ferr
	}
	reportRetired(s.o.stderr, s.dec.Seq.Retired())
	if s.w != nil {
		if cerr := s.w.Close(); err == nil && cerr != nil {
			err = cerr
		}
		if err == nil && !s.print {
			fmt.Fprintf(s.o.stderr, "%d packets written to %s\n", s.n, escape.Text(s.o.out))
		}
	}
	return err
}
