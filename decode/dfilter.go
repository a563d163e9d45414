package decode

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/checker"
	"github.com/expr-lang/expr/compiler"
	"github.com/expr-lang/expr/conf"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/optimizer"
	"github.com/expr-lang/expr/parser"
	"github.com/expr-lang/expr/vm"
	"github.com/sockscope/sockscope/internal/escape"
)

// Display filters: Wireshark-style boolean expressions over the display
// fields (fields.go), such as
//
//	tcp.port == 9000 && tcp.analysis.retransmission
//	ip.addr == 10.0.0.0/8 and not arp
//	dns.qry.name contains "example" || udp.length > 512
//
// The expression language is github.com/expr-lang/expr (operators ==, !=,
// <, <=, >, >=, &&, ||, !, and, or, not, in [..], contains, matches,
// startsWith, endsWith, arithmetic, len(), …). Before expr sees it:
//
//   - Wireshark's word operators eq ne gt lt ge le become == != > < >= <=;
//   - bare address literals (10.0.0.1, fe80::1, 10.0.0.0/8,
//     aa:bb:cc:dd:ee:ff) become strings in the form the fields use;
//   - the dotted field names, which expr parses as member accesses, are
//     looked up in the field table: an unknown name is an error;
//   - Wireshark's semantics are spelled out in expr: a bare field means the
//     field is present; a comparison with a field the packet lacks is false
//     (so tcp.port != 80 is false for UDP); a pair such as tcp.port matches
//     when either of its fields does, except != which wants both to differ
//     (Wireshark 4); an address compared with a prefix tests membership.
//
// Evaluation fills a small map with only the fields the filter reads, and
// runs the compiled program on a reused VM: a few hundred nanoseconds a
// packet.

// DisplayFilter is a compiled display filter. A DisplayFilter is used by
// one goroutine at a time; Clone gives another goroutine its own.
type DisplayFilter struct {
	text   string
	prog   *vm.Program // nil: the empty filter, matching everything
	fields []*Field
	env    map[string]any
	vm     vm.VM
}

// FilterError is a display filter that does not compile: Column (1-based,
// in the text as typed; 0 when not known) and what is wrong.
type FilterError struct {
	Column int
	Msg    string
}

func (e *FilterError) Error() string {
	// The message may quote the filter's own text (a regular expression
	// with a control character in it): one safe line whatever it holds.
	msg := escape.Safe(e.Msg)
	if e.Column > 0 {
		return fmt.Sprintf("display filter: column %d: %s", e.Column, msg)
	}
	return "display filter: " + msg
}

// CompileDisplayFilter compiles s. An empty (or blank) s matches every
// packet.
func CompileDisplayFilter(s string) (*DisplayFilter, error) {
	f := &DisplayFilter{text: strings.TrimSpace(s)}
	if f.text == "" {
		return f, nil
	}
	src, pos := filterPrepass(f.text)
	config := conf.CreateNew()
	prefixes := map[string]netip.Prefix{}
	for _, op := range []expr.Option{
		expr.Env(map[string]any{}), expr.AllowUndefinedVariables(), expr.AsBool(),
		expr.Function("inNet", func(args ...any) (any, error) {
			a, _ := args[0].(string)
			p, _ := args[1].(string)
			addr, err := netip.ParseAddr(a)
			return err == nil && prefixes[p].Contains(addr), nil
		}),
	} {
		op(config)
	}
	config.Check()
	tree, err := parser.ParseWithConfig(src, config)
	if err != nil {
		return nil, filterError(err, pos)
	}
	rw := rewriter{used: map[string]*Field{}, prefixes: prefixes}
	tree.Node = rw.cond(tree.Node)
	if rw.err != nil {
		return nil, filterError(rw.err, pos)
	}
	if _, err := checker.Check(tree, config); err != nil {
		return nil, filterError(err, pos)
	}
	if err := optimizer.Optimize(&tree.Node, config); err != nil {
		return nil, filterError(err, pos)
	}
	prog, err := compiler.Compile(tree, config)
	if err != nil {
		return nil, filterError(err, pos)
	}
	f.prog = prog
	for _, fl := range rw.used {
		f.fields = append(f.fields, fl)
	}
	f.env = make(map[string]any, len(f.fields))
	return f, nil
}

// String is the filter as given (trimmed).
func (f *DisplayFilter) String() string { return f.text }

// MatchesAll reports whether f is the empty filter.
func (f *DisplayFilter) MatchesAll() bool { return f.prog == nil }

