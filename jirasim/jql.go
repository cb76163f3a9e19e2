package jirasim

import (
	"fmt"
	"strings"
	"unicode"
)

// This file holds the JQL lexer and parser; jqleval.go compiles the tree
// into a predicate over the simulator's issues.

// jqlError is a JQL error as Jira reports it (400 with errorMessages).
type jqlError struct{ msg string }

func (e *jqlError) Error() string { return e.msg }

func syntaxError(pos int, format string, args ...any) error {
	return &jqlError{fmt.Sprintf("Error in the JQL Query: %s (line 1, character %d)", fmt.Sprintf(format, args...), pos)}
}

type tokKind int

const (
	tokEOF tokKind = iota
	tokWord
	tokString
	tokOp
	tokLParen
	tokRParen
	tokComma
)

type token struct {
	kind tokKind
	text string
	pos  int // 1-based character position, as Jira reports it
}

func (t token) is(word string) bool { return t.kind == tokWord && strings.EqualFold(t.text, word) }

func (t token) String() string {
	if t.kind == tokEOF {
		return "EOF"
	}
	return t.text
}

func lexJQL(q string) ([]token, error) {
	var toks []token
	rs := []rune(q)
	for i := 0; i < len(rs); {
		r := rs[i]
		pos := i + 1
		switch {
		case unicode.IsSpace(r):
			i++
		case r == '(':
			toks = append(toks, token{tokLParen, "(", pos})
			i++
		case r == ')':
			toks = append(toks, token{tokRParen, ")", pos})
			i++
		case r == ',':
			toks = append(toks, token{tokComma, ",", pos})
			i++
		case r == '"' || r == '\'':
			var b strings.Builder
			j := i + 1
			for ; j < len(rs) && rs[j] != r; j++ {
				if rs[j] == '\\' && j+1 < len(rs) {
					j++
				}
				b.WriteRune(rs[j])
			}
			if j >= len(rs) {
				return nil, syntaxError(pos, "The quoted string '%s' has not been completed.", string(rs[i:]))
			}
			toks = append(toks, token{tokString, b.String(), pos})
			i = j + 1
		case r == '=' || r == '~':
			toks = append(toks, token{tokOp, string(r), pos})
			i++
		case r == '!' || r == '<' || r == '>':
			if i+1 < len(rs) && (rs[i+1] == '=' || (r == '!' && rs[i+1] == '~')) {
				toks = append(toks, token{tokOp, string(rs[i : i+2]), pos})
				i += 2
				continue
			}
			if r == '!' {
				toks = append(toks, token{tokWord, "NOT", pos})
			} else {
				toks = append(toks, token{tokOp, string(r), pos})
			}
			i++
		default:
			j := i
			for j < len(rs) && !unicode.IsSpace(rs[j]) && !strings.ContainsRune("()=,!<>~\"'", rs[j]) {
				j++
			}
			if j == i {
				return nil, syntaxError(pos, "The character '%c' is a reserved JQL character. You must enclose it in a string or use the escape '\\u%04x' instead.", r, r)
			}
			toks = append(toks, token{tokWord, string(rs[i:j]), pos})
			i = j
		}
	}
	toks = append(toks, token{kind: tokEOF, pos: len(rs) + 1})
	return toks, nil
}

// jqlNode is a node of a parsed JQL query: andNode, orNode, notNode or
// clause.
type jqlNode interface{}

type andNode struct{ kids []jqlNode }
type orNode struct{ kids []jqlNode }
type notNode struct{ kid jqlNode }

type clause struct {
	field  string // lower-cased
	op     string // "=", "!=", "<", "<=", ">", ">=", "~", "!~", "in", "not in", "is", "is not"
	values []jqlValue
	pos    int
}

type jqlValue struct {
	text   string
	quoted bool
	fn     string // function name, lower-cased, when the value is a function call
	empty  bool   // EMPTY or NULL
}

type sortKey struct {
	field string
	desc  bool
}

type parsedQuery struct {
	where jqlNode // nil when the query has no restriction
	order []sortKey
}

type jqlParser struct {
	toks []token
	i    int
}

func (p *jqlParser) peek() token { return p.toks[p.i] }
func (p *jqlParser) next() token {
	t := p.toks[p.i]
	if t.kind != tokEOF {
		p.i++
	}
	return t
}

func parseJQL(q string) (*parsedQuery, error) {
	toks, err := lexJQL(q)
	if err != nil {
		return nil, err
	}
	p := &jqlParser{toks: toks}
	pq := &parsedQuery{}
	if t := p.peek(); t.kind != tokEOF && !t.is("order") {
		if pq.where, err = p.parseOr(); err != nil {
			return nil, err
		}
	}
	if t := p.peek(); t.is("order") {
		p.next()
		if t := p.next(); !t.is("by") {
			return nil, syntaxError(t.pos, "Expecting 'BY' but got '%s'.", t)
		}
		for {
			f := p.next()
			if f.kind != tokWord && f.kind != tokString {
				return nil, syntaxError(f.pos, "Expecting a field name but got '%s'.", f)
			}
			sk := sortKey{field: strings.ToLower(f.text)}
			if t := p.peek(); t.is("asc") || t.is("desc") {
				sk.desc = t.is("desc")
				p.next()
			}
			pq.order = append(pq.order, sk)
			if p.peek().kind != tokComma {
				break
			}
			p.next()
		}
	}
	if t := p.peek(); t.kind != tokEOF {
		return nil, syntaxError(t.pos, "Expecting either 'OR' or 'AND' but got '%s'.", t)
	}
	return pq, nil
}

