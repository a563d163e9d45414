package main

// Text a command was asked to print and could not (stdout on a full disk,
// /dev/full, a file system that fails) is a failure, not a success: every
// print to stdout that is the command's whole point goes through printed,
// so that it exits 1 with one line saying why. (Packet output has its own
// path: the sink returns its write errors.)

// printed turns the result of an fmt.Fprint to stdout into the command's
// result: nil, or a write error (exit status 1).
func printed(_ int, err error) error {
	if err != nil {
		return &exitError{code: 1, msg: "write error: " + err.Error()}
	}
	return nil
}

// helpPrinted is what a --help path returns from a parse function: the
// exitError{code: 0} the commands take as "done, exit 0" once the text is
// out, or the write error.
func helpPrinted(n int, err error) error {
	if err := printed(n, err); err != nil {
		return err
	}
	return &exitError{code: 0}
}
