package demos

import (
	"errors"
	"io"
	"os"
	"strconv"
	"strings"
)

// The lab: every demo runs in a network namespace of its own, so that its
// sockets, its fixed ports and the capture on its loopback touch nothing of
// the host's network.
//
// A process cannot move its running threads into a new network namespace
// reliably (Go's threads are shared), so the lab re-executes the program:
//
//	parent                                   child (/proc/self/exe, same args)
//	------                                   -----
//	RunIsolated(ctx, LabOptions{Args})  ──►  main() { demos.MaybeChild() … }
//	  clone(CLONE_NEWUSER|CLONE_NEWNET|        sees SOCKSCOPE_LAB, checks it is in
//	  CLONE_NEWNS) (root: no NEWUSER),         a new netns, brings lo up, mounts a
//	  uid/gid → 0                              tmpfs of its own over TMPDIR, reports
//	  waits for "ok" on a status pipe   ◄──    "ok" on the pipe (fd 3), returns true;
//	  then for the child's exit                 main goes on and runs the demo here.
//
// The namespace primitives (the clone attributes, the isolation check,
// bringing lo up) are internal/netns's; this file adds the protocol with
// main, the status pipe, and errors worded for a person. The private
// temporary directory is lab_tmp_linux.go's; a binary with file
// capabilities goes through a relay, lab_relay_linux.go.
//
// The child shares the parent's stdin, stdout and stderr (unless LabOptions
// says otherwise), so a terminal UI in the child works as usual.

// LabEnv is the environment variable that marks the lab child. Its value is
// private to this package ("v1:netns" or "v1:userns"). It alone is not
// trusted: the child also checks, with internal/netns, that its network
// namespace is not its parent's.
const LabEnv = "SOCKSCOPE_LAB"

// LabOptions says how to re-execute the program inside the lab.
type LabOptions struct {
	// Args are the child's arguments after argv[0]; nil means os.Args[1:].
	// The child sees os.Args[0] as its argv[0].
	Args []string
	// Stdin, Stdout and Stderr default to the parent's own.
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Env is added to the parent's environment for the child (KEY=VALUE).
	Env []string
	// Files are open files the child inherits; there LabFile(i) returns
	// Files[i]. The lab has a temporary directory of its own (see
	// lab_tmp_linux.go): to write a file where the user asked, the parent
	// opens its directory and passes it here.
	Files []*os.File
	// SharedTmp keeps the host's temporary directory visible in the lab
	// (no private tmpfs over it): for `sockscope trace`, whose programs
	// are the user's own and may live in /tmp.
	SharedTmp bool
}

// labSharedTmpEnv carries LabOptions.SharedTmp to the child.
const labSharedTmpEnv = "SOCKSCOPE_LAB_SHARED_TMP"

// LabFilesEnv tells the lab child (and the relay) how many LabOptions.Files
// follow the status pipe, from fd 4 on.
const LabFilesEnv = "SOCKSCOPE_LAB_FILES"

// labFiles are the LabOptions.Files a lab child inherited.
var labFiles []*os.File

// LabFile returns the i-th of the files the parent passed in
// LabOptions.Files, or nil outside the lab or if there is no such file.
func LabFile(i int) *os.File {
	if i < 0 || i >= len(labFiles) {
		return nil
	}
	return labFiles[i]
}

// ErrNoNamespace is wrapped by the error RunIsolated returns when no private
// network namespace can be made here (user namespaces switched off, or no
// permission). Callers can offer --host-net.
var ErrNoNamespace = errors.New("no private network namespace")

// NamespaceError says why no namespace could be made. Its message is one
// line for a person and names --host-net.
type NamespaceError struct {
	Why string // "user namespaces are switched off (sysctl user.max_user_namespaces = 0)"
	Err error  // the underlying errno, if any
}

func (e *NamespaceError) Error() string {
	return "the demos run in a private network namespace, but " + e.Why +
		"; run as root, or run the demo on the host's loopback with \"sockscope demo NAME --host-net\" (its capture then needs root or CAP_NET_RAW)"
}

func (e *NamespaceError) Unwrap() []error {
	if e.Err == nil {
		return []error{ErrNoNamespace}
	}
	return []error{ErrNoNamespace, e.Err}
}

// ExitError is returned by RunIsolated when the child ran and exited with a
// non-zero status (or was killed: Code is then 128 + the signal). The child
// has printed its own messages.
type ExitError struct{ Code int }

func (e *ExitError) Error() string {
	return "lab: the demo process exited with status " + strconv.Itoa(e.Code)
}

// inLab is set by MaybeChild in the child.
var inLab bool

// forceUserNS makes RunIsolated take the ordinary user's path (a user
// namespace) even as root; for tests.
var forceUserNS bool

// InLab reports whether this process is a lab child that MaybeChild has set
// up: it owns a fresh network namespace with loopback up.
func InLab() bool { return inLab }

func oneLine(s string) string { return strings.ReplaceAll(s, "\n", " ") }
