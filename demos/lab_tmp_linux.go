package demos

import (
	"errors"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// The lab has a mount namespace of its own (CLONE_NEWNS, made with its
// network namespace and, for an ordinary user, inside its user namespace),
// and there a tmpfs of its own over the temporary directory (TMPDIR, or
// /tmp). Files a demo makes there, such as unix-stream's socket file, live
// only as long as the lab: when its last process ends, for whatever reason,
// SIGKILL included, the namespace and the tmpfs go with it, and nothing
// is ever left in the host's temporary directory.
//
// The user's own files in that directory are hidden from the lab, so the
// one the lab writes for the user, the demo's -w output, reaches the host
// through a directory the parent opened (LabOptions.Files, LabFile).

// privateTmp mounts the lab's tmpfs over os.TempDir(). It first makes
// every mount in the namespace private: as root the new namespace's mounts
// are copies that still share events with the host's (systemd makes / a
// shared mount), and the tmpfs must not appear on the host.
func privateTmp() error {
	dir := os.TempDir()
	if !filepath.IsAbs(dir) || filepath.Clean(dir) == "/" {
		return errors.New("the temporary directory " + dir + " cannot be replaced by a tmpfs")
	}
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		return os.NewSyscallError("mount --make-rprivate /", err)
	}
	if err := unix.Mount("sockscope-lab", dir, "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, "mode=0700,size=64m"); err != nil {
		return &os.PathError{Op: "mount tmpfs on", Path: dir, Err: err}
	}
	return nil
}
