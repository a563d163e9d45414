package main

import (
	"io"
	"strconv"

	"github.com/sockscope/sockscope/capture"
	"github.com/sockscope/sockscope/internal/escape"
)

// writeInterfaceList prints capture -D's listing of ifs, numbered from 1 as
// tcpdump -D does, then "any". Linux lets an interface name hold control
// characters (ESC included; only '/', ':', whitespace and NUL are refused),
// so each line is escaped by sockscope's one policy (internal/escape).
func writeInterfaceList(w io.Writer, ifs []capture.IfaceInfo) error {
	var b []byte
	for i, ifc := range ifs {
		b = strconv.AppendInt(b, int64(i+1), 10)
		b = append(b, '.')
		b = escape.AppendText(b, ifc.String())
		b = append(b, '\n')
	}
	b = strconv.AppendInt(b, int64(len(ifs)+1), 10)
	b = append(b, ".any (all interfaces, Linux cooked capture)\n"...)
	_, err := w.Write(b)
	return err
}
