package demos

import (
	"bufio"
	"context"
	"os"
	"strconv"
	"strings"
	"time"
)

// listenOverflows is how many times a listener of the lab's network
// namespace found its accept queue full and dropped what came: TcpExt
// ListenOverflows of /proc/net/netstat (netstat -s: "times the listen
// queue of a socket overflowed"), -1 if it cannot tell.
func listenOverflows() int {
	f, err := os.Open("/proc/net/netstat")
	if err != nil {
		return -1
	}
	defer f.Close()
	var names []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 || fields[0] != "TcpExt:" {
			continue
		}
		if names == nil {
			names = fields
			continue
		}
		for i, n := range names {
			if n == "ListenOverflows" && i < len(fields) {
				if v, err := strconv.Atoi(fields[i]); err == nil {
					return v
				}
			}
		}
		return -1
	}
	return -1
}

// waitListenOverflow waits (every millisecond, for at most limit) until
// the namespace's ListenOverflows count is above before. Like waitTCP it
// is an observation, not a call: nothing is recorded, and at the limit,
// or when the count cannot be read, it returns nil — the wire shows what
// happened. It returns ctx's error if ctx is done first.
func waitListenOverflow(ctx context.Context, before int, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		n := listenOverflows()
		if n < 0 || before < 0 || n > before || time.Now().After(deadline) {
			return nil
		}
		if err := lessonPause(ctx, time.Millisecond); err != nil {
			return err
		}
	}
}
