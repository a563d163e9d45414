package main

import (
	"io"
	"os"
)

// checkOutput refuses a -w OUT that would destroy or garble something, at
// parse time, before anything is opened for writing (os.Create truncates:
// "replay F -w F" used to leave F a fraction of itself):
//
//   - OUT is one of the inputs (os.SameFile, so a hard link, a symlink or
//     ./F for F are caught too; "-" stands for stdin);
//   - OUT is stdout ("-") while text or JSON is printed there too;
//   - OUT is stdout and stdout is a terminal: binary pcapng on a screen;
//   - OUT is a terminal by any other name (/dev/tty, /dev/stderr, /dev/pts/N):
//     the same, and a packet's bytes would act on it (retitle it, write
//     the clipboard);
//   - OUT is where stderr goes: sockscope's own lines would land inside
//     the capture file.
//
// cmd names the subcommand in the messages; printing names what else goes
// to stdout ("--json output"), "" for nothing.
func checkOutput(cmd, out, printing string, stdout io.Writer, inputs ...string) error {
	if out == "" {
		return nil
	}
	toStdout := out == "-"
	if !toStdout {
		if fo, ok := stdout.(*os.File); ok && sameFile(out, fo) {
			toStdout = true // -w /dev/stdout
		}
	}
	if toStdout {
		if printing != "" {
			return usageError("%s: -w %s writes pcapng to stdout, and the %s goes there too; name a file for -w", cmd, out, printing)
		}
		if isTerminal(stdout) {
			return usageError("%s: -w - writes binary pcapng to stdout, which is a terminal; redirect it (-w - > out.pcapng, or | tshark -r -) or name a file", cmd)
		}
		return nil
	}
	outInfo, err := os.Stat(out)
	if err != nil {
		return nil // a new file cannot be an input; Create reports other trouble
	}
	if outInfo.Mode()&os.ModeCharDevice != 0 && isTerminalPath(out) {
		return usageError("%s: -w %s is a terminal: binary pcapng on a screen, where a packet's bytes could act on it; name a file, or use -w - and redirect it", cmd, out)
	}
	if errInfo, err := os.Stderr.Stat(); err == nil && errInfo.Mode().IsRegular() && os.SameFile(outInfo, errInfo) {
		return usageError("%s: -w %s is where stderr goes: sockscope's messages would land inside the capture; name another file", cmd, out)
	}
	for _, in := range inputs {
		var inInfo os.FileInfo
		if in == "-" {
			inInfo, err = os.Stdin.Stat()
		} else {
			inInfo, err = os.Stat(in)
		}
		if err == nil && os.SameFile(outInfo, inInfo) {
			if in == "-" {
				in = "stdin"
			}
			return usageError("%s: -w %s is the input (%s): writing it would destroy what is being read; name another file", cmd, out, in)
		}
	}
	return nil
}

// sameFile reports whether path names the file f has open.
func sameFile(path string, f *os.File) bool {
	a, err := os.Stat(path)
	if err != nil {
		return false
	}
	b, err := f.Stat()
	return err == nil && os.SameFile(a, b)
}

// printedOutput names what --no-ui or --json print, for checkOutput.
func printedOutput(noUI, json bool) string {
	switch {
	case json:
		return "--json output"
	case noUI:
		return "--no-ui text"
	}
	return ""
}
