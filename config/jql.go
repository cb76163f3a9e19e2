package config

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// JQLTokenKind says what a JQL token is.
type JQLTokenKind int

// The kinds of JQL token: a bare word (field, keyword, function name, value
// or number), a quoted string, an operator, and the punctuation that groups.
const (
	JQLWord JQLTokenKind = iota
	JQLString
	JQLOperator
	JQLLParen
	JQLRParen
	JQLComma
)

// JQLToken is one token of a JQL query. Text is the token's value: a
// string's text without its quotes and escapes, a word's with its escapes
// resolved.
type JQLToken struct {
	Kind JQLTokenKind
	Text string
	Pos  int // byte offset in the query
}

// JQLError is a query the tokenizer or ValidateJQL rejects, with the fix.
type JQLError struct {
	Pos     int // byte offset of the problem
	Problem string
	Fix     string
}

func (e *JQLError) Error() string { return e.Problem + "; " + e.Fix }

// TokenizeJQL splits a JQL query into tokens the way Jira reads it: strings
// in double or single quotes, a backslash escaping the next character in a
// string or a bare word, the operators = != ~ !~ < <= > >=, and parentheses
// and commas. It fails on an unterminated string or a trailing backslash,
// either of which would swallow whatever is appended to the query.
func TokenizeJQL(s string) ([]JQLToken, error) {
	var toks []JQLToken
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '(':
			toks = append(toks, JQLToken{JQLLParen, "(", i})
			i++
		case c == ')':
			toks = append(toks, JQLToken{JQLRParen, ")", i})
			i++
		case c == ',':
			toks = append(toks, JQLToken{JQLComma, ",", i})
			i++
		case c == '"' || c == '\'':
			start := i
			var b strings.Builder
			i++
			for {
				if i >= len(s) {
					return nil, &JQLError{start, fmt.Sprintf("has an unterminated string starting at character %d", charAt(s, start)),
						fmt.Sprintf(`close it with %c, or escape a quote meant as text as \%c`, c, c)}
				}
				if s[i] == '\\' {
					if i+1 >= len(s) {
						return nil, &JQLError{i, fmt.Sprintf("has an unterminated string starting at character %d (it ends in a backslash)", charAt(s, start)),
							fmt.Sprintf(`close it with %c, and write a backslash meant as text as \\`, c)}
					}
					_, n := utf8.DecodeRuneInString(s[i+1:])
					b.WriteString(s[i+1 : i+1+n])
					i += 1 + n
					continue
				}
				if s[i] == c {
					i++
					break
				}
				b.WriteByte(s[i])
				i++
			}
			toks = append(toks, JQLToken{JQLString, b.String(), start})
		case strings.IndexByte("=!~<>", c) >= 0 && operatorAt(s[i:]) != "":
			op := operatorAt(s[i:])
			toks = append(toks, JQLToken{JQLOperator, op, i})
			i += len(op)
		default:
			start := i
			var b strings.Builder
			for i < len(s) && !isJQLDelimiter(s[i]) && !(strings.IndexByte("=!~<>", s[i]) >= 0 && operatorAt(s[i:]) != "") {
				if s[i] == '\\' {
					if i+1 >= len(s) {
						return nil, &JQLError{i, "ends in a lone backslash, which would escape what Radar appends", `remove it, or write a backslash meant as text as \\`}
					}
					_, n := utf8.DecodeRuneInString(s[i+1:])
					b.WriteString(s[i+1 : i+1+n])
					i += 1 + n
					continue
				}
				b.WriteByte(s[i])
				i++
			}
			toks = append(toks, JQLToken{JQLWord, b.String(), start})
		}
	}
	return toks, nil
}

// operatorAt returns the operator s starts with, or "".
func operatorAt(s string) string {
	for _, op := range []string{"!=", "!~", "<=", ">=", "=", "~", "<", ">"} {
		if strings.HasPrefix(s, op) {
			return op
		}
	}
	return ""
}

func isJQLDelimiter(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '(' || c == ')' || c == ',' || c == '"' || c == '\''
}

// charAt is the 1-based character number of byte offset i, for messages.
func charAt(s string, i int) int { return utf8.RuneCountInString(s[:i]) + 1 }

// ValidateJQL checks that a user's JQL clause stays a clause when Radar
// wraps it as "(project = KEY) AND (clause) AND ..." : its strings are
// terminated, no backslash escapes what follows it, its parentheses balance
// and it has no ORDER BY (Radar orders its searches itself). It does not
// check the clause against Jira's grammar; Jira does that on the first
// search. It checks the clause as Radar sends it: trimmed of surrounding
// white space (so "x = 1 \\ " is checked as ending in its backslash).
func ValidateJQL(s string) error {
	toks, err := TokenizeJQL(strings.TrimSpace(s))
	if err != nil {
		return err
	}
	depth, open := 0, []int{}
	for k, t := range toks {
		switch t.Kind {
		case JQLLParen:
			depth++
			open = append(open, t.Pos)
		case JQLRParen:
			if depth == 0 {
				return &JQLError{t.Pos, fmt.Sprintf(`has a ")" at character %d that closes nothing`, charAt(s, t.Pos)),
					`balance the parentheses; Radar puts the whole clause in its own ( )`}
			}
			depth--
			open = open[:len(open)-1]
		case JQLWord:
			if strings.EqualFold(t.Text, "order") && k+1 < len(toks) && toks[k+1].Kind == JQLWord && strings.EqualFold(toks[k+1].Text, "by") {
				return &JQLError{t.Pos, "contains ORDER BY", "remove it, Radar orders its searches itself"}
			}
		}
	}
	if depth > 0 {
		return &JQLError{open[0], fmt.Sprintf(`has a "(" at character %d that is never closed`, charAt(s, open[0])),
			`balance the parentheses; Radar puts the whole clause in its own ( )`}
	}
	return nil
}
