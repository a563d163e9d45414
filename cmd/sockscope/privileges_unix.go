//go:build unix

package main

import (
	"fmt"
	"os"
	"os/user"
	"strconv"
	"syscall"
)

// userDrop is the user capture becomes once its packet socket is open
// (-Z USER, or by default the user who ran sudo), as tcpdump does: the
// socket keeps working, and nothing after it (decoding untrusted packets,
// creating the -w file) runs as root.
type userDrop struct {
	name     string
	uid, gid int
	groups   []int
}

// resolveUserDrop finds the user to drop to. With -Z (flagUser != "") an
// unknown user is a usage error, told before anything is opened. Without
// -Z it is $SUDO_USER when running as root under sudo (by name, or by
// $SUDO_UID and $SUDO_GID where the name does not resolve here), and no
// one otherwise. nil means keep the current user: not root (there is
// nothing to drop; the same with -Z, as tcpdump ignores it then), or the
// user is root.
func resolveUserDrop(flagUser string) (*userDrop, error) {
	if flagUser != "" {
		d, err := lookupUserDrop(flagUser)
		if err != nil {
			return nil, usageError("capture: -Z: %v", err)
		}
		if os.Geteuid() != 0 || d.uid == 0 {
			return nil, nil
		}
		return d, nil
	}
	name := os.Getenv("SUDO_USER")
	if os.Geteuid() != 0 || name == "" || name == "root" {
		return nil, nil
	}
	if d, err := lookupUserDrop(name); err == nil {
		if d.uid == 0 {
			return nil, nil
		}
		return d, nil
	}
	uid, uerr := strconv.Atoi(os.Getenv("SUDO_UID"))
	gid, gerr := strconv.Atoi(os.Getenv("SUDO_GID"))
	if uerr != nil || gerr != nil || uid == 0 {
		return nil, fmt.Errorf("capture: cannot find $SUDO_USER %q to drop root to; name one with -Z USER (-Z root keeps root)", name)
	}
	return &userDrop{name: name, uid: uid, gid: gid, groups: []int{gid}}, nil
}

func lookupUserDrop(name string) (*userDrop, error) {
	u, err := user.Lookup(name)
	if err != nil {
		return nil, fmt.Errorf("unknown user %q", name)
	}
	uid, err1 := strconv.Atoi(u.Uid)
	gid, err2 := strconv.Atoi(u.Gid)
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("user %q has a non-numeric id %s:%s", name, u.Uid, u.Gid)
	}
	d := &userDrop{name: name, uid: uid, gid: gid, groups: []int{gid}}
	if ids, err := u.GroupIds(); err == nil {
		d.groups = d.groups[:0]
		for _, id := range ids {
			if g, err := strconv.Atoi(id); err == nil {
				d.groups = append(d.groups, g)
			}
		}
	}
	return d, nil
}

// apply switches this process to the user: supplementary groups first,
// then the group, then the user, since after setuid the first two are no
// longer allowed. On Linux Go applies each to every thread of the process
// (syscall.AllThreadsSyscall), so no thread stays root. The kernel clears
// the capabilities with the change of uid, so root does not come back.
func (d *userDrop) apply() error {
	if d == nil {
		return nil
	}
	if err := syscall.Setgroups(d.groups); err != nil {
		return fmt.Errorf("capture: dropping root to %s: setgroups: %w", d.name, err)
	}
	if err := syscall.Setgid(d.gid); err != nil {
		return fmt.Errorf("capture: dropping root to %s: setgid %d: %w", d.name, d.gid, err)
	}
	if err := syscall.Setuid(d.uid); err != nil {
		return fmt.Errorf("capture: dropping root to %s: setuid %d: %w", d.name, d.uid, err)
	}
	return nil
}
