package sockcall

import (
	"bytes"
	"strconv"
	"time"

	"github.com/sockscope/sockscope/decode"
)

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
	if c.Libc != "" {
		dst = append(dst, "  (libc: "...)
		dst = append(dst, c.Libc...)
		dst = append(dst, ')')
	}
	return dst
}

// AppendCallLinks appends what the call's bytes became on the wire, e.g.
// `bytes 1–5 → frame 4, acked by frame 6 → read by call 9`, or in Chinese
// when zh, as the lessons write frames and calls
// (`第 1–5 字节 → 第 4 帧（第 6 帧确认）→ 由调用 #9 读取`).
func AppendCallLinks(dst []byte, c *Call, l *CallLinks, zh bool) []byte {
	if l == nil {
		return dst
	}
	if zh {
		return appendCallLinksZH(dst, c, l)
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
		dst = appendInts(dst, l.Frames, ",", "")
	}
	if l.AckFrame != 0 {
		dst = append(dst, ", acked by frame "...)
		dst = strconv.AppendInt(dst, int64(l.AckFrame), 10)
	}
	if len(l.Peers) > 0 {
		sep()
		if sendsBytes(c) {
			dst = append(dst, "read by call "...)
		} else {
			dst = append(dst, "sent by call "...)
		}
		dst = appendInts(dst, l.Peers, ",", "")
	}
	return dst
}

// appendCallLinksZH is AppendCallLinks in Chinese: 第 1–5 字节 → 第 4、5 帧
// （第 6 帧确认）→ 由调用 #9 读取 (a recv: 来自调用 #3、#4).
func appendCallLinksZH(dst []byte, c *Call, l *CallLinks) []byte {
	start := len(dst)
	sep := func() {
		switch {
		case len(dst) == start:
		case bytes.HasSuffix(dst, []byte("）")): // no space after full-width punctuation
			dst = append(dst, "→ "...)
		default:
			dst = append(dst, " → "...)
		}
	}
	if l.HasBytes {
		dst = append(dst, "第 "...)
		dst = strconv.AppendUint(dst, uint64(l.First), 10)
		dst = append(dst, "–"...)
		dst = strconv.AppendUint(dst, uint64(l.Last), 10)
		dst = append(dst, " 字节"...)
	}
	if len(l.Frames) > 0 {
		sep()
		dst = append(dst, "第 "...)
		dst = appendInts(dst, l.Frames, "、", "")
		dst = append(dst, " 帧"...)
	}
	if l.AckFrame != 0 {
		dst = append(dst, "（第 "...)
		dst = strconv.AppendInt(dst, int64(l.AckFrame), 10)
		dst = append(dst, " 帧确认）"...)
	}
	if len(l.Peers) > 0 {
		sep()
		if sendsBytes(c) {
			dst = append(dst, "由调用 "...)
			dst = appendInts(dst, l.Peers, "、", "#")
			dst = append(dst, " 读取"...)
		} else {
			dst = append(dst, "来自调用 "...)
			dst = appendInts(dst, l.Peers, "、", "#")
		}
	}
	return dst
}

// sendsBytes reports whether c's links lead to the calls that read its
// bytes (a send) rather than to those that sent them (a receive).
func sendsBytes(c *Call) bool {
	switch c.Op {
	case "send", "sendto", "write", "sendall":
		return true
	}
	return false
}

func appendInts(dst []byte, v []int, sep, prefix string) []byte {
	for i, n := range v {
		if i > 0 {
			dst = append(dst, sep...)
		}
		dst = append(dst, prefix...)
		dst = strconv.AppendInt(dst, int64(n), 10)
	}
	return dst
}