// Clone returns a filter with the same program for another goroutine.
func (f *DisplayFilter) Clone() *DisplayFilter {
	return &DisplayFilter{text: f.text, prog: f.prog, fields: f.fields, env: make(map[string]any, len(f.fields))}
}

// Match reports whether p passes the filter. An expression that fails at
// run time for a packet (a type mismatch such as ip.src > 3) does not match.
func (f *DisplayFilter) Match(p *Packet) bool {
	if f.prog == nil {
		return true
	}
	for _, fl := range f.fields {
		f.env[fl.Name] = fl.Get(p)
	}
	out, err := f.vm.Run(f.prog, f.env)
	if err != nil {
		return false
	}
	b, _ := out.(bool)
	return b
}

// filterError turns an expr error into a FilterError with the column in
// the text as typed (pos maps positions of the rewritten text back).
func filterError(err error, pos []int) error {
	var fe *file.Error
	if errors.As(err, &fe) {
		col := 0
		if from := fe.From; from >= 0 && from < len(pos) {
			col = pos[from] + 1
		}
		return &FilterError{Column: col, Msg: fe.Message}
	}
	var ours *FilterError
	if errors.As(err, &ours) {
		if ours.Column > 0 && ours.Column-1 < len(pos) {
			ours.Column = pos[ours.Column-1] + 1
		}
		return ours
	}
	return &FilterError{Msg: err.Error()}
}

// filterPrepass rewrites Wireshark's word operators and bare address
// literals. pos[i] is the position in s of byte i of the result.
func filterPrepass(s string) (string, []int) {
	var out strings.Builder
	var pos []int
	emit := func(text string, at int) {
		out.WriteString(text)
		for range len(text) {
			pos = append(pos, at)
		}
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '"' || c == '\'' || c == '`':
			j := i + 1
			for j < len(s) && s[j] != c {
				if s[j] == '\\' && c != '`' {
					j++
				}
				j++
			}
			j = min(j+1, len(s))
			for k := i; k < j; k++ {
				out.WriteByte(s[k])
				pos = append(pos, k)
			}
			i = j
			continue
		case isAddrByte(c):
			j := i
			for j < len(s) && isAddrByte(s[j]) {
				j++
			}
			k := j
			if k < len(s) && s[k] == '/' {
				k++
				for k < len(s) && s[k] >= '0' && s[k] <= '9' {
					k++
				}
			}
			prev := byte(' ')
			if i > 0 {
				prev = s[i-1]
			}
			if !isIdentByte(prev) {
				if lit, ok := addrLiteral(s[i:k]); ok {
					emit(strconv.Quote(lit), i)
					i = k
					continue
				}
				if lit, ok := addrLiteral(s[i:j]); ok {
					emit(strconv.Quote(lit), i)
					i = j
					continue
				}
			}
			if c >= '0' && c <= '9' {
				emit(s[i:j], i) // a number: copy it whole
				i = j
				continue
			}
		}
		if isIdentByte(c) && !(c >= '0' && c <= '9') {
			j := i
			for j < len(s) && (isIdentByte(s[j]) || s[j] == '.') {
				j++
			}
			word := s[i:j]
			if op, ok := wordOps[word]; ok {
				word = op
			}
			emit(word, i)
			i = j
			continue
		}
		out.WriteByte(c)
		pos = append(pos, i)
		i++
	}
	pos = append(pos, len(s))
	return out.String(), pos
}

var wordOps = map[string]string{"eq": "==", "ne": "!=", "gt": ">", "lt": "<", "ge": ">=", "le": "<="}

func isAddrByte(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' || c == ':' || c == '.'
}

func isIdentByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// addrLiteral recognises an IP address, an IP prefix or a MAC address and
// returns it in the form the fields hold.
func addrLiteral(s string) (string, bool) {
	if !strings.ContainsAny(s, ".:") {
		return "", false
	}
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return "", false
		}
		return p.String(), true
	}
	if strings.Count(s, ".") == 3 || strings.Contains(s, ":") {
		if a, err := netip.ParseAddr(s); err == nil {
			return a.String(), true
		}
	}
	if strings.Count(s, ":") == 5 && len(s) == 17 {
		if m, err := net.ParseMAC(s); err == nil {
			return m.String(), true
		}
	}
	return "", false
}

// rewriter turns field names into the identifiers the program reads and
// spells out Wireshark's semantics (see the package comment above).
type rewriter struct {
	used     map[string]*Field
	prefixes map[string]netip.Prefix
	err      error
}

