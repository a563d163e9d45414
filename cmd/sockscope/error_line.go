package main

import "github.com/sockscope/sockscope/internal/escape"

// errorLine is the line main prints for err. Error messages carry names
// from outside (a file or interface name, a word from the command line)
// that may hold control sequences or bidi overrides: the whole message is
// escaped by sockscope's one policy (internal/escape), so it stays one line
// and shows a file named "a\x1b[2Jb" as `a\x1b[2Jb`; a literal backslash
// shows doubled, so the two cannot be confused. (A filter error's excerpt,
// printable ASCII, follows on lines of its own: filterExcerpt.)
func errorLine(err error) string {
	return "sockscope: " + escape.Text(err.Error())
}
