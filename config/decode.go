package config

import (
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// decode parses body strictly into cfg. It walks the YAML tree against the
// Config type before decoding, so that it can
//
//   - reject unknown and duplicate keys, naming the key path and line
//     (what yaml.v3's KnownFields(true) does, with the path and a suggestion),
//   - expand ${NAME} and $NAME in scalar values through getenv (never in keys
//     or comments, and never re-parsing the expanded text as YAML),
//   - parse durations, accepting Go durations ("15m", "36h") and whole days or
//     weeks ("7d", "12w"),
//   - report type mismatches ("abc" for an int) with the key path,
//
// and collects every such problem before giving up. Secret values never
// appear in a problem.
func decode(body []byte, file string, getenv func(string) string, cfg *Config) error {
	dec := yaml.NewDecoder(strings.NewReader(string(body)))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil // empty file: defaults
		}
		return fmt.Errorf("load config %s: %w; fix the YAML syntax", file, err)
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case errors.Is(err, io.EOF):
	case err != nil:
		return fmt.Errorf("load config %s: %w; fix the YAML syntax", file, err)
	default:
		return &ValidationError{File: file, Problems: []Problem{{
			Line:    extra.Line,
			Message: "more than one YAML document; keep only one (remove the ---)",
		}}}
	}
	root := &doc
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			return nil
		}
		root = root.Content[0]
	}
	w := walker{getenv: getenv, expanded: map[*yaml.Node]bool{}}
	w.walk(root, reflect.TypeOf(*cfg), "")
	if len(w.problems) > 0 {
		return &ValidationError{File: file, Problems: w.problems}
	}
	if err := root.Decode(cfg); err != nil {
		// The walk checks every scalar, so this is not expected; keep
		// yaml's own message, which names lines but never values of ours.
		return fmt.Errorf("load config %s: %w", file, err)
	}
	return nil
}

var (
	durationType = reflect.TypeOf(time.Duration(0))
	secretType   = reflect.TypeOf(Secret(""))
)

// walker checks and rewrites a YAML tree in place before it is decoded.
type walker struct {
	getenv   func(string) string
	problems []Problem
	expanded map[*yaml.Node]bool // scalars already rewritten (aliases share nodes)
}

func (w *walker) addf(n *yaml.Node, path, format string, args ...any) {
	w.problems = append(w.problems, Problem{Path: path, Line: n.Line, Message: fmt.Sprintf(format, args...)})
}

func (w *walker) walk(n *yaml.Node, t reflect.Type, path string) {
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		return // an empty value leaves the default
	}
	switch {
	case t == durationType:
		w.duration(n, path)
	case t.Kind() == reflect.Struct:
		w.mapping(n, t, path)
	case t.Kind() == reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			w.addf(n, path, "expected a list, got %s; write [a, b] or one \"- item\" per line", kindName(n))
			return
		}
		for i, item := range n.Content {
			w.walk(item, t.Elem(), fmt.Sprintf("%s[%d]", path, i))
		}
	default:
		w.scalar(n, t, path)
	}
}

// mapping checks a mapping against the yaml keys of struct type t.
func (w *walker) mapping(n *yaml.Node, t reflect.Type, path string) {
	if n.Kind != yaml.MappingNode {
		w.addf(n, orRoot(path), "expected a mapping of keys, got %s", kindName(n))
		return
	}
	keys := yamlKeys(t)
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.Value == "<<" && k.Style == 0 {
			w.merge(v, t, path)
			continue
		}
		name := k.Value
		p := join(path, name)
		if k.Kind != yaml.ScalarNode {
			w.addf(k, orRoot(path), "a key must be a plain name, got %s", kindName(k))
			continue
		}
		if line, dup := seen[name]; dup {
			w.addf(k, p, "set twice (first on line %d); keep one", line)
			continue
		}
		seen[name] = k.Line
		f, ok := keys[name]
		if !ok {
			w.addf(k, p, "unknown key; %s", suggestKey(name, path, keys))
			continue
		}
		w.walk(v, f.Type, p)
	}
}

// merge walks the value of a "<<" merge key: a mapping or a list of them.
func (w *walker) merge(v *yaml.Node, t reflect.Type, path string) {
	if v.Kind == yaml.AliasNode {
		v = v.Alias
	}
	if v.Kind == yaml.SequenceNode {
		for _, m := range v.Content {
			w.walk(m, t, path)
		}
		return
	}
	w.walk(v, t, path)
}

