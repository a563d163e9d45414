// Package textcol measures, cuts and wraps text in terminal columns, the
// same way for every view of a lesson: the text timeline, the demo view and
// the picker. Widths are terminal columns as uniseg counts them (a CJK
// character takes two); lines break at Unicode's line-break opportunities
// (UAX #14): between words in English, between characters in Chinese, never
// before "，" or "。".
//
// It has no state and no goroutines.
package textcol
