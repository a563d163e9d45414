package decode

import "strconv"

// AppendCallLabel appends the call as a person writes it: `connect(127.0.0.1:7001) = 0`,
// `send("hello") = 5`, `recv(1024) = 16`, `connect(127.0.0.1:7009) = -1 ECONNREFUSED`.
// Without recorded arguments a data call shows its length: `send(5) = 5`.
func AppendCallLabel(dst []byte, c *Call) []byte {
	dst = append(dst, c.Op...)
	dst = append(dst, '(')
	if c.Args == "" && c.Len > 0 {
		dst = strconv.AppendInt(dst, int64(c.Len), 10)
	} else {
		dst = append(dst, c.Args...)
	}
	dst = append(dst, ") = "...)
	dst = strconv.AppendInt(dst, int64(c.Ret), 10)
	if c.Errno != "" {
		dst = append(dst, ' ')
		dst = append(dst, c.Errno...)
	}
	return dst
}

// AppendCallLinks appends what the call's bytes became on the wire, e.g.
// `bytes 1–5 → frame 4, acked by frame 6 → read by call 9`.
func AppendCallLinks(dst []byte, c *Call, l *CallLinks) []byte {
	if l == nil {
		return dst
	}
	start := len(dst)
	sep := func() {
		if len(dst) > start {
			dst = append(dst, " → "...)
		}
	}
	if l.HasBytes {
		dst = append(dst, "bytes "...)
		dst = strconv.AppendUint(dst, uint64(l.First), 10)
		dst = append(dst, "–"...)
		dst = strconv.AppendUint(dst, uint64(l.Last), 10)
	}
	if len(l.Frames) > 0 {
		sep()
		if len(l.Frames) == 1 {
			dst = append(dst, "frame "...)
		} else {
			dst = append(dst, "frames "...)
		}
		dst = appendInts(dst, l.Frames)
	}
	if l.AckFrame != 0 {
		dst = append(dst, ", acked by frame "...)
		dst = strconv.AppendInt(dst, int64(l.AckFrame), 10)
	}
	if len(l.Peers) > 0 {
		sep()
		switch c.Op {
		case "send", "sendto", "write":
			dst = append(dst, "read by call "...)
		default:
			dst = append(dst, "sent by call "...)
		}
		dst = appendInts(dst, l.Peers)
	}
	return dst
}

func appendInts(dst []byte, v []int) []byte {
	for i, n := range v {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = strconv.AppendInt(dst, int64(n), 10)
	}
	return dst
}

// AppendCallJSON appends a call as one JSON object: "type":"call", then
// call.* keys, and the links to frames and other calls.
func AppendCallJSON(dst []byte, c *Call, l *CallLinks) []byte {
	o := jsonObj{b: append(dst, '{')}
	o.key(`"type":`)
	o.b = append(o.b, `"call"`...)
	o.uint(`"call.number":`, uint64(c.Number))
	o.key(`"call.time_epoch":`)
	o.b = append(o.b, '"')
	o.b = appendEpoch(o.b, c.Sec, c.Nsec)
	o.b = append(o.b, '"')
	o.str(`"call.endpoint":`, c.Endpoint)
	o.uint(`"call.step":`, uint64(c.Step))
	o.int(`"call.fd":`, int64(c.FD))
	o.str(`"call.op":`, c.Op)
	o.str(`"call.args":`, c.Args)
	o.int(`"call.len":`, int64(c.Len))
	o.int(`"call.ret":`, int64(c.Ret))
	o.str(`"call.errno":`, c.Errno)
	o.str(`"call.proto":`, c.Proto)
	if c.Local.IsValid() {
		o.str(`"call.local":`, c.Local.String())
	}
	if c.Peer.IsValid() {
		o.str(`"call.peer":`, c.Peer.String())
	}
	if c.Path != "" {
		o.str(`"call.path":`, c.Path)
	}
	o.int(`"call.sendq":`, int64(c.SendQ))
	o.int(`"call.recvq":`, int64(c.RecvQ))
	if c.TCP != nil {
		o.str(`"call.tcp_state":`, c.TCP.State)
		o.uint(`"call.tcp_rtt_us":`, uint64(c.TCP.RTT))
		o.uint(`"call.tcp_cwnd":`, uint64(c.TCP.SndCwnd))
		o.uint(`"call.tcp_snd_wnd":`, uint64(c.TCP.SndWnd))
		o.uint(`"call.tcp_rcv_wnd":`, uint64(c.TCP.RcvWnd))
	}
	if l == nil {
		l = &CallLinks{}
	}
	{
		if l.HasBytes {
			o.str(`"call.bytes":`, strconv.FormatUint(uint64(l.First), 10)+"-"+strconv.FormatUint(uint64(l.Last), 10))
		}
		o.ints(`"call.frames":`, l.Frames)
		if l.AckFrame != 0 {
			o.uint(`"call.ack_frame":`, uint64(l.AckFrame))
		}
		o.ints(`"call.peers":`, l.Peers)
	}
	return append(o.b, '}')
}

func (o *jsonObj) int(k string, v int64) {
	o.key(k)
	o.b = strconv.AppendInt(o.b, v, 10)
}

func (o *jsonObj) ints(k string, v []int) {
	o.key(k)
	o.b = append(o.b, '[')
	o.b = appendInts(o.b, v)
	o.b = append(o.b, ']')
}
