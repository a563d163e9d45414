package main

import (
	"io"
)

// refuseRawOnTerminal is the error for --follow --format raw when stdout
// is a terminal, nil otherwise. Raw payload bytes on a terminal are obeyed,
// not shown: a capture can set the window title (OSC 0), write the
// clipboard (OSC 52) or clear the screen. Into a file or a pipe they stay
// exactly the bytes.
func refuseRawOnTerminal(stdout io.Writer) error {
	if !isTerminal(stdout) {
		return nil
	}
	return usageError("replay: --follow --format raw writes the payload's bytes, and stdout is a terminal that would act on them; redirect it (> out.bin, | xxd) or use --format hex or --format ascii")
}
