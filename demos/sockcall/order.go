package sockcall

import "time"

// SortTime is where a call belongs on a timeline merged with packets: calls
// that cause packets (connect, send, close, …) at the moment they were
// made, calls that wait for them (accept, recv, recvfrom) at the moment
// they returned — so that connect() comes before its SYN and recv() after
// the segment it reads. Without a start time it is the return time. On a
// tie with a packet's timestamp, put the call first.
func (c *Call) SortTime() time.Time {
	switch c.Op {
	case "accept", "recv", "recvfrom", "read":
		return time.Unix(c.Sec, c.Nsec)
	}
	if c.StartSec != 0 {
		return time.Unix(c.StartSec, c.StartNsec)
	}
	return time.Unix(c.Sec, c.Nsec)
}
