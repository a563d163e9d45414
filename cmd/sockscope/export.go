package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/sockscope/sockscope/demos"
	"github.com/sockscope/sockscope/ui/page"
)

// The page export of demo and trace: --html OUT writes the run as one
// self-contained HTML page (ui/page) once it is over. In the lab the
// parent opens OUT's directory and passes it last among the lab's files
// (-w's comes first), as it does for -w.

// checkHTML refuses --html together with flags that write to the same
// place.
func checkHTML(cmd string, o *demoOptions) error {
	switch {
	case o.html == "":
	case o.html == "-" && o.json:
		return usageError("%s: --html - writes the page to stdout, and the --json output goes there too; name a file for --html", cmd)
	case o.html == "-" && o.out == "-":
		return usageError("%s: --html - and -w - both write to stdout; name a file for one of them", cmd)
	case o.html == o.out:
		return usageError("%s: --html and -w name the same file (%s); name two files", cmd, o.html)
	}
	return nil
}

// htmlLabOptions adds --html's directory to the lab's files (last), and
// returns what closes it once the lab is over. A directory that cannot be
// opened fails here, in one line naming the flag.
func htmlLabOptions(cmd string, o *demoOptions, opts demos.LabOptions) (demos.LabOptions, func(), error) {
	if o.html == "" || o.html == "-" {
		return opts, func() {}, nil
	}
	dir, err := os.Open(filepath.Dir(o.html))
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return opts, nil, fmt.Errorf("%s --html %s: directory %s: %w (name a file in a directory you can write)", cmd, o.html, filepath.Dir(o.html), err)
	}
	opts.Files = append(opts.Files, dir)
	return opts, func() { dir.Close() }, nil
}

// labFileCount is how many files the lab's parent passed.
func labFileCount() int {
	n := 0
	for demos.LabFile(n) != nil {
		n++
	}
	return n
}

// htmlInLab points --html at the directory the parent opened (the last of
// the lab's files).
func (o *demoOptions) htmlInLab() error {
	n := labFileCount()
	if n == 0 {
		return nil
	}
	o.htmlAsked = o.html
	o.html = "/proc/self/fd/" + strconv.Itoa(int(demos.LabFile(n-1).Fd())) + "/" + filepath.Base(o.html)
	return nil
}

// outDirInLab is -w's directory in the lab: the first of the lab's files
// when the parent could open it (the last one is --html's, if given).
func outDirInLab(o *demoOptions) *os.File {
	n := labFileCount()
	if o.html != "" && o.html != "-" {
		n--
	}
	if n < 1 {
		return nil
	}
	return demos.LabFile(0)
}

// htmlName is --html as the person wrote it.
func (o *demoOptions) htmlName() string {
	if o.htmlAsked != "" {
		return o.htmlAsked
	}
	return o.html
}

// createHTML opens --html's file before the run, so that a path that
// cannot be written fails at once (nil when there is no --html).
func createHTML(cmd string, o *demoOptions, stdout io.Writer) (io.WriteCloser, error) {
	switch o.html {
	case "":
		return nil, nil
	case "-":
		return nopCloser{stdout}, nil
	}
	f, err := os.Create(o.html)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("%s --html %s: %w (name a file in a directory you can write)", cmd, o.htmlName(), err)
	}
	return f, nil
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }

// writePage writes the run's page to w and closes it; to a file named
// *.svg, the ladder and the charts alone.
func (l *lessonPrinter) writePage(w io.WriteCloser, cmd string, o *demoOptions) error {
	p := page.Lesson(l.b.Build(), page.Options{ZH: o.lang == "zh"})
	var err error
	if strings.HasSuffix(strings.ToLower(o.htmlName()), ".svg") {
		err = p.WriteSVG(w) // the picture alone, for slides
	} else {
		err = p.WritePage(w)
	}
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("%s --html %s: %w", cmd, o.htmlName(), err)
	}
	return nil
}
