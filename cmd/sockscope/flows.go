package main

import (
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/sockscope/sockscope/decode"
)

// flowOptions bound the connection tracker's memory on captures whose
// flows never close (scans, floods): --max-flows and --flow-timeout.
type flowOptions struct {
	maxFlows int
	timeout  time.Duration
}

var flowUsage = fmt.Sprintf(`  --max-flows N  TCP connections and UDP conversations tracked at once
              (default %d; 0: no bound); past it the least recently seen
              is retired: its later packets start a new tcp.stream/udp.stream
  --flow-timeout D  retire a flow idle this long in capture time
              (default %v; 0: never)
`, decode.DefaultMaxFlows, decode.DefaultIdleTimeout)

func (f *flowOptions) register(fs *flag.FlagSet) {
	fs.IntVar(&f.maxFlows, "max-flows", decode.DefaultMaxFlows, "")
	fs.DurationVar(&f.timeout, "flow-timeout", decode.DefaultIdleTimeout, "")
}

// check refuses negative values.
func (f *flowOptions) check() error {
	if f.maxFlows < 0 {
		return usageError("--max-flows wants a count (0: no bound), got %d", f.maxFlows)
	}
	if f.timeout < 0 {
		return usageError("--flow-timeout wants a duration (0: never), got %v", f.timeout)
	}
	return nil
}

// limits are the tracker limits; summaries keeps a row per retired flow,
// which only the conversation lists need.
func (f *flowOptions) limits(summaries bool) decode.Limits {
	return decode.Limits{MaxFlows: f.maxFlows, IdleTimeout: f.timeout, Summaries: summaries}
}

// reportRetired prints, if any flow was retired, one line saying how many
// and why: a retired flow's later packets are numbered as a new stream,
// which Wireshark would not do.
func reportRetired(w io.Writer, st decode.RetireStats) {
	if st.Total() > 0 {
		fmt.Fprintf(w, "sockscope: %d flows retired (%d over --max-flows, %d idle past --flow-timeout); a retired flow's later packets start a new stream\n",
			st.Total(), st.Cap, st.Idle)
	}
	if st.Late > 0 {
		fmt.Fprintf(w, "sockscope: %d segments came after their connection had closed and retired; each started a new stream (Wireshark keeps them in the old one)\n", st.Late)
	}
}
