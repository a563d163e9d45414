// Package escape is sockscope's one escaping policy: what every output that
// reaches a person or a parser (the text printer, JSON, the terminal UI,
// stderr) does with bytes that came from the wire, a capture file or the
// command line.
//
// Dangerous characters are the ones that can drive a terminal or hide what
// a line says: C0 controls and DEL, C1 controls (U+0080–U+009F; U+009B is a
// complete CSI on many terminals), the bidi controls and every other format
// character (Unicode category Cf: U+202E, U+2066, U+200B, U+FEFF, U+061C …),
// and the line and paragraph separators U+2028/U+2029. Bytes that are not
// valid UTF-8 (0xff, a lone continuation byte, an overlong or surrogate
// encoding) are dangerous too: a terminal may read them as C1 controls.
//
// Text shows them with Go's string-literal escapes, and doubles a literal
// backslash so the result reads back to the exact bytes (Unescape):
//
//	ESC, DEL            \x1b, \x7f   (tab, newline, CR: \t, \n, \r)
//	a dangerous rune    \u009b, \u202e, \U000e0001
//	an invalid byte     \xff  (always ≥ \x80: a byte, never a character)
//	a backslash         \\
//
// JSON strings hold that same text (so jq -r prints what the text printer
// prints, and a JSON reader never gets a dangerous rune back): ESC is the
// JSON escape of `\x1b`, i.e. "\\x1b". Every JSON string is valid UTF-8.
//
// Escape once, where bytes become text (AppendText, AppendJSON). Text that
// sockscope composed (an error message, a call's quoted arguments, a line
// the text printer made) goes through AppendSafe or AppendJSONSafe at the
// sink: they escape only dangerous characters and invalid bytes, with the
// same forms, and leave backslashes alone, so text escaped at its source
// passes through unchanged and the text printer and the UI never disagree.
package escape