// scalar expands a scalar value and checks it fits type t.
func (w *walker) scalar(n *yaml.Node, t reflect.Type, path string) {
	if n.Kind != yaml.ScalarNode {
		w.addf(n, path, "expected a single value, got %s", kindName(n))
		return
	}
	if !w.expand(n, path) {
		return
	}
	if t.Kind() == reflect.String && n.Tag == "" {
		// Expanded text is text, even when it reads "null" or "~".
		n.Tag, n.Style = "!!str", yaml.DoubleQuotedStyle
	}
	if n.ShortTag() == "!!null" {
		return
	}
	shown := strconv.Quote(n.Value)
	if t == secretType {
		shown = "the value"
	}
	switch t.Kind() {
	case reflect.String:
		// Any scalar reads as text.
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		var v any
		if err := n.Decode(&v); err != nil || !isWhole(v) {
			w.addf(n, path, "%s is not a whole number%s", shown, quotedNumberHint(n))
			return
		}
		if out := reflect.New(t).Elem(); !fitsInt(v, out) {
			w.addf(n, path, "%s is too large", shown)
		}
	case reflect.Float32, reflect.Float64:
		var v any
		if err := n.Decode(&v); err != nil {
			w.addf(n, path, "%s is not a number", shown)
			return
		}
		switch v.(type) {
		case int, int64, uint64, float64:
		default:
			w.addf(n, path, "%s is not a number%s", shown, quotedNumberHint(n))
		}
	case reflect.Bool:
		var v bool
		if err := n.Decode(&v); err != nil {
			w.addf(n, path, "%s is not true or false", shown)
		}
	default:
		w.addf(n, path, "cannot be set from YAML") // no such field today
	}
}

// quotedNumberHint explains why a quoted number is not read as one.
func quotedNumberHint(n *yaml.Node) string {
	if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) == 0 {
		return ""
	}
	if _, err := strconv.ParseFloat(strings.TrimSpace(n.Value), 64); err != nil {
		return ""
	}
	return "; remove the quotes to make it a number"
}

// duration expands a duration scalar and rewrites it in Go syntax, so that
// yaml.v3 decodes day and week suffixes too.
func (w *walker) duration(n *yaml.Node, path string) {
	if n.Kind != yaml.ScalarNode {
		w.addf(n, path, "expected a duration, got %s; write e.g. 90s, 15m, 36h or 7d", kindName(n))
		return
	}
	if !w.expand(n, path) || n.ShortTag() == "!!null" {
		return
	}
	d, err := ParseDuration(n.Value)
	if err != nil {
		w.addf(n, path, "%q is not a duration; write e.g. 90s, 15m, 36h or 7d", n.Value)
		return
	}
	n.Value, n.Tag, n.Style = d.String(), "!!str", yaml.DoubleQuotedStyle
}

// expand replaces environment references in a scalar once. It reports
// whether the scalar is usable.
func (w *walker) expand(n *yaml.Node, path string) bool {
	if w.expanded[n] {
		return true
	}
	w.expanded[n] = true
	if !strings.Contains(n.Value, "$") {
		return true
	}
	v, err := expandEnv(n.Value, w.getenv)
	if err != nil {
		w.addf(n, path, "%v; write ${NAME} or $NAME (letters, digits, _), or $$ for a literal $", err)
		return false
	}
	if v != n.Value {
		n.Value = v
		if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) == 0 && n.Style&yaml.TaggedStyle == 0 {
			n.Tag = "" // a plain scalar: resolve the expanded text ("8", "true", "") afresh
		}
	}
	return true
}