// AppendCallJSON appends a call as one JSON object: "type":"call", then
// call.* keys, the links to frames and other calls, the waits w (nil: none
// known), and what its outcome means (in Chinese when zh).
func AppendCallJSON(dst []byte, c *Call, l *CallLinks, w *Waits, zh bool) []byte {
	o := decode.NewJSONObject(dst)
	o.Str(`"type":`, "call")
	o.Uint(`"call.number":`, uint64(c.Number))
	o.Epoch(`"call.time_epoch":`, c.Sec, c.Nsec)
	if c.StartSec != 0 || c.StartNsec != 0 {
		o.Epoch(`"call.start_epoch":`, c.StartSec, c.StartNsec)
	}
	o.Str(`"call.endpoint":`, c.Endpoint)
	o.Uint(`"call.step":`, uint64(c.Step))
	o.Int(`"call.fd":`, int64(c.FD))
	o.Str(`"call.op":`, c.Op)
	o.Str(`"call.args":`, c.Args)
	o.Int(`"call.len":`, int64(c.Len))
	o.Int(`"call.ret":`, int64(c.Ret))
	o.Str(`"call.errno":`, c.Errno)
	o.Str(`"call.flags":`, c.Flags)
	o.Bool(`"call.waited":`, c.Waited)
	o.Bool(`"call.nonblocking":`, c.Nonblocking)
	o.Str(`"call.proto":`, c.Proto)
	if c.Local.IsValid() {
		o.Str(`"call.local":`, c.Local.String())
	}
	if c.Peer.IsValid() {
		o.Str(`"call.peer":`, c.Peer.String())
	}
	if c.Path != "" {
		o.Str(`"call.path":`, c.Path)
	}
	if c.Libc != "" {
		o.Str(`"call.libc":`, c.Libc)
	}
	o.Int(`"call.sendq":`, int64(c.SendQ))
	o.Int(`"call.recvq":`, int64(c.RecvQ))
	o.Int(`"call.sndbuf":`, int64(c.SndBuf))
	o.Int(`"call.rcvbuf":`, int64(c.RcvBuf))
	if c.TCP != nil {
		o.Str(`"call.tcp_state":`, c.TCP.State)
		o.Uint(`"call.tcp_rtt_us":`, uint64(c.TCP.RTT))
		o.Uint(`"call.tcp_cwnd":`, uint64(c.TCP.SndCwnd))
		o.Uint(`"call.tcp_snd_wnd":`, uint64(c.TCP.SndWnd))
		o.Uint(`"call.tcp_rcv_wnd":`, uint64(c.TCP.RcvWnd))
	}
	if len(c.Inner) > 0 {
		o.Ints(`"call.inner":`, c.Inner)
	}
	if l == nil {
		l = &CallLinks{}
	}
	if l.HasBytes {
		o.Str(`"call.bytes":`, strconv.FormatUint(uint64(l.First), 10)+"-"+strconv.FormatUint(uint64(l.Last), 10))
	}
	o.Ints(`"call.frames":`, l.Frames)
	if l.AckFrame != 0 {
		o.Uint(`"call.ack_frame":`, uint64(l.AckFrame))
	}
	o.Ints(`"call.peers":`, l.Peers)
	if m := MeaningOf(c); m != nil {
		o.Str(`"call.outcome":`, m.Key)
		o.Str(`"call.python":`, m.Python)
		o.Str(`"call.meaning":`, m.Text(zh))
	}
	if w != nil {
		if w.SendBuf >= 0 {
			o.Int(`"call.wait_sendbuf_us":`, w.SendBuf.Microseconds())
		}
		if w.Ack >= 0 {
			o.Int(`"call.wait_ack_us":`, w.Ack.Microseconds())
		}
		if w.RecvBuf >= 0 {
			o.Int(`"call.wait_recvbuf_us":`, w.RecvBuf.Microseconds())
		}
	}
	return o.Bytes()
}

// FormatDuration says how long something took as a person reads it, the
// same in every view and lesson: 12 µs, 41.9 ms, 1.23 s.
func FormatDuration(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return strconv.FormatInt(d.Microseconds(), 10) + " µs"
	case d < time.Second:
		return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 1, 64) + " ms"
	}
	return strconv.FormatFloat(d.Seconds(), 'f', 2, 64) + " s"
}
