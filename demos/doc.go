// Package demos will hold the built-in socket lessons and the isolated
// network-namespace lab they run in. Empty until the demo lab issue.
package demos
