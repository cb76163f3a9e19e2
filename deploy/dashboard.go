// Package deploy holds Radar's deployment files (compose, Prometheus and
// Grafana configuration) and the helpers their tests use to read them: the
// PromQL expressions of the Grafana dashboard and the alerting rules, and the
// metric names those expressions use. It does no I/O beyond reading files.
package deploy

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// dashboard is the part of a Grafana dashboard's JSON model Radar reads.
type dashboard struct {
	Panels     []panel `json:"panels"`
	Templating struct {
		List []struct {
			Name  string          `json:"name"`
			Type  string          `json:"type"`
			Query json.RawMessage `json:"query"`
		} `json:"list"`
	} `json:"templating"`
}

type panel struct {
	Title   string  `json:"title"`
	Panels  []panel `json:"panels"` // panels of a collapsed row
	Targets []struct {
		Expr string `json:"expr"`
	} `json:"targets"`
}

func readDashboard(path string) (*dashboard, error) {
	body, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read dashboard: %w", err)
	}
	var d dashboard
	if err := json.Unmarshal(body, &d); err != nil {
		return nil, fmt.Errorf("parse dashboard %s: %w", path, err)
	}
	return &d, nil
}

// DashboardExprs returns the PromQL expression of every panel target of the
// Grafana dashboard at path, in panel order, including the panels of
// collapsed rows. Expressions still hold Grafana variables such as $project
// and $__rate_interval; see ExpandVariables.
func DashboardExprs(path string) ([]string, error) {
	d, err := readDashboard(path)
	if err != nil {
		return nil, err
	}
	var exprs []string
	var walk func([]panel)
	walk = func(ps []panel) {
		for _, p := range ps {
			for _, t := range p.Targets {
				if strings.TrimSpace(t.Expr) != "" {
					exprs = append(exprs, t.Expr)
				}
			}
			walk(p.Panels)
		}
	}
	walk(d.Panels)
	return exprs, nil
}

// DashboardVariableQueries returns the queries of the dashboard's query
// variables, such as "label_values(radar_issues, project)".
func DashboardVariableQueries(path string) ([]string, error) {
	d, err := readDashboard(path)
	if err != nil {
		return nil, err
	}
	var qs []string
	for _, v := range d.Templating.List {
		if v.Type != "query" || len(v.Query) == 0 {
			continue
		}
		// Grafana stores the query as a string or, for Prometheus since
		// Grafana 10, as {"query": "...", ...}.
		var s string
		if err := json.Unmarshal(v.Query, &s); err != nil {
			var o struct {
				Query string `json:"query"`
			}
			if err := json.Unmarshal(v.Query, &o); err != nil {
				return nil, fmt.Errorf("parse dashboard variable %s: %w", v.Name, err)
			}
			s = o.Query
		}
		if s != "" {
			qs = append(qs, s)
		}
	}
	return qs, nil
}

// RuleExprs returns the expression of every alerting and recording rule in
// the Prometheus rule file at path, keyed by the rule's alert or record name.
func RuleExprs(path string) (map[string]string, error) {
	body, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read rules: %w", err)
	}
	var f struct {
		Groups []struct {
			Rules []struct {
				Alert  string `yaml:"alert"`
				Record string `yaml:"record"`
				Expr   string `yaml:"expr"`
			} `yaml:"rules"`
		} `yaml:"groups"`
	}
	if err := yaml.Unmarshal(body, &f); err != nil {
		return nil, fmt.Errorf("parse rules %s: %w", path, err)
	}
	out := map[string]string{}
	for _, g := range f.Groups {
		for _, r := range g.Rules {
			out[r.Alert+r.Record] = r.Expr
		}
	}
	return out, nil
}

var grafanaVar = regexp.MustCompile(`\$\{(\w+)(?::\w+)?\}|\[\[(\w+)\]\]|\$(\w+)`)

// ExpandVariables replaces Grafana variables in expr ($name, ${name},
// ${name:format} and [[name]]) with their values in vars, so an expression
// can be sent to Prometheus as Grafana would send it. Variables missing from
// vars are left as they are.
func ExpandVariables(expr string, vars map[string]string) string {
	return grafanaVar.ReplaceAllStringFunc(expr, func(m string) string {
		sub := grafanaVar.FindStringSubmatch(m)
		name := sub[1] + sub[2] + sub[3]
		if v, ok := vars[name]; ok {
			return v
		}
		return m
	})
}

