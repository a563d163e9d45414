// Package textcol measures, cuts and wraps text in terminal columns, the
// same way for every view of a lesson: the text timeline (--no-ui), the
// demo view, the picker and the help. Widths are terminal columns as uniseg
// counts them (a CJK character takes two); lines break at Unicode's
// line-break opportunities (UAX #14): between words in English, between
// characters in Chinese, never before closing punctuation ("，" "。" "："
// "）" …) nor after opening punctuation ("（" "“" …) — and a word cut
// because it is wider than the line obeys the same two rules. BadBreak
// finds a line that breaks them, for tests of any view.
//
// It has no state and no goroutines.
package textcol
