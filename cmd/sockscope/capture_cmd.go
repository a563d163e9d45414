package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"golang.org/x/net/bpf"

	"github.com/sockscope/sockscope/capture"
	"github.com/sockscope/sockscope/decode/pipeline"
	"github.com/sockscope/sockscope/internal/escape"
)

const captureUsage = `Usage: sockscope capture [-i IFACE] [-c COUNT] [-s SNAPLEN] [-p] [-w OUT [-U]] [-Z USER] [--no-ui|--json] [EXPRESSION]
       sockscope capture -D

Captures live from a network interface, like tcpdump, and prints one line
per packet (--no-ui, or when stdout is not a terminal) or one JSON object
per packet (--json); on a terminal it opens the inspector. Ctrl-C stops it; the kernel's counters follow.

EXPRESSION is a capture filter in tcpdump's syntax ('tcp port 80',
'host 10.0.0.1 and not arp', 'tcp[tcpflags] & tcp-syn != 0'); it runs in
the kernel, or in sockscope when it is longer than the kernel takes.

Capturing needs CAP_NET_RAW: run as root, or let one group capture (not
every user of the machine) from a copy of sockscope only it may run:
  sudo groupadd -f pcap; sudo usermod -aG pcap "$USER"   # then log in again
  sudo chgrp pcap $(which sockscope)
  sudo chmod 750 $(which sockscope)
  sudo setcap cap_net_raw,cap_net_admin+ep $(which sockscope)
setcap comes last: chgrp and chown remove file capabilities. The demos
(sockscope demo) need neither; the group's members run them from that copy
too, as sockscope gives the capabilities up before it makes the demo's lab.

Options:
  -i IFACE    interface (default: the first one that is up and not loopback;
              "any" for all)
  -D          list the interfaces and exit
  -c COUNT    stop after COUNT packets
  -s SNAPLEN  keep at most SNAPLEN bytes of each packet (default 262144)
  -p          put the interface into promiscuous mode
  -w OUT      also write the packets to OUT (pcapng, or pcap for *.pcap);
              with -w and neither --no-ui nor --json, nothing is printed
  -U          packet-buffered: flush -w after every packet, and print
              each line at once (default: -w is flushed at least every
              second, lines at least every 100 ms, on a terminal at once)
  -Z USER     once the capture is open, drop root to USER (its groups,
              then its group, then its uid) before creating -w OUT, as
              tcpdump does; the default under sudo is $SUDO_USER, and
              -Z root keeps root
  --no-ui     tcpdump-style lines
  --json      one JSON object per line, keys named as Wireshark's fields
  --lang en|zh  the inspector's own words (default: from LANG)
`

type captureOptions struct {
	outputOptions
	ui      *inspectorFlags
	iface   string
	list    bool
	snaplen int
	promisc bool
	expr    string
	user    string    // -Z
	drop    *userDrop // whom to become once the socket is open; nil: no one
}

func parseCapture(args []string, stdout, stderr io.Writer) (*captureOptions, error) {
	o := &captureOptions{outputOptions: outputOptions{stdout: stdout, stderr: stderr}}
	fs := flag.NewFlagSet("capture", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&o.iface, "i", "", "")
	fs.BoolVar(&o.list, "D", false, "")
	fs.IntVar(&o.count, "c", 0, "")
	fs.IntVar(&o.snaplen, "s", 0, "")
	fs.BoolVar(&o.promisc, "p", false, "")
	fs.StringVar(&o.out, "w", "", "")
	fs.BoolVar(&o.noUI, "no-ui", false, "")
	fs.BoolVar(&o.json, "json", false, "")
	o.flows.register(fs)
	fs.BoolVar(&o.packetBuffered, "U", false, "")
	fs.StringVar(&o.user, "Z", "", "")
	o.ui = addInspectorFlags(fs, false)
	words, err := parseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, helpPrinted(fmt.Fprint(stdout, captureUsage, flowUsage))
		}
		return nil, usageError("capture: %v (run \"sockscope capture --help\")", err)
	}
	switch {
	case o.count < 0:
		return nil, usageError("capture: -c wants a positive packet count, got %d", o.count)
	case o.snaplen < 0 || o.snaplen > capture.MaxCapLen:
		return nil, usageError("capture: -s wants a snapshot length from 1 to %d, got %d", capture.MaxCapLen, o.snaplen)
	case o.noUI && o.json:
		return nil, usageError("capture: choose one of --no-ui and --json")
	}
	if err := o.flows.check(); err != nil {
		return nil, err
	}
	if err := checkOutput("capture", o.out, printedOutput(o.noUI, o.json), stdout); err != nil {
		return nil, err
	}
	if _, err := o.ui.options(); err != nil { // refused in every mode, not only the inspector
		return nil, err
	}
	if err := o.ui.checkDisplayOnly(&o.outputOptions); err != nil {
		return nil, err
	}
	o.expr = strings.Join(words, " ")
	if !o.list {
		if o.drop, err = resolveUserDrop(o.user); err != nil {
			return nil, err
		}
	}
	return o, nil
}