// promqlKeywords are identifiers that are never metric names.
var promqlKeywords = map[string]bool{
	"by": true, "without": true, "on": true, "ignoring": true, "group_left": true, "group_right": true,
	"bool": true, "and": true, "or": true, "unless": true, "offset": true, "atan2": true,
	"inf": true, "nan": true,
	// Aggregation operators may be followed by a by/without clause instead
	// of a parenthesis, so they are recognised by name.
	"sum": true, "min": true, "max": true, "avg": true, "group": true, "stddev": true, "stdvar": true,
	"count": true, "count_values": true, "bottomk": true, "topk": true, "quantile": true,
	"limitk": true, "limit_ratio": true,
}

// groupingKeywords take a parenthesised list of label names.
var groupingKeywords = map[string]bool{
	"by": true, "without": true, "on": true, "ignoring": true, "group_left": true, "group_right": true,
}

// MetricNames returns the distinct metric names a PromQL expression selects,
// sorted. It is a small lexer, not a full parser: it skips strings, label
// matchers ({...}), ranges ([...]), Grafana variables, numbers, function
// calls, keywords and the label lists of by/without/on/ignoring/group_*.
// Selectors written as {__name__="..."} are not reported.
func MetricNames(expr string) []string {
	var names []string
	s := expr
	i := 0
	nextNonSpace := func(j int) int {
		for j < len(s) && (s[j] == ' ' || s[j] == '\t' || s[j] == '\n' || s[j] == '\r') {
			j++
		}
		return j
	}
	skipUntil := func(j int, open, close byte) int {
		depth := 0
		for ; j < len(s); j++ {
			switch s[j] {
			case '"', '\'', '`':
				j = skipString(s, j) - 1
			case open:
				depth++
			case close:
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return j
	}
	for i < len(s) {
		c := s[i]
		switch {
		case c == '"' || c == '\'' || c == '`':
			i = skipString(s, i)
		case c == '{':
			i = skipUntil(i, '{', '}')
		case c == '[':
			i = skipUntil(i, '[', ']')
		case c == '$':
			i++
			for i < len(s) && isIdentChar(s[i]) {
				i++
			}
		case c == '#': // comment to end of line
			for i < len(s) && s[i] != '\n' {
				i++
			}
		case c >= '0' && c <= '9' || c == '.' && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9':
			for i < len(s) && (isIdentChar(s[i]) || s[i] == '.' ||
				(s[i] == '+' || s[i] == '-') && (s[i-1] == 'e' || s[i-1] == 'E')) {
				i++
			}
		case isIdentStart(c):
			start := i
			for i < len(s) && isIdentChar(s[i]) {
				i++
			}
			word := s[start:i]
			j := nextNonSpace(i)
			lower := strings.ToLower(word)
			switch {
			case groupingKeywords[lower] && j < len(s) && s[j] == '(':
				i = skipUntil(j, '(', ')')
			case lower == "offset":
				// The next token is a duration such as 5m or -1h.
				k := nextNonSpace(i)
				if k < len(s) && s[k] == '-' {
					k++
				}
				for k < len(s) && isIdentChar(s[k]) {
					k++
				}
				i = k
			case promqlKeywords[lower]:
			case j < len(s) && s[j] == '(':
				// A function call.
			default:
				if !slices.Contains(names, word) {
					names = append(names, word)
				}
			}
		default:
			i++
		}
	}
	slices.Sort(names)
	return names
}

func skipString(s string, i int) int {
	quote := s[i]
	for j := i + 1; j < len(s); j++ {
		if s[j] == '\\' && quote != '`' {
			j++
			continue
		}
		if s[j] == quote {
			return j + 1
		}
	}
	return len(s)
}

func isIdentStart(c byte) bool {
	return c == '_' || c == ':' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isIdentChar(c byte) bool { return isIdentStart(c) || c >= '0' && c <= '9' }
