package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/sockscope/sockscope/demos"
	"github.com/sockscope/sockscope/demos/trace"
)

const traceUsage = `Usage: sockscope trace [--no-ui|--json] [-w OUT] [--html OUT] [--lang en|zh] [--host-net] -- COMMAND [ARG...]
       sockscope trace [options] -e 'COMMAND ARG...' [-e 'COMMAND ARG...' ...]

Runs your own programs in a private network namespace of their own (no root
needed), records every socket call they make (and every process and thread
they start), captures their loopback, and lines the calls up with the
packets and the buffers, as "sockscope demo" does for its lessons. With
several -e, the programs start in order: each one once the one before is
blocked in accept, recv, recvfrom or poll (or has exited, or after 2 s), so
a server is listening before its client starts.

Options:
  -e 'COMMAND ARG...'  a program to run (repeatable); words split as a shell
                       would, with '...' and "..." quoting
  --no-ui              the timeline as text, as events happen
  --json               one JSON object per line, printed at the end
  -w OUT               write the packets to OUT (pcapng), with comments
                       naming the calls they carried
  --html OUT           also write the run as one self-contained page to OUT
                       (ladder, buffers over time, calls); "-" writes it to
                       stdout instead of the text; OUT.svg: the picture alone
  --lang en|zh         the view's words in English or 简体中文
  --host-net           run on the host's network instead of a private
                       namespace (the capture then needs CAP_NET_RAW)

The programs' own output is shown with each line escaped, on standard error
(after the view closes, in the view).

Example:
  sockscope trace -e 'python3 demos/python/echo_server.py' -e 'python3 demos/python/echo_client.py'
`

// multiFlag collects a repeated flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, " ") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

type traceOptions struct {
	demo  demoOptions
	progs []demos.Program
}

func parseTrace(args []string, stdout io.Writer) (*traceOptions, error) {
	o := &traceOptions{}
	var progs multiFlag
	fs := flag.NewFlagSet("trace", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Var(&progs, "e", "")
	fs.BoolVar(&o.demo.noUI, "no-ui", false, "")
	fs.BoolVar(&o.demo.json, "json", false, "")
	fs.StringVar(&o.demo.lang, "lang", "", "")
	fs.StringVar(&o.demo.out, "w", "", "")
	fs.StringVar(&o.demo.html, "html", "", "")
	fs.BoolVar(&o.demo.hostNet, "host-net", false, "")
	if err := fs.Parse(args); err != nil { // stops at the command's first word
		if errors.Is(err, flag.ErrHelp) {
			return nil, helpPrinted(fmt.Fprint(stdout, traceUsage))
		}
		return nil, usageError("trace: %v (run \"sockscope trace --help\")", err)
	}
	for _, e := range progs {
		words, err := splitWords(e)
		if err != nil {
			return nil, usageError("trace -e %q: %v", e, err)
		}
		if len(words) == 0 {
			return nil, usageError("trace -e: an empty command; give the program and its arguments, as in -e 'python3 server.py'")
		}
		o.progs = append(o.progs, demos.Program{Args: words})
	}
	if rest := fs.Args(); len(rest) > 0 {
		o.progs = append(o.progs, demos.Program{Args: rest})
	}
	switch {
	case len(o.progs) == 0:
		return nil, usageError("trace: name a program to run: sockscope trace -- python3 server.py, or -e 'python3 server.py' -e 'python3 client.py'")
	case o.demo.noUI && o.demo.json:
		return nil, usageError("trace: choose one of --no-ui and --json")
	}
	switch o.demo.lang {
	case "":
		o.demo.lang = langFromEnv()
	case "en", "zh":
	default:
		return nil, usageError("trace: --lang wants en or zh, got %q", o.demo.lang)
	}
	if err := checkOutput("trace", o.demo.out, "trace's timeline", stdout); err != nil {
		return nil, err
	}
	if err := checkHTML("trace", &o.demo); err != nil {
		return nil, err
	}
	o.demo.name = "trace"
	return o, nil
}

// splitWords splits a command line as a POSIX shell splits words: blanks
// separate them, '...' keeps everything literally, "..." keeps all but \"
// and \\, and a backslash outside quotes keeps the next character. No
// variables, globs or redirections.
func splitWords(s string) ([]string, error) {
	var words []string
	var w strings.Builder
	in := false // inside a word
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n':
			if in {
				words = append(words, w.String())
				w.Reset()
				in = false
			}
		case c == '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, errors.New("a ' is not closed")
			}
			w.WriteString(s[i+1 : i+1+j])
			i += j + 1
			in = true
		case c == '"':
			i++
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) && (s[i+1] == '"' || s[i+1] == '\\') {
					i++
				}
				w.WriteByte(s[i])
			}
			if i >= len(s) {
				return nil, errors.New(`a " is not closed`)
			}
			in = true
		case c == '\\':
			if i+1 < len(s) {
				i++
				w.WriteByte(s[i])
			}
			in = true
		default:
			w.WriteByte(c)
			in = true
		}
	}
	if in {
		words = append(words, w.String())
	}
	return words, nil
}

