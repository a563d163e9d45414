// Package widgets holds what the views under ui/ share: PrintCells and
// FillCells, the one way text reaches the screen (cell by cell, never
// through tview's tag parser, every control character and invalid byte
// shown as internal/escape's escape); LinesView, a bordered pane of styled
// lines scrolled with the keys and the wheel; ScrollMouse, the wheel and
// click handler of a pane that scrolls by its top row; Keymap, a view's
// table of key actions (keys, help in English and 中文, handler, status
// hint): the view dispatches keys through it and nothing else, and makes
// its help screen (HelpLines, wrapped by Unicode's line-breaking rules)
// and its hints (Hints, DrawHints) from it.
//
// Goroutines: none. Everything here is called from the tview event loop
// (Draw, input and mouse handlers) and holds no lock.
package widgets
