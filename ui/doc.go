// Package ui will hold the terminal views (tview and tcell): the demo view,
// the packet list, details, hex dump, conversations and ladder. It draws
// snapshots of decode's model and never imports gopacket; it never blocks a
// capture. Empty until the terminal UI issue.
package ui