// expandEnv expands ${NAME} and $NAME through getenv; "$$" is a literal "$",
// and a "$" not followed by a name or "{" stays as it is. A malformed
// ${...} is an error naming the reference (never its value).
func expandEnv(s string, getenv func(string) string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '$' || i+1 == len(s) {
			b.WriteByte(c)
			continue
		}
		next := s[i+1]
		switch {
		case next == '$':
			b.WriteByte('$')
			i++
		case next == '{':
			end := strings.IndexByte(s[i+2:], '}')
			if end < 0 {
				return "", fmt.Errorf("unterminated reference %q", s[i:])
			}
			name := s[i+2 : i+2+end]
			if !isEnvName(name) {
				return "", fmt.Errorf("bad reference %q", "${"+name+"}")
			}
			b.WriteString(getenv(name))
			i += 2 + end
		case isNameStart(next):
			j := i + 1
			for j < len(s) && (isNameStart(s[j]) || s[j] >= '0' && s[j] <= '9') {
				j++
			}
			b.WriteString(getenv(s[i+1 : j]))
			i = j - 1
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

func isNameStart(c byte) bool { return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func isEnvName(s string) bool {
	if s == "" || !isNameStart(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !isNameStart(s[i]) && (s[i] < '0' || s[i] > '9') {
			return false
		}
	}
	return true
}

// ParseDuration parses a Go duration ("90s", "15m", "1h30m") or a whole
// number of days or weeks ("7d", "12w"). Negative values parse; Validate
// rejects them where they make no sense.
func ParseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if n := len(s); n >= 2 && (s[n-1] == 'd' || s[n-1] == 'w') {
		count, err := strconv.ParseInt(s[:n-1], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("parse duration %q: want a whole number before %q", s, s[n-1:])
		}
		unit := 24 * time.Hour
		if s[n-1] == 'w' {
			unit *= 7
		}
		if count > math.MaxInt64/int64(unit) || count < math.MinInt64/int64(unit) {
			return 0, fmt.Errorf("parse duration %q: too long", s)
		}
		return time.Duration(count) * unit, nil
	}
	return time.ParseDuration(s)
}

func isWhole(v any) bool {
	switch v := v.(type) {
	case int, int64, uint64:
		return true
	case float64:
		return v == math.Trunc(v) && !math.IsInf(v, 0)
	}
	return false
}

func fitsInt(v any, out reflect.Value) bool {
	switch v := v.(type) {
	case int:
		return !out.OverflowInt(int64(v))
	case int64:
		return !out.OverflowInt(v)
	case uint64:
		return v <= math.MaxInt64 && !out.OverflowInt(int64(v))
	case float64:
		return v >= math.MinInt64 && v <= math.MaxInt64 && !out.OverflowInt(int64(v))
	}
	return false
}

// yamlKeys maps a struct's yaml keys to its fields.
func yamlKeys(t reflect.Type) map[string]reflect.StructField {
	keys := map[string]reflect.StructField{}
	for f := range fieldsOf(t) {
		keys[yamlName(f)] = f
	}
	return keys
}

// fieldsOf yields the exported fields of t that YAML reads.
func fieldsOf(t reflect.Type) func(yield func(reflect.StructField) bool) {
	return func(yield func(reflect.StructField) bool) {
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() || yamlName(f) == "-" {
				continue
			}
			if !yield(f) {
				return
			}
		}
	}
}

func yamlName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	if name == "" {
		return strings.ToLower(f.Name)
	}
	return name
}

// suggestKey says what the user may have meant by an unknown key.
func suggestKey(name, path string, keys map[string]reflect.StructField) string {
	names := make([]string, 0, len(keys))
	for k := range keys {
		names = append(names, k)
	}
	slices.Sort(names)
	if best := closest(name, names); best != "" {
		return fmt.Sprintf("did you mean %s?", join(path, best))
	}
	where := path
	if where == "" {
		where = "the top level"
	}
	return fmt.Sprintf("valid keys in %s are %s", where, strings.Join(names, ", "))
}

// closest returns the candidate nearest to s by edit distance, or "" when
// none is close enough to be a likely typo.
func closest(s string, candidates []string) string {
	best, bestDist := "", math.MaxInt
	for _, c := range candidates {
		if d := editDistance(strings.ToLower(s), c); d < bestDist {
			best, bestDist = c, d
		}
	}
	if bestDist > max(1, min(3, len(s)/3)) {
		return ""
	}
	return best
}

// editDistance is the optimal string alignment (restricted Damerau–
// Levenshtein) distance: insertions, deletions, substitutions and swaps of
// two adjacent letters ("emial" for "email") each cost one.
func editDistance(a, b string) int {
	prev2 := make([]int, len(b)+1) // row i-2
	prev := make([]int, len(b)+1)  // row i-1
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func orRoot(path string) string {
	if path == "" {
		return "(top level)"
	}
	return path
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return "a single value"
	}
	return "something else"
}
