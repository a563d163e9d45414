// Package htmltest reads the pages sockscope writes (ui/page), for tests:
// parse one, visit its elements, read an attribute or the text under a
// node. It is imported by tests only.
//
// Goroutines: plain functions over a parsed tree; no state.
package htmltest

import (
	"bytes"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// Parse parses a page, failing the test if it does not parse.
func Parse(t testing.TB, src []byte) *html.Node {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(src))
	if err != nil {
		t.Fatalf("the page does not parse: %v", err)
	}
	return doc
}

// Walk calls fn for every element under n, n first, in document order.
func Walk(n *html.Node, fn func(*html.Node)) {
	if n.Type == html.ElementNode {
		fn(n)
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		Walk(c, fn)
	}
}

// Attr is the value of n's attribute name, and whether n has it.
func Attr(n *html.Node, name string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val, true
		}
	}
	return "", false
}

// Text is the text under n, every text node in document order.
func Text(n *html.Node) string {
	var b strings.Builder
	var rec func(*html.Node)
	rec = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			rec(c)
		}
	}
	rec(n)
	return b.String()
}