func (p *jqlParser) parseOr() (jqlNode, error) {
	n, err := p.parseAnd()
	if err != nil {
		return nil, err
	}
	kids := []jqlNode{n}
	for p.peek().is("or") || (p.peek().kind == tokOp && p.peek().text == "||") {
		p.next()
		k, err := p.parseAnd()
		if err != nil {
			return nil, err
		}
		kids = append(kids, k)
	}
	if len(kids) == 1 {
		return n, nil
	}
	return &orNode{kids}, nil
}

func (p *jqlParser) parseAnd() (jqlNode, error) {
	n, err := p.parseNot()
	if err != nil {
		return nil, err
	}
	kids := []jqlNode{n}
	for p.peek().is("and") {
		p.next()
		k, err := p.parseNot()
		if err != nil {
			return nil, err
		}
		kids = append(kids, k)
	}
	if len(kids) == 1 {
		return n, nil
	}
	return &andNode{kids}, nil
}

func (p *jqlParser) parseNot() (jqlNode, error) {
	t := p.peek()
	switch {
	case t.is("not"):
		p.next()
		k, err := p.parseNot()
		if err != nil {
			return nil, err
		}
		return &notNode{k}, nil
	case t.kind == tokLParen:
		p.next()
		n, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		if c := p.next(); c.kind != tokRParen {
			return nil, syntaxError(c.pos, "Expecting ')' but got '%s'.", c)
		}
		return n, nil
	}
	return p.parseClause()
}

const validOperators = "The valid operators are '=', '!=', '<', '>', '<=', '>=', '~', '!~', 'IN', 'NOT IN', 'IS' and 'IS NOT'."

func (p *jqlParser) parseClause() (jqlNode, error) {
	f := p.next()
	if f.kind != tokWord && f.kind != tokString {
		if f.kind == tokEOF {
			return nil, syntaxError(f.pos, "Expecting a field name at the end of the query.")
		}
		return nil, syntaxError(f.pos, "Expecting a field name but got '%s'.", f)
	}
	c := &clause{field: strings.ToLower(f.text), pos: f.pos}
	o := p.next()
	switch {
	case o.kind == tokOp:
		c.op = o.text
	case o.is("in"):
		c.op = "in"
	case o.is("is"):
		c.op = "is"
		if p.peek().is("not") {
			p.next()
			c.op = "is not"
		}
	case o.is("not"):
		if n := p.next(); !n.is("in") {
			return nil, syntaxError(n.pos, "Expecting 'IN' but got '%s'.", n)
		}
		c.op = "not in"
	default:
		return nil, syntaxError(o.pos, "Expecting operator but got '%s'. %s", o, validOperators)
	}
	switch c.op {
	case "in", "not in":
		if t := p.peek(); t.kind == tokWord && p.toks[p.i+1].kind == tokLParen {
			v, err := p.parseValue() // a function returning a list
			if err != nil {
				return nil, err
			}
			c.values = []jqlValue{v}
			break
		}
		if l := p.next(); l.kind != tokLParen {
			return nil, syntaxError(l.pos, "Expecting '(' but got '%s'.", l)
		}
		for {
			v, err := p.parseValue()
			if err != nil {
				return nil, err
			}
			c.values = append(c.values, v)
			t := p.next()
			if t.kind == tokRParen {
				break
			}
			if t.kind != tokComma {
				return nil, syntaxError(t.pos, "Expecting ')' but got '%s'.", t)
			}
		}
	default:
		v, err := p.parseValue()
		if err != nil {
			return nil, err
		}
		if (c.op == "is" || c.op == "is not") != v.empty {
			if v.empty {
				return nil, syntaxError(c.pos, "The operator '%s' does not support searching for EMPTY values.", c.op)
			}
			return nil, syntaxError(c.pos, "The operator '%s' only supports searching for EMPTY values.", strings.ToUpper(c.op))
		}
		c.values = []jqlValue{v}
	}
	return c, nil
}

func (p *jqlParser) parseValue() (jqlValue, error) {
	t := p.next()
	switch t.kind {
	case tokString:
		return jqlValue{text: t.text, quoted: true}, nil
	case tokWord:
		if t.is("empty") || t.is("null") {
			return jqlValue{text: t.text, empty: true}, nil
		}
		for _, kw := range []string{"and", "or", "not", "order", "in", "is"} {
			if t.is(kw) {
				return jqlValue{}, syntaxError(t.pos, "Expecting either a value, list or function but got '%s'. You must surround '%s' in quotation marks to use it as a value.", t, t)
			}
		}
		if p.peek().kind == tokLParen {
			p.next()
			// Functions: skip arguments, which the supported ones do not take.
			depth := 1
			for depth > 0 {
				a := p.next()
				switch a.kind {
				case tokEOF:
					return jqlValue{}, syntaxError(a.pos, "Expecting ')' but got 'EOF'.")
				case tokLParen:
					depth++
				case tokRParen:
					depth--
				}
			}
			return jqlValue{text: t.text, fn: strings.ToLower(t.text)}, nil
		}
		return jqlValue{text: t.text}, nil
	case tokEOF:
		return jqlValue{}, syntaxError(t.pos, "Expecting either a value, list or function but got 'EOF'. You must surround 'EOF' in quotation marks to use it as a value.")
	}
	return jqlValue{}, syntaxError(t.pos, "Expecting either a value, list or function but got '%s'. You must surround '%s' in quotation marks to use it as a value.", t, t)
}
