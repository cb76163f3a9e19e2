package config

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// Seeds live in testdata/fuzz/<FuzzName>/; crashers found there stay as
// regression cases that plain go test runs.

func TestValidateJQL(t *testing.T) {
	tests := []struct {
		name, jql string
		want      string // "" when valid, else the whole problem
	}{
		{"empty", "", ""},
		{"simple", "labels != spike", ""},
		{"grouped", `(labels = a OR labels = "b c") AND status changed AFTER -2w`, ""},
		{"functions and lists", `fixVersion in unreleasedVersions() AND component in ("API", 'Web UI')`, ""},
		{"parentheses in strings", `summary ~ "x = 1) OR (y = 2" AND summary ~ '('`, ""},
		{"escaped quote", `summary ~ "say \"hi\") OR (1=1"`, ""},
		{"order by in a string", `summary ~ "order by"`, ""},
		{"escaped backslash before the quote", `summary ~ "C:\\"`, ""},
		{"breakout", "x = 1) OR (y = 2",
			`jira.jql: has a ")" at character 6 that closes nothing; balance the parentheses; Radar puts the whole clause in its own ( )`},
		{"unclosed", "(labels = a OR labels = b",
			`jira.jql: has a "(" at character 1 that is never closed; balance the parentheses; Radar puts the whole clause in its own ( )`},
		{"order by", "labels = x order  by rank",
			"jira.jql: contains ORDER BY; remove it, Radar orders its searches itself"},
		{"order by after a newline", "labels = x\nORDER\tBY rank DESC",
			"jira.jql: contains ORDER BY; remove it, Radar orders its searches itself"},
		{"unterminated string", `summary ~ "abc`,
			`jira.jql: has an unterminated string starting at character 11; close it with ", or escape a quote meant as text as \"`},
		{"unterminated single quote", `summary ~ 'it`,
			`jira.jql: has an unterminated string starting at character 11; close it with ', or escape a quote meant as text as \'`},
		{"string ending in a backslash", `summary ~ "abc\"`,
			`jira.jql: has an unterminated string starting at character 11; close it with ", or escape a quote meant as text as \"`},
		{"string ending in an escape", `summary ~ "abc\`,
			`jira.jql: has an unterminated string starting at character 11 (it ends in a backslash); close it with ", and write a backslash meant as text as \\`},
		{"trailing backslash", `labels = abc\`,
			`jira.jql: ends in a lone backslash, which would escape what Radar appends; remove it, or write a backslash meant as text as \\`},
		{"backslash before trailing space", "labels = abc\\ \n",
			`jira.jql: ends in a lone backslash, which would escape what Radar appends; remove it, or write a backslash meant as text as \\`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := valid()
			c.Jira.JQL = tt.jql
			err := c.Validate()
			got := ""
			var ve *ValidationError
			if errors.As(err, &ve) {
				got = ve.Error()
			} else if err != nil {
				t.Fatalf("Validate() = %v, want a *ValidationError", err)
			}
			if got != tt.want {
				t.Errorf("Validate() with jira.jql %q =\n%s\nwant\n%s", tt.jql, got, tt.want)
			}
		})
	}
}

func TestTokenizeJQL(t *testing.T) {
	toks, err := TokenizeJQL(`(labels="a \"b\"" OR x!=y)AND fix in ('1.0', v\ 2) ORDER BY rank`)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, tk := range toks {
		got = append(got, tk.Text)
	}
	want := []string{"(", "labels", "=", `a "b"`, "OR", "x", "!=", "y", ")", "AND", "fix", "in", "(", "1.0", ",", "v 2", ")", "ORDER", "BY", "rank"}
	if !slices.Equal(got, want) {
		t.Errorf("TokenizeJQL = %q, want %q", got, want)
	}
}

// FuzzJQL: the tokenizer never panics, and a clause ValidateJQL accepts
// stays whole inside the parentheses Radar wraps it in: the wrapped query
// tokenizes to "(", the clause's own tokens, ")" and what was appended.
func FuzzJQL(f *testing.F) {
	f.Fuzz(func(t *testing.T, jql string) {
		toks, terr := TokenizeJQL(jql)
		verr := ValidateJQL(jql)
		if terr != nil && verr == nil {
			t.Fatalf("ValidateJQL(%q) accepts what TokenizeJQL rejects: %v", jql, terr)
		}
		for _, err := range []error{terr, verr} {
			var je *JQLError
			if err != nil && (!errors.As(err, &je) || je.Fix == "" || je.Pos < 0 || je.Pos > len(jql)) {
				t.Fatalf("JQL %q: error %v has no fix or a bad position", jql, err)
			}
		}
		if verr != nil {
			return
		}
		wrapped, err := TokenizeJQL(`(project = "PAY") AND (` + jql + `) AND updated >= "-5m" ORDER BY id ASC`)
		if err != nil {
			t.Fatalf("wrapped %q does not tokenize: %v", jql, err)
		}
		want := []JQLTokenKind{JQLLParen, JQLWord, JQLOperator, JQLString, JQLRParen, JQLWord, JQLLParen}
		for _, tk := range toks {
			want = append(want, tk.Kind)
		}
		want = append(want, JQLRParen, JQLWord, JQLWord, JQLOperator, JQLString, JQLWord, JQLWord, JQLWord, JQLWord)
		kinds := make([]JQLTokenKind, len(wrapped))
		for i, tk := range wrapped {
			kinds[i] = tk.Kind
		}
		if !slices.Equal(kinds, want) {
			t.Fatalf("wrapped %q tokenizes as %v, want %v", jql, kinds, want)
		}
		for i, tk := range toks {
			if w := wrapped[7+i]; w.Text != tk.Text {
				t.Fatalf("wrapped %q: token %d is %q, want %q", jql, i, w.Text, tk.Text)
			}
		}
	})
}

// FuzzLoad: Load and Validate never panic on any file and environment, and
// every problem they report names its field (or, for YAML that does not
// parse or holds two documents, its line).
func FuzzLoad(f *testing.F) {
	dir := f.TempDir()
	path := filepath.Join(dir, "radar.yaml")
	if err := os.WriteFile(filepath.Join(dir, "token"), []byte("file-token\n"), 0o600); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body, envValue string) {
		// Secret files are read: keep the fuzzer away from devices and
		// escapes that could spell one.
		for _, bad := range []string{"dev", "proc", "sys", `\x`, `\u`, `\U`, `\/`} {
			if strings.Contains(body, bad) || strings.Contains(envValue, bad) {
				t.Skip()
			}
		}
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		env := map[string]string{"RADAR_JIRA_TOKEN": envValue, "JIRA_URL": envValue, "X": envValue}
		c, err := Load(path, func(k string) string { return env[k] })
		if err != nil {
			checkNamed(t, body, err, true)
			return
		}
		if err := c.Validate(); err != nil {
			checkNamed(t, body, err, false)
		}
	})
}

func checkNamed(t *testing.T, body string, err error, fromFile bool) {
	t.Helper()
	var ve *ValidationError
	if !errors.As(err, &ve) {
		if fromFile && strings.Contains(err.Error(), "fix the YAML syntax") {
			return
		}
		t.Fatalf("config %q: error %q is neither a ValidationError nor a YAML syntax error", body, err)
	}
	if len(ve.Problems) == 0 {
		t.Fatalf("config %q: a ValidationError without problems", body)
	}
	for _, p := range ve.Problems {
		if p.Path == "" && (!fromFile || p.Line == 0) {
			t.Fatalf("config %q: problem %q names no field", body, p.Message)
		}
	}
}
