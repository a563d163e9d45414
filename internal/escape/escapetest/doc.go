// Package escapetest holds the hostile inputs every output of sockscope is
// tested with: one of each class the escaping policy (internal/escape)
// covers. The decode, ui and cmd tests feed them through their printers,
// so one table says what "nothing hostile reaches the terminal" means.
package escapetest
