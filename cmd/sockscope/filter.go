package main

import (
	"strings"

	"github.com/sockscope/sockscope/capture/filter"
)

// newFilter parses a capture filter given as the words after the file or
// the flags ("tcp port 80" may come as one argument or three). A bad
// expression is a usage error: one line with the column.
func newFilter(words []string) (*filter.Matcher, error) {
	expr := strings.Join(words, " ")
	m, err := filter.NewMatcher(expr)
	if err != nil {
		return nil, usageError("%v", err)
	}
	return m, nil
}