// parseInterspersed parses flags that may come before, between or after
// the positional words, as tcpdump allows, and returns the words.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var words []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return words, nil
		}
		words = append(words, args[0])
		args = args[1:]
	}
}

func runCapture(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	o, err := parseCapture(args, stdout, stderr)
	if err != nil {
		var ee *exitError
		if errors.As(err, &ee) && ee.code == 0 {
			return nil
		}
		return err
	}
	if o.list {
		return listInterfaces(stdout)
	}
	iface := o.iface
	if iface == "" {
		if iface, err = capture.DefaultInterface(); err != nil {
			return err
		}
	}
	link, err := interfaceLinkType(iface)
	if err != nil {
		return err
	}
	m, err := newFilter([]string{o.expr})
	if err != nil {
		return err
	}
	var prog []bpf.RawInstruction
	if !m.MatchesAll() {
		if prog, err = m.Program(link); err != nil {
			return err
		}
	}
	if wantInspector(&o.outputOptions) {
		return openLiveFallback(capture.LiveOptions{Interface: iface, SnapLen: o.snaplen, Promisc: o.promisc, Filter: prog}, stderr, func(lo capture.LiveOptions) error { return runCaptureUI(ctx, lo, m, o.ui, o.drop.apply) })
	}
	src, err := openLive(capture.LiveOptions{Interface: iface, SnapLen: o.snaplen, Promisc: o.promisc, Filter: prog}, stderr)
	if err != nil {
		return err
	}
	defer src.Close()
	// Root was needed for the socket only: drop it before -w is created
	// (so the file belongs to the user) and before any packet is decoded.
	if err := o.drop.apply(); err != nil {
		return err
	}
	o.live = true // packets come when they come: flush on a timer
	limits := o.flows.limits(false)
	// The kernel ran the filter already; the pipeline runs it again
	// because the kernel strips VLAN tags before a socket filter sees a
	// frame. Live numbering: the packets kept, 1, 2, …
	pl, err := pipeline.New(src, pipeline.Config{
		Name: src.Interface(), Filter: m, Count: o.count, Limits: &limits,
		NoDecode: !o.printing(), Live: true,
	})
	if err != nil {
		return err
	}
	s, err := newSink(ctx, &o.outputOptions, src.LinkType())
	if err != nil {
		return err
	}
	s.seq = pl.Tracker()
	fmt.Fprintf(stderr, "listening on %s, link-type %s, snapshot length %d bytes\n", escape.Text(src.Interface()), linkTypeName(src.LinkType()), src.SnapLen())
	// "packets captured" counts what passed our own filter, as tcpdump
	// counts the packets it handled: the source's count also holds the
	// frames the kernel let through and the filter here dropped (all of
	// them when the filter is too long for the kernel). The other two
	// lines are the kernel's.
	defer func() {
		if err = s.close(err); cancelled(ctx, err) {
			err = nil // Ctrl-C with the output blocked: a normal end
		}
		if st, serr := src.Stats(); serr == nil {
			fmt.Fprintf(stderr, "%d packets captured\n%d packets received by filter\n%d packets dropped by kernel\n", pl.Kept(), st.Received, st.Dropped)
		}
	}()
	if err := pl.Run(ctx, s.take); err != nil {
		if ctx.Err() != nil || errors.Is(err, capture.ErrLiveClosed) {
			return nil // Ctrl-C: a normal end
		}
		return err
	}
	return nil
}

func listInterfaces(w io.Writer) error {
	ifs, err := capture.Interfaces()
	if err != nil {
		return err
	}
	return writeInterfaceList(w, ifs)
}

// interfaceLinkType is the link type frames of iface will have, needed to
// compile a filter before the capture opens.
func interfaceLinkType(iface string) (uint32, error) {
	if iface == "any" {
		return capture.LinkLinuxSLL, nil
	}
	ifs, err := capture.Interfaces()
	if err != nil {
		return 0, err
	}
	for _, ifc := range ifs {
		if ifc.Name == iface {
			return ifc.LinkType, nil
		}
	}
	return 0, nil // OpenLive names the interfaces there are
}

// linkTypeName is tcpdump's name for a link type.
func linkTypeName(l uint32) string {
	switch l {
	case capture.LinkEthernet:
		return "EN10MB (Ethernet)"
	case capture.LinkRaw:
		return "RAW (Raw IP)"
	case capture.LinkLinuxSLL:
		return "LINUX_SLL (Linux cooked v1)"
	case capture.LinkLinuxSLL2:
		return "LINUX_SLL2 (Linux cooked v2)"
	case capture.LinkNull:
		return "NULL (BSD loopback)"
	}
	return fmt.Sprintf("%d", l)
}
