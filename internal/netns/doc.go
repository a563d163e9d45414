// Package netns runs code in a fresh, empty Linux network namespace, so that
// tests and sockscope's demo lab can open sockets, bring interfaces up and
// capture packets without touching the host's network and without root.
//
// The process re-executes itself: the parent starts a copy of its own
// binary with CLONE_NEWNET (as root) or CLONE_NEWUSER|CLONE_NEWNET with the
// caller's uid and gid mapped to 0 (as an ordinary user, where the kernel
// allows unprivileged user namespaces). Inside, the copy is root over its
// own namespace only: it may bring lo up, open AF_PACKET sockets, create
// veth pairs and bridges; nothing it does is visible outside, ports never
// collide, and the namespace disappears when the copy exits.
//
// In a test, one line at the top does it all:
//
//	func TestLiveSomething(t *testing.T) {
//		if netns.ReexecTest(t) {
//			return // ran in a fresh namespace; its result is this test's
//		}
//		// Here we are the copy, alone in a new namespace, lo is up.
//	}
//
// ReexecTest skips the test, with the reason, where namespaces cannot be
// created (user namespaces disabled for ordinary users, a seccomp or
// AppArmor policy, a system other than Linux).
//
// A program (the demo lab) uses the parts:
//
//	if !netns.Isolated() {
//		cmd := netns.Command(ctx, exe, args...) // same binary, same arguments
//		cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
//		if err := cmd.Run(); netns.Unsupported(err) { /* explain, offer --host-net */ }
//		return
//	}
//	if err := netns.LoopbackUp(); err != nil { ... }
//	// ... run the demo here ...
//
// The marker that tells the copy who it is travels in the environment
// variable SOCKSCOPE_NETNS_CHILD, whose value is the parent's namespace;
// Isolated is true only when the current namespace differs from it, so an
// inherited or hand-set variable can never make code believe it is
// isolated while it runs on the host's network.
package netns