func runTrace(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseTrace(args, stdout)
	if err != nil {
		var ee *exitError
		if errors.As(err, &ee) && ee.code == 0 {
			return nil
		}
		return err
	}
	if !demos.InLab() && !o.demo.hostNet {
		opts, done, err := htmlLabOptions("trace", &o.demo, demos.LabOptions{SharedTmp: true}) // the programs may be in /tmp
		if err != nil {
			return err
		}
		defer done()
		err = runInLab(ctx, o.demo.out, opts)
		return reworded(err, "the demos run", "traced programs run")
	}

	ui := !o.demo.noUI && !o.demo.json && o.demo.out == "" && o.demo.html == "" && isTerminal(stdout)
	var res demos.TraceResult
	out := &programOutput{names: o.progs, w: stderr, hold: ui}
	d := demos.NewTrace(demos.TraceOptions{Programs: o.progs, Output: out.line}, &res)
	o.demo.pace = 0
	if ui {
		err = hostNetHint(runDemoUI(ctx, d, &o.demo), d, &o.demo)
	} else {
		err = runDemoHereAt(ctx, d, &o.demo, stdout)
	}
	out.release()
	for _, n := range res.Notes {
		fmt.Fprintln(stderr, "trace: "+n)
	}
	if res.Over > 0 {
		fmt.Fprintf(stderr, "trace: kept the first %d socket calls; %d more were counted, not kept\n", res.Calls, res.Over)
	}
	switch {
	case errors.Is(err, demos.ErrNoSocketCalls):
		what := " made no socket calls ("
		if res.Libc > 0 {
			what = fmt.Sprintf(" made no socket calls of its own, only the C library's %d to nscd (", res.Libc)
		}
		return &exitError{code: programsExit(res.Status, 1), msg: "trace: " + programList(o.progs) + what + statusList(res.Status) + "); sockscope shows socket calls, so there is nothing to line up"}
	case errors.Is(err, trace.ErrPtraceDenied):
		return &exitError{code: 1, msg: err.Error()}
	case err != nil:
		return err
	}
	if ctx.Err() != nil && len(res.Status) > 0 {
		fmt.Fprintln(stderr, "trace: stopped (Ctrl-C); the programs ended: "+statusList(res.Status))
		return nil
	}
	if code := programsExit(res.Status, 0); code != 0 {
		return &exitError{code: code, msg: "trace: " + statusList(res.Status)}
	}
	return nil
}

// reworded replaces words in err's message, keeping err for errors.Is.
func reworded(err error, old, new string) error {
	if err == nil || !strings.Contains(err.Error(), old) {
		return err
	}
	return &rewordedError{msg: strings.ReplaceAll(err.Error(), old, new), err: err}
}

// programsExit is the first program's non-zero status (128 + the signal for a
// program killed by one), or def when every program exited 0.
func programsExit(st []trace.ExitStatus, def int) int {
	for _, s := range st {
		switch {
		case s.Signal != 0:
			return 128 + s.Signal
		case s.Code != 0:
			return s.Code
		}
	}
	return def
}

func programList(progs []demos.Program) string {
	names := make([]string, len(progs))
	for i, p := range progs {
		names[i] = p.Name()
	}
	return strings.Join(names, ", ")
}

func statusList(st []trace.ExitStatus) string {
	parts := make([]string, len(st))
	for i, s := range st {
		parts[i] = s.String()
	}
	return strings.Join(parts, ", ")
}

// programOutput shows the traced programs' output lines (escaped by
// demos.Trace) on standard error, each after its program's name; while a
// terminal view owns the screen it holds the last lines and prints them
// when the view has closed.
type programOutput struct {
	names []demos.Program
	w     io.Writer
	hold  bool

	mu   sync.Mutex
	held []string
	lost int
}

const heldLines = 200

func (p *programOutput) line(prog int, stream, line string) {
	s := p.names[prog].Name()
	if stream == "stderr" {
		s += " (stderr)"
	}
	s += " │ " + line
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.hold {
		fmt.Fprintln(p.w, s)
		return
	}
	if len(p.held) == heldLines {
		p.held = p.held[1:]
		p.lost++
	}
	p.held = append(p.held, s)
}

func (p *programOutput) release() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.lost > 0 {
		fmt.Fprintf(p.w, "(%d earlier lines of the programs' output not kept)\n", p.lost)
	}
	for _, s := range p.held {
		fmt.Fprintln(p.w, s)
	}
	p.held, p.hold = nil, false
}
