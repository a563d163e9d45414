// Package glossary holds sockscope's Chinese glossary (glossary.tsv: the
// words of the Python socket tutorials its lessons are written for, with
// the variants a text must not use) and the checks every Chinese text of
// the project passes: the glossary, full-width punctuation, no English
// words in the prose except code (API names, constants, identifiers,
// quoted program output). Sources finds those texts: the string literals
// holding Chinese in the project's Go files.
//
// Line breaking of the same texts lives in internal/textcol (Wrap).
//
// It has no state beyond the embedded glossary and no goroutines.
package glossary
