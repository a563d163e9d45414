// Package simtest drives a tview application on a tcell.SimulationScreen
// for the ui packages' tests: inject keys, read the screen's cells in the
// event loop, and poll until the expected text shows or a deadline passes
// (a read right after InjectKey is stale), and compare a screen with its
// golden file (Golden).
//
// Goroutines: reads go through Application.QueueUpdate from the test's
// goroutine, never from inside the event loop; nothing here starts a
// goroutine that outlives the call that started it, except a QueueUpdate
// whose event loop stopped answering (the test fails then).
package simtest
