package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/sockscope/sockscope/demos"
	"github.com/sockscope/sockscope/demos/trace"
	_ "github.com/sockscope/sockscope/internal/hugepages/static" // before gopacket/layers fills its tables
)

// exitError carries a process exit status; its message, if any, has
// already been printed or is printed by main.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

// usageError reports a bad command line: exit status 2.
func usageError(format string, args ...any) error {
	return &exitError{code: 2, msg: fmt.Sprintf(format, args...)}
}

func main() {
	if trace.ShimMain() { // started by "sockscope trace": filter, then exec the program
		return
	}
	demos.MaybeChild() // inside the demo lab: set up, then run the demo below
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	endProfile := startProfile()
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	endProfile()
	stop()
	if err == nil {
		return
	}
	code := 1
	var ee *exitError
	if errors.As(err, &ee) {
		code = ee.code
	}
	if msg := err.Error(); msg != "" {
		fmt.Fprintln(os.Stderr, errorLine(err)+filterExcerpt(err))
	}
	os.Exit(code)
}

const mainUsage = `sockscope: see what sockets do.

Usage:
  sockscope                   on a terminal: pick a demo and watch it
  sockscope demo list         the socket lessons
  sockscope demo NAME [--no-ui|--json] [--pace D] [--lang en|zh] [-w OUT]
                              run one with real sockets and watch calls, buffers and packets
  sockscope replay FILE|- [--no-ui] [--json] [-c COUNT] [-w OUT]
                              read a pcap or pcapng file (or stdin), print its packets
  sockscope replay FILE --conversations | --follow CONV | --ladder CONV [--format F]
                              TCP/UDP conversations, one's payload, or its ladder diagram
  sockscope capture [-i IFACE] [-c COUNT] [-w OUT] [--no-ui|--json] [EXPRESSION]
                              capture live from an interface, like tcpdump
  sockscope trace [--no-ui|--json] [-w OUT] -- COMMAND [ARG...]
  sockscope trace -e 'python3 server.py' -e 'python3 client.py'
                              run your own programs and watch their calls, buffers and packets
  sockscope sockets [--json]  this namespace's sockets, like ss -tuanoi (no root)
  sockscope help              this text

Run "sockscope replay --help" for the replay options.
`

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		if isTerminal(stdout) {
			return runPickerUI(ctx) // the demo picker, in the lab like `demo`
		}
		return printed(fmt.Fprint(stdout, mainUsage))
	}
	switch args[0] {
	case "replay":
		return filterUsage(runReplay(ctx, args[1:], stdin, stdout, stderr))
	case "demo":
		return runDemo(ctx, args[1:], stdout, stderr)
	case "capture":
		return filterUsage(runCapture(ctx, args[1:], stdout, stderr))
	case "sockets":
		return runSockets(args[1:], stdout)
	case "trace":
		return runTrace(ctx, args[1:], stdout, stderr)
	case "help", "-h", "--help":
		return printed(fmt.Fprint(stdout, mainUsage))
	}
	return usageError("unknown command %q; run \"sockscope help\"", args[0])
}