func (r *rewriter) fail(n ast.Node, format string, args ...any) {
	if r.err == nil {
		r.err = &FilterError{Column: n.Location().From + 1, Msg: fmt.Sprintf(format, args...)}
	}
}

// dotted returns the name a chain of identifiers and properties spells.
func dotted(n ast.Node) (string, bool) {
	switch v := n.(type) {
	case *ast.IdentifierNode:
		return v.Value, true
	case *ast.MemberNode:
		if v.Optional || v.Method {
			return "", false
		}
		base, ok := dotted(v.Node)
		prop, isStr := v.Property.(*ast.StringNode)
		if ok && isStr {
			return base + "." + prop.Value, true
		}
	}
	return "", false
}

// field returns the field n names, nil if n is not a name; an unknown name
// is an error.
func (r *rewriter) field(n ast.Node) *Field {
	name, ok := dotted(n)
	if !ok {
		return nil
	}
	f, ok := fieldIndex[name]
	if !ok {
		r.fail(n, "unknown field %q (see the field list with ?)", name)
		return nil
	}
	return f
}

func ident(name string) ast.Node { return &ast.IdentifierNode{Value: name} }

func present(name string) ast.Node {
	return &ast.BinaryNode{Operator: "!=", Left: ident(name), Right: &ast.NilNode{}}
}

func and(a, b ast.Node) ast.Node { return &ast.BinaryNode{Operator: "&&", Left: a, Right: b} }
func or(a, b ast.Node) ast.Node  { return &ast.BinaryNode{Operator: "||", Left: a, Right: b} }

// use records that the program reads single field f.
func (r *rewriter) use(f *Field) ast.Node {
	r.used[f.Name] = f
	return ident(f.Name)
}

var comparisons = map[string]string{ // operator → the operator with sides swapped
	"==": "==", "!=": "!=", "<": ">", ">": "<", "<=": ">=", ">=": "<=",
	"in": "", "matches": "", "contains": "", "startsWith": "", "endsWith": "",
}

// cond rewrites n where a boolean is expected.
func (r *rewriter) cond(n ast.Node) ast.Node {
	if r.err != nil {
		return n
	}
	if f := r.field(n); f != nil {
		if f.Get == nil { // a pair: present when its first field is
			f = fieldIndex[f.Pair[0]]
		}
		r.use(f)
		return present(f.Name)
	} else if r.err != nil {
		return n
	}
	switch v := n.(type) {
	case *ast.BinaryNode:
		switch v.Operator {
		case "&&", "||", "and", "or":
			v.Left, v.Right = r.cond(v.Left), r.cond(v.Right)
			return v
		}
		if _, ok := comparisons[v.Operator]; ok {
			return r.compare(v)
		}
	case *ast.UnaryNode:
		if v.Operator == "!" || v.Operator == "not" {
			v.Node = r.cond(v.Node)
			return v
		}
	case *ast.ConditionalNode:
		v.Cond, v.Exp1, v.Exp2 = r.cond(v.Cond), r.cond(v.Exp1), r.cond(v.Exp2)
		return v
	}
	var guards []string
	n = r.value(n, &guards)
	return guard(guards, n)
}

// guard prefixes n with a presence test of every field in names.
func guard(names []string, n ast.Node) ast.Node {
	seen := map[string]bool{}
	var g ast.Node
	for _, name := range names {
		if seen[name] {
			continue
		}
		seen[name] = true
		if g == nil {
			g = present(name)
		} else {
			g = and(g, present(name))
		}
	}
	if g == nil {
		return n
	}
	return and(g, n)
}

func (r *rewriter) pair(n ast.Node) *Field {
	if name, ok := dotted(n); ok {
		if f, ok := fieldIndex[name]; ok && f.Get == nil {
			return f
		}
	}
	return nil
}

