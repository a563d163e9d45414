// Package picker is what `sockscope` with no arguments shows: the lessons
// by topic, one line each with its summary below; Enter runs the
// highlighted one in a demoview.View inside the same application; q in the
// demo comes back to the list, q in the list quits.
//
// Goroutines: the application runs in Run's caller; each demo's session
// runs in a goroutine of its own, which waits for the previous session to
// end (they share ports); a stopper goroutine stops the application once
// the context is cancelled and the first draw has happened. Key handlers
// run in the event loop and never wait.
package picker
