package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sockscope/sockscope/capture"
	"github.com/sockscope/sockscope/demos"
)

const demoUsage = `Usage: sockscope demo list
       sockscope demo NAME [--no-ui|--json] [--pace DURATION] [--lang en|zh] [-w OUT] [--html OUT] [--host-net]

Runs a socket lesson with real kernel sockets in a private network namespace
(no root needed) while a live capture watches its loopback interface, and
prints every socket call (with the kernel's Send-Q, Recv-Q and TCP state
right after it), every packet, which packets carried which call's bytes, and
how each socket's send and receive buffers fill and drain (checked against
the kernel's own queues). On a terminal it opens the demo view (a ladder of
calls and packets, each socket's buffers as bars against their sizes and
strips over time; ? lists the keys); --no-ui, --json, -w or a pipe print the
timeline as text. "sockscope demo list" names the lessons.

Options:
  --no-ui          the timeline as text, as events happen
  --json           one JSON object per step, call, packet (as in "replay
                   --json"), buffer change and step outcome, printed when
                   the demo ends
  --pace DURATION  pause before each step (default 1s; 0 runs at full speed)
  --lang en|zh     explanations in English or 简体中文 (default: from LANG)
  -w OUT           write the packets to OUT (pcapng), each one tied to calls
                   carrying a comment naming them
  --html OUT       also write the run as one self-contained page to OUT (the
                   ladder, each socket's buffers over time, the steps; opens
                   from disk, no network); "-" writes it to stdout instead
                   of the text; an OUT ending in .svg gets the ladder and
                   the charts alone, for slides
  --host-net       run on the host's loopback instead of a private namespace
                   (needs CAP_NET_RAW for the capture; ports 7001-7040 must be free)
`

type demoOptions struct {
	name string
	noUI bool
	json bool
	pace time.Duration
	lang string
	out  string
	html string // --html OUT: the run as a page (export.go)
	// htmlAsked is --html as the person wrote it, where the lab child
	// writes through the directory its parent opened.
	htmlAsked string
	hostNet   bool
}

func parseDemo(args []string, stdout io.Writer) (*demoOptions, error) {
	o := &demoOptions{}
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.BoolVar(&o.noUI, "no-ui", false, "")
	fs.BoolVar(&o.json, "json", false, "")
	fs.DurationVar(&o.pace, "pace", time.Second, "")
	fs.StringVar(&o.lang, "lang", "", "")
	fs.StringVar(&o.out, "w", "", "")
	fs.StringVar(&o.html, "html", "", "")
	fs.BoolVar(&o.hostNet, "host-net", false, "")
	words, err := parseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, helpPrinted(fmt.Fprint(stdout, demoUsage))
		}
		return nil, usageError("demo: %v (run \"sockscope demo --help\")", err)
	}
	switch {
	case len(words) == 0:
		return nil, usageError("demo: name a demo, or \"list\" (run \"sockscope demo list\")")
	case len(words) > 1:
		return nil, usageError("demo: one demo at a time (got %q)", strings.Join(words, " "))
	case o.noUI && o.json:
		return nil, usageError("demo: choose one of --no-ui and --json")
	case o.pace < 0:
		return nil, usageError("demo: --pace wants a duration of 0 or more, got %v", o.pace)
	}
	switch o.lang {
	case "":
		o.lang = langFromEnv()
	case "en", "zh":
	default:
		return nil, usageError("demo: --lang wants en or zh, got %q", o.lang)
	}
	// The demo prints its timeline (text or JSON) whatever the flags.
	if err := checkOutput("demo", o.out, "demo's timeline", stdout); err != nil {
		return nil, err
	}
	if err := checkHTML("demo", o); err != nil {
		return nil, err
	}
	o.name = words[0]
	return o, nil
}

// langFromEnv picks Chinese when the locale says so (LC_ALL, LC_MESSAGES, LANG).
func langFromEnv() string {
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if l := os.Getenv(v); l != "" {
			if strings.HasPrefix(l, "zh") {
				return "zh"
			}
			return "en"
		}
	}
	return "en"
}

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseDemo(args, stdout)
	if err != nil {
		var ee *exitError
		if errors.As(err, &ee) && ee.code == 0 {
			return nil
		}
		return err
	}
	if o.name == "list" {
		var list strings.Builder
		width := 0
		for _, d := range demos.List() {
			width = max(width, len(d.Name))
		}
		for i, g := range demos.Topics() {
			if i > 0 {
				list.WriteByte('\n')
			}
			name := g.Name
			if o.lang == "zh" {
				name = g.NameZH
			}
			fmt.Fprintf(&list, "%s\n", name)
			for _, d := range g.Demos {
				title, summary := d.Title, d.Summary
				if o.lang == "zh" {
					title, summary = d.TitleZH, d.SummaryZH
				}
				fmt.Fprintf(&list, "  %-*s  %s\n  %-*s  %s\n", width, d.Name, title, width, "", summary)
			}
		}
		return printed(io.WriteString(stdout, list.String()))
	}
	d, ok := demos.Get(o.name)
	if !ok {
		names := make([]string, 0, len(demos.List()))
		for _, d := range demos.List() {
			names = append(names, d.Name)
		}
		return usageError("demo: no demo called %q; there are %s", o.name, strings.Join(names, ", "))
	}
	if !demos.InLab() && !o.hostNet {
		opts, done, err := htmlLabOptions("demo", o, demos.LabOptions{})
		if err != nil {
			return err
		}
		defer done()
		return runInLab(ctx, o.out, opts)
	}
	if !o.noUI && !o.json && o.out == "" && o.html == "" && isTerminal(stdout) {
		return hostNetHint(runDemoUI(ctx, d, o), d, o)
	}
	return hostNetHint(runDemoHereAt(ctx, d, o, stdout), d, o)
}

