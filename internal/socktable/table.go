package socktable

import (
	"net"
	"strconv"

	"github.com/sockscope/sockscope/internal/escape"
	"github.com/sockscope/sockscope/internal/textcol"
)

func (r request) String() string {
	switch {
	case r.family == afUnix:
		return "unix"
	case r.protocol == ipprotoUDP && r.family == afInet6:
		return "udp6"
	case r.protocol == ipprotoUDP:
		return "udp4"
	case r.family == afInet6:
		return "tcp6"
	}
	return "tcp4"
}

// ResolvePeers sets PeerPath on each AF_UNIX entry whose peer is in es too.
func ResolvePeers(es []Entry) {
	names := map[uint32]string{}
	for i := range es {
		if es[i].Proto.Unix() && es[i].Path != "" {
			names[es[i].Inode] = es[i].Path
		}
	}
	for i := range es {
		if es[i].Proto.Unix() && es[i].PeerInode != 0 {
			es[i].PeerPath = names[es[i].PeerInode]
		}
	}
}

// interfaceName names interface ifindex for "%lo" after an address bound
// to a device, or gives its number when it is gone.
func interfaceName(ifindex uint32) string {
	if ifc, err := net.InterfaceByIndex(int(ifindex)); err == nil {
		return ifc.Name
	}
	return strconv.FormatUint(uint64(ifindex), 10)
}

// Header is the table's column titles, as AppendTable writes them.
var Header = [...]string{"Netid", "State", "Recv-Q", "Send-Q", "Local", "Peer", "Timer", "Inode"}

// Row is an entry's cells in Header's order, escaped by sockscope's one
// policy (an AF_UNIX name is the kernel's bytes).
func (e *Entry) Row() [len(Header)]string {
	return [...]string{
		string(e.Proto),
		e.State.String(),
		strconv.FormatUint(uint64(e.RecvQ), 10),
		strconv.FormatUint(uint64(e.SendQ), 10),
		escape.Text(e.LocalString()),
		escape.Text(e.PeerString()),
		e.TimerString(),
		strconv.FormatUint(uint64(e.Inode), 10),
	}
}

// AppendTable appends es as a table like `ss -tuanoi`: a header line, then
// a line per socket, columns separated by at least one space and as wide as
// their widest cell (in terminal columns), no trailing spaces.
func AppendTable(b []byte, es []Entry) []byte { return AppendTableOwned(b, es, "", nil) }

// AppendTableOwned is AppendTable with one more column, owner (its heading
// col, one cell per entry: a lesson's endpoint that holds the socket, or
// "" for none); without col it is AppendTable.
func AppendTableOwned(b []byte, es []Entry, col string, owner []string) []byte {
	rows := make([][]string, 0, len(es)+1)
	head := Header[:]
	if col != "" {
		head = append(head[:len(head):len(head)], col)
	}
	rows = append(rows, head)
	for i := range es {
		r := es[i].Row()
		row := r[:]
		if col != "" {
			cell := ""
			if i < len(owner) {
				cell = escape.Text(owner[i])
			}
			row = append(row[:len(row):len(row)], cell)
		}
		rows = append(rows, row)
	}
	width := make([]int, len(head))
	for _, r := range rows {
		for c, cell := range r {
			width[c] = max(width[c], textcol.Width(cell))
		}
	}
	for _, r := range rows {
		line := len(b)
		for c, cell := range r {
			if c > 0 {
				b = append(b, ' ')
			}
			b = append(b, textcol.Pad(cell, width[c])...)
		}
		for len(b) > line && b[len(b)-1] == ' ' {
			b = b[:len(b)-1]
		}
		b = append(b, '\n')
	}
	return b
}
