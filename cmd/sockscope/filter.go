package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/sockscope/sockscope/capture"
	"github.com/sockscope/sockscope/capture/filter"
)

// newFilter parses a capture filter given as the words after the file or
// the flags ("tcp port 80" may come as one argument or three). A bad
// expression is a usage error: one line with the column, and under it
// (filterExcerpt) at most 80 characters of the expression with a caret.
func newFilter(words []string) (*filter.Matcher, error) {
	expr := strings.Join(words, " ")
	m, err := filter.NewMatcher(expr)
	if err != nil {
		return nil, &filterError{err}
	}
	return m, nil
}

// filterError is an error of a capture filter as a usage error: exit
// status 2 (errors.As finds an *exitError), and errors.As still finds the
// filter's error, for filterExcerpt.
type filterError struct{ cause error }

func (e *filterError) Error() string { return e.cause.Error() }

func (e *filterError) Unwrap() []error { return []error{&exitError{code: 2}, e.cause} }

// filterUsage makes any filter error in err a usage error (exit status 2),
// as a syntax error is: an expression the capture's link type cannot take
// ("vlan" on Linux cooked frames), found once the file or interface is
// open, and one too complex to compile. run applies it to replay and
// capture, so every path (text, JSON, analysis, the inspector) agrees.
func filterUsage(err error) error {
	var (
		se *filter.SyntaxError
		le *filter.LinkTypeError
		ce *filter.ComplexityError
		ee *exitError
	)
	if (errors.As(err, &se) || errors.As(err, &le) || errors.As(err, &ce)) && !errors.As(err, &ee) {
		return &filterError{err}
	}
	return err
}

// filterExcerpt is what main prints under the error line of a filter
// error with a place in the expression: a newline, then at most 80
// characters of the expression and a caret under the fault. The lines
// hold printable ASCII only (filter.SyntaxError.Excerpt), so they need no
// escaping. Otherwise it is "".
func filterExcerpt(err error) string {
	var x interface{ Excerpt() string }
	if errors.As(err, &x) {
		if s := x.Excerpt(); s != "" {
			return "\n" + s
		}
	}
	return ""
}

// openLiveFallback runs open (capture.OpenLive, or the inspector that
// calls it) with lo. Linux takes at most 4096 instructions in a socket
// filter (with the loopback prologue); when lo.Filter is longer, it says
// so in one line on stderr and runs open again with no program of the
// user's: the kernel then keeps only what the capture itself needs (the
// outgoing copy on loopback still dropped), and the caller's Matcher,
// which re-checks every frame anyway, does the filtering in user space.
func openLiveFallback(lo capture.LiveOptions, stderr io.Writer, open func(capture.LiveOptions) error) error {
	err := open(lo)
	if lo.Filter != nil && errors.Is(err, capture.ErrFilterTooLong) {
		fmt.Fprintf(stderr, "sockscope: the filter is %d instructions, more than the kernel takes (%d): filtering in user space\n", len(lo.Filter), filter.MaxSocketInstructions)
		lo.Filter = nil
		err = open(lo)
	}
	return err
}

// openLive is capture.OpenLive with openLiveFallback: a program too long
// for the kernel leaves the filtering to the caller's Matcher.
func openLive(lo capture.LiveOptions, stderr io.Writer) (*capture.LiveSource, error) {
	var src *capture.LiveSource
	err := openLiveFallback(lo, stderr, func(lo capture.LiveOptions) error {
		var err error
		src, err = capture.OpenLive(lo)
		return err
	})
	if err == nil && src.Notice() != "" {
		// The ring could not be set up: say why once (it still captures).
		fmt.Fprintln(stderr, "sockscope: "+src.Notice())
	}
	return src, err
}