// runInLab runs this same command again inside a private network
// namespace (the lab), passing the directory of the -w file out, and
// returns how it ended.
func runInLab(ctx context.Context, out string, opts demos.LabOptions) error {
	if dir := outputDir(out); dir != nil {
		defer dir.Close()
		opts.Files = append([]*os.File{dir}, opts.Files...) // -w's first; --html's (export.go) last
	}
	err := demos.RunIsolated(ctx, opts)
	var xe *demos.ExitError
	if errors.As(err, &xe) {
		return &exitError{code: xe.Code} // the lab child printed why
	}
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// hostNetHint rewords the capture's permission error for someone running a
// demo with --host-net: the capture's own advice ends "the demos need
// neither", which is no help to someone running one; what helps is that
// the same demo without --host-net needs nothing.
func hostNetHint(err error, d *demos.Demo, o *demoOptions) error {
	if !o.hostNet || !errors.Is(err, capture.ErrNoPermission) {
		return err
	}
	return &rewordedError{
		msg: "demo " + d.Name + ` --host-net: the capture on the host's loopback needs CAP_NET_RAW (run as root, or see "sockscope capture --help" for a binary one group may capture with); without --host-net the demo runs in a private network namespace of its own and needs neither`,
		err: err,
	}
}

// rewordedError says err's cause in other words; errors.Is still finds it.
type rewordedError struct {
	msg string
	err error
}

func (e *rewordedError) Error() string { return e.msg }
func (e *rewordedError) Unwrap() error { return e.err }

// runDemoHere runs the demo in this process's network namespace, printing
// its timeline.
func runDemoHere(ctx context.Context, d *demos.Demo, o *demoOptions, stdout io.Writer) error {
	cmd := "demo"
	if d.Name == "trace" {
		cmd = "trace"
	}
	page, err := createHTML(cmd, o, stdout)
	if err != nil {
		return err
	}
	if o.html == "-" {
		stdout = io.Discard // the page goes there instead of the text
	}
	tl := newLessonPrinter(d, o.lang == "zh", o.json, stdout)
	// -w is opened before the lesson runs, so that a path that cannot be
	// written fails at once, not after the lesson. The lab's capture is on
	// a loopback interface: Ethernet framing.
	var pcap *capture.FileWriter
	if o.out != "" {
		w, err := capture.Create(o.out, capture.LinkEthernet)
		if err != nil {
			return fmt.Errorf("demo -w: %w (name a file in a directory you can write)", err)
		}
		pcap = w
	}
	if !o.json {
		title, summary := d.Title, d.Summary
		if o.lang == "zh" {
			title, summary = d.TitleZH, d.SummaryZH
		}
		fmt.Fprintf(stdout, "%s — %s\n%s\n", d.Name, title, summary)
	}
	var mu sync.Mutex
	sess := &demos.Session{Demo: d, Pace: o.pace, Sink: func(e demos.Event) {
		mu.Lock()
		defer mu.Unlock()
		tl.add(e)
	}}
	// Print as events happen, holding each back 200 ms so that packets
	// captured just after their call still sort in place.
	done := make(chan struct{})
	flushed := make(chan error, 1)
	go func() {
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				flushed <- nil
				return
			case now := <-tick.C:
				mu.Lock()
				err := tl.flush(now.Add(-200 * time.Millisecond))
				mu.Unlock()
				if err != nil {
					flushed <- err
					return
				}
			}
		}
	}()
	runErr := sess.Run(ctx)
	close(done)
	ferr := <-flushed
	mu.Lock()
	defer mu.Unlock()
	if err := tl.flush(time.Time{}); ferr == nil {
		ferr = err
	}
	if pcap != nil {
		if err := tl.writeCapture(pcap); err != nil && runErr == nil {
			runErr = err
		}
	}
	if page != nil {
		if err := tl.writePage(page, cmd, o); err != nil && runErr == nil {
			runErr = err
		}
	}
	if runErr == nil {
		runErr = ferr
	}
	if ctx.Err() != nil {
		return nil // Ctrl-C
	}
	return runErr
}

// runDemoHereAt runs runDemoHere; in the lab it writes -w through the
// directory the parent opened (see outputDir), and errors name the file as
// the user did.
func runDemoHereAt(ctx context.Context, d *demos.Demo, o *demoOptions, stdout io.Writer) error {
	if demos.InLab() && o.html != "" && o.html != "-" {
		if err := o.htmlInLab(); err != nil {
			return err
		}
	}
	if demos.InLab() && o.out != "" && o.out != "-" {
		if dir := outDirInLab(o); dir != nil {
			asked := o.out
			o.out = "/proc/self/fd/" + strconv.Itoa(int(dir.Fd())) + "/" + filepath.Base(o.out)
			err := runDemoHere(ctx, d, o, stdout)
			if err != nil && strings.Contains(err.Error(), o.out) {
				return &rewordedError{msg: strings.ReplaceAll(err.Error(), o.out, asked), err: err}
			}
			return err
		}
	}
	return runDemoHere(ctx, d, o, stdout)
}

// outputDir opens the directory of the -w file for the lab child, or
// returns nil (no -w, or stdout). The lab has a temporary directory of its
// own, so a path like /tmp/x.pcapng would land there and vanish with it;
// through this directory, opened here on the host's side, the child writes
// where the user meant, as /proc/self/fd/N/x.pcapng. If the directory
// cannot be opened, the child's own attempt reports why.
func outputDir(out string) *os.File {
	if out == "" || out == "-" {
		return nil
	}
	dir, err := os.Open(filepath.Dir(out))
	if err != nil {
		return nil
	}
	return dir
}
