package timeline

import (
	"strconv"
	"strings"

	"github.com/sockscope/sockscope/demos"
	"github.com/sockscope/sockscope/internal/escape"
	"github.com/sockscope/sockscope/internal/socktable"
)

// TableChanges says what the socket table of row i (a KindSockets row)
// shows that the table before it did not, one phrase per socket:
// "client tcp 127.0.0.1:47970→:7028 ESTAB→FIN-WAIT-1", "+(kernel) tcp
// 127.0.0.1:7028→:47970 TIME-WAIT" (a socket that appeared; (kernel): no
// program holds a descriptor for it), "−server tcp 127.0.0.1:7028 LISTEN"
// (one that went), "tcp 127.0.0.1:7028→:47970 (kernel)→server" (accept
// took it), "client udp 0.0.0.0:5000 ⇒ 127.0.0.1:5000→:9 UNCONN→ESTAB"
// (connect gave it a peer). A socket is the same from one table to the
// next by its inode, or else by protocol and addresses, so a connection
// that accept takes or close leaves lingering changes its holder rather
// than appearing anew. The first table's sockets all appear. AF_UNIX
// names are escaped.
func (t *Timeline) TableChanges(i int) []string {
	if i < 0 || i >= len(t.Rows) || t.Rows[i].Kind != KindSockets {
		return nil
	}
	var prev *demos.SocketTable
	if j := t.TableAt(i - 1); j >= 0 {
		prev = t.Rows[j].Sockets
	}
	return tableChanges(prev, t.Rows[i].Sockets, t.ZH)
}

type tableSock struct {
	e     *socktable.Entry
	owner string
}

func tableSocks(tb *demos.SocketTable) []tableSock {
	if tb == nil {
		return nil
	}
	out := make([]tableSock, len(tb.Entries))
	for i := range tb.Entries {
		out[i].e = &tb.Entries[i]
		if i < len(tb.Owner) {
			out[i].owner = tb.Owner[i]
		}
	}
	return out
}

// sameSock: the same socket in two tables: the same descriptor's (by
// inode), or the same addresses (a connection that accept took or close
// left lingering, whose inode changed).
func sameSock(a, b *socktable.Entry, byInode bool) bool {
	switch {
	case a.Proto != b.Proto:
		return false
	case byInode:
		return a.Inode != 0 && a.Inode == b.Inode
	case a.Proto.Unix():
		return a.Inode == 0 && b.Inode == 0 && a.Path == b.Path && a.PeerInode == b.PeerInode
	}
	return a.Local == b.Local && a.Peer == b.Peer
}

func tableChanges(prev, cur *demos.SocketTable, zh bool) []string {
	old, now := tableSocks(prev), tableSocks(cur)
	used := make([]bool, len(old))
	match := func(n tableSock) int {
		for _, byInode := range []bool{true, false} {
			for j, o := range old {
				if !used[j] && sameSock(o.e, n.e, byInode) {
					return j
				}
			}
		}
		return -1
	}
	var out []string
	for _, n := range now {
		k := match(n)
		if k < 0 {
			out = append(out, "+"+holder(n.owner, zh)+" "+sockName(n.e)+" "+n.e.State.String())
			continue
		}
		used[k] = true
		o := old[k]
		name := sockName(n.e)
		if was := sockName(o.e); was != name { // bound, connected: its addresses changed
			name = was + " ⇒ " + strings.TrimPrefix(name, string(n.e.Proto)+" ")
		}
		moved := name != sockName(n.e)
		switch {
		case o.e.State == n.e.State && o.owner == n.owner && o.e.Inode == n.e.Inode:
			if moved {
				out = append(out, holder(n.owner, zh)+" "+name+" "+n.e.State.String())
			}
		case o.owner == n.owner && o.e.Inode == n.e.Inode:
			out = append(out, holder(n.owner, zh)+" "+name+" "+o.e.State.String()+"→"+n.e.State.String())
		case o.e.State == n.e.State:
			out = append(out, name+" "+holder(o.owner, zh)+"→"+holder(n.owner, zh))
		default:
			out = append(out, name+" "+holder(o.owner, zh)+" "+o.e.State.String()+"→"+holder(n.owner, zh)+" "+n.e.State.String())
		}
	}
	for j, o := range old {
		if !used[j] {
			out = append(out, "−"+holder(o.owner, zh)+" "+sockName(o.e)+" "+o.e.State.String())
		}
	}
	return out
}

// holder names who holds a socket: the lesson endpoint, or the kernel when
// no program has a descriptor for it.
func holder(owner string, zh bool) string {
	if owner == "" {
		return pick(zh, "(kernel)", "（内核）")
	}
	return owner
}

// sockName is "tcp 127.0.0.1:47970→:7028": the protocol, the local
// address, and the peer's (only its port when the address is the same).
func sockName(e *socktable.Entry) string {
	var b strings.Builder
	b.WriteString(string(e.Proto))
	b.WriteByte(' ')
	if e.Proto.Unix() {
		b.WriteString(escape.Text(e.LocalString()))
		if e.PeerPath != "" {
			b.WriteString("→")
			b.WriteString(escape.Text(e.PeerPath))
		}
		return b.String()
	}
	b.WriteString(e.LocalString())
	if e.Peer.Port() != 0 {
		b.WriteString("→")
		if e.Peer.Addr() == e.Local.Addr() {
			b.WriteString(":" + strconv.Itoa(int(e.Peer.Port())))
		} else {
			b.WriteString(e.PeerString())
		}
	}
	return b.String()
}