// compare rewrites a comparison.
func (r *rewriter) compare(v *ast.BinaryNode) ast.Node {
	lp, rp := r.pair(v.Left), r.pair(v.Right)
	if lp != nil && rp != nil {
		r.fail(v, "compare %s with one value at a time", lp.Name)
		return v
	}
	if rp != nil {
		swapped := comparisons[v.Operator]
		if swapped == "" {
			r.fail(v.Right, "%s stands for two fields: put it on the left of %s", rp.Name, v.Operator)
			return v
		}
		v.Operator, v.Left, v.Right = swapped, v.Right, v.Left
		lp = rp
	}
	if lp == nil {
		var guards []string
		left := v.Left
		v.Left = r.value(v.Left, &guards)
		v.Right = r.value(v.Right, &guards)
		if f := r.field(left); f != nil {
			if c := r.cidr(f, v.Operator, f.Name, v.Right); c != nil {
				return guard(guards, c)
			}
		}
		return guard(guards, v)
	}
	// A pair: either field matches; for != both must differ.
	var guards []string
	right := r.value(v.Right, &guards)
	a, b := fieldIndex[lp.Pair[0]], fieldIndex[lp.Pair[1]]
	r.use(a)
	r.use(b)
	one := func(f *Field) ast.Node {
		if c := r.cidr(lp, v.Operator, f.Name, right); c != nil {
			return c
		}
		return &ast.BinaryNode{Operator: v.Operator, Left: ident(f.Name), Right: right}
	}
	var out ast.Node
	if v.Operator == "!=" {
		out = and(present(a.Name), and(one(a), one(b)))
	} else {
		out = or(and(present(a.Name), one(a)), and(present(b.Name), one(b)))
	}
	return guard(guards, out)
}

// cidr rewrites "address == prefix" (or !=) as a membership test.
func (r *rewriter) cidr(f *Field, op, name string, right ast.Node) ast.Node {
	s, ok := right.(*ast.StringNode)
	if !ok || f.Kind != FieldAddr || !strings.Contains(s.Value, "/") || op != "==" && op != "!=" {
		return nil
	}
	p, err := netip.ParsePrefix(s.Value)
	if err != nil {
		r.fail(right, "%q is not an address prefix", s.Value)
		return nil
	}
	r.prefixes[s.Value] = p.Masked()
	var call ast.Node = &ast.CallNode{Callee: ident("inNet"), Arguments: []ast.Node{ident(name), &ast.StringNode{Value: s.Value}}}
	if op == "!=" {
		call = &ast.UnaryNode{Operator: "!", Node: call}
	}
	return call
}

// value rewrites n where a value is expected, adding the single fields it
// reads to guards.
func (r *rewriter) value(n ast.Node, guards *[]string) ast.Node {
	if r.err != nil || n == nil {
		return n
	}
	if f := r.field(n); f != nil {
		if f.Get == nil {
			r.fail(n, "%s stands for %s and %s: compare it directly (%s == value)", f.Name, f.Pair[0], f.Pair[1], f.Name)
			return n
		}
		*guards = append(*guards, f.Name)
		return r.use(f)
	} else if r.err != nil {
		return n
	}
	switch v := n.(type) {
	case *ast.BinaryNode:
		if _, ok := comparisons[v.Operator]; ok || v.Operator == "&&" || v.Operator == "||" || v.Operator == "and" || v.Operator == "or" {
			return r.cond(v)
		}
		v.Left, v.Right = r.value(v.Left, guards), r.value(v.Right, guards)
	case *ast.UnaryNode:
		if v.Operator == "!" || v.Operator == "not" {
			return r.cond(v)
		}
		v.Node = r.value(v.Node, guards)
	case *ast.ArrayNode:
		for i := range v.Nodes {
			v.Nodes[i] = r.value(v.Nodes[i], guards)
		}
	case *ast.BuiltinNode:
		for i := range v.Arguments {
			v.Arguments[i] = r.value(v.Arguments[i], guards)
		}
	case *ast.CallNode:
		for i := range v.Arguments {
			v.Arguments[i] = r.value(v.Arguments[i], guards)
		}
	case *ast.ConditionalNode:
		v.Cond, v.Exp1, v.Exp2 = r.cond(v.Cond), r.value(v.Exp1, guards), r.value(v.Exp2, guards)
	case *ast.SliceNode:
		v.Node, v.From, v.To = r.value(v.Node, guards), r.value(v.From, guards), r.value(v.To, guards)
	case *ast.MemberNode:
		v.Node, v.Property = r.value(v.Node, guards), r.value(v.Property, guards)
	case *ast.ChainNode:
		v.Node = r.value(v.Node, guards)
	case *ast.IdentifierNode, *ast.PointerNode, *ast.NilNode, *ast.IntegerNode, *ast.FloatNode,
		*ast.BoolNode, *ast.StringNode, *ast.BytesNode, *ast.ConstantNode:
	default:
		r.fail(n, "this kind of expression is not supported in a display filter")
	}
	return n
}
