package socktable

import "github.com/sockscope/sockscope/decode"

// AppendJSON appends e as one "type":"socket" JSON object (no newline):
// socket.proto, socket.state, socket.local, socket.peer, socket.recvq,
// socket.sendq, socket.timer and socket.timer_ms (when a timer runs),
// socket.inode, socket.uid, and for AF_UNIX socket.peer_inode when it has a
// peer. A lesson's table adds socket.step (when step > 0) and
// socket.endpoint (when not ""). AF_UNIX names are the kernel's bytes,
// escaped by sockscope's one policy.
func AppendJSON(b []byte, e *Entry, step int, endpoint string) []byte {
	o := decode.NewJSONObject(b)
	o.Str(`"type":`, "socket")
	if step > 0 {
		o.Uint(`"socket.step":`, uint64(step))
	}
	if endpoint != "" {
		o.Str(`"socket.endpoint":`, endpoint)
	}
	o.Str(`"socket.proto":`, string(e.Proto))
	o.Str(`"socket.state":`, e.State.String())
	if e.Proto.Unix() {
		name := func(k, path string) {
			if path == "" {
				o.Str(k, "*")
			} else {
				o.Data(k, []byte(path))
			}
		}
		name(`"socket.local":`, e.Path)
		name(`"socket.peer":`, e.PeerPath)
	} else {
		o.Str(`"socket.local":`, e.LocalString())
		o.Str(`"socket.peer":`, e.PeerString())
	}
	o.Uint(`"socket.recvq":`, uint64(e.RecvQ))
	o.Uint(`"socket.sendq":`, uint64(e.SendQ))
	if e.Timer != NoTimer {
		o.Str(`"socket.timer":`, e.Timer.String())
		o.Uint(`"socket.timer_ms":`, uint64(e.TimerMS))
	}
	o.Uint(`"socket.inode":`, uint64(e.Inode))
	if e.Proto.Unix() && e.PeerInode != 0 {
		o.Uint(`"socket.peer_inode":`, uint64(e.PeerInode))
	}
	o.Uint(`"socket.uid":`, uint64(e.UID))
	return o.Bytes()
}
