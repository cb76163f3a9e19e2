package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

// envMap returns a getenv reading m.
func envMap(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// writeConfig writes body to a config file in a temp dir and returns its path.
func writeConfig(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "radar.yaml")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestDefault(t *testing.T) {
	d := Default()
	tests := []struct {
		key       string
		got, want any
	}{
		{"jira.flavor", d.Jira.Flavor, "auto"},
		{"jira.dependencies", d.Jira.Dependencies, []Dependency{{Link: "Blocks", Outward: "blocks"}}},
		{"jira.concurrency", d.Jira.Concurrency, 0},
		{"jira.requests_per_second", d.Jira.RequestsPerSecond, 0.0},
		{"jira.page_size", d.Jira.PageSize, 100},
		{"jira.timeout", d.Jira.Timeout, 30 * time.Second},
		{"jira.max_retries", d.Jira.MaxRetries, 6},
		{"jira.max_retry_after", d.Jira.MaxRetryAfter, 5 * time.Minute},
		{"jira.overlap", d.Jira.Overlap, 5 * time.Minute},
		{"jira.reconcile_every", d.Jira.ReconcileEvery, time.Hour},
		{"jira.partition_size", d.Jira.PartitionSize, 5000},
		{"store.path", d.Store.Path, "./radar.db"},
		{"analysis.stale_after", d.Analysis.StaleAfter, 168 * time.Hour},
		{"analysis.abandoned_after", d.Analysis.AbandonedAfter, 180 * 24 * time.Hour},
		{"analysis.reopened_window", d.Analysis.ReopenedWindow, 30 * 24 * time.Hour},
		{"analysis.wip_limit", d.Analysis.WIPLimit, 3},
		{"analysis.overrun_ratio", d.Analysis.OverrunRatio, 1.5},
		{"analysis.trials", d.Analysis.Trials, 2000},
		{"analysis.seed", d.Analysis.Seed, int64(1)},
		{"analysis.history", d.Analysis.History, 2016 * time.Hour},
		{"slack.api_url", d.Slack.APIURL, "https://slack.com/api/"},
		{"slack.max_individual", d.Slack.MaxIndividual, 10},
		{"schedule.sync", d.Schedule.Sync, "@every 15m"},
		{"http.listen", d.HTTP.Listen, "127.0.0.1:9317"},
		{"http.ready_max_age", d.HTTP.ReadyMaxAge, time.Hour},
		{"log.format", d.Log.Format, "text"},
		{"log.level", d.Log.Level, "info"},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			if !reflect.DeepEqual(tt.got, tt.want) {
				t.Errorf("Default() %s = %#v, want %#v", tt.key, tt.got, tt.want)
			}
		})
	}
}

func TestLoadWithoutFileGivesDefaults(t *testing.T) {
	got, err := Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := Default(); !reflect.DeepEqual(*got, want) {
		t.Errorf("Load(\"\") = %+v, want %+v", *got, want)
	}
}

func TestLoadEmptyFilesGiveDefaults(t *testing.T) {
	for _, body := range []string{"", "# only a comment\n", "---\n", "jira:\nslack:\n"} {
		t.Run(strings.TrimSpace(body), func(t *testing.T) {
			path := writeConfig(t, body)
			got, err := Load(path, nil)
			if err != nil {
				t.Fatal(err)
			}
			want := Default()
			want.Store.Path = filepath.Join(filepath.Dir(path), "radar.db")
			if !reflect.DeepEqual(*got, want) {
				t.Errorf("Load(%q) = %+v, want %+v", body, *got, want)
			}
		})
	}
}

// TestLoadZeroValuesGetDefaults writes every defaulted key as its zero value.
func TestLoadZeroValuesGetDefaults(t *testing.T) {
	body := `
jira:
  flavor: ""
  dependencies: []
  concurrency: 0
  requests_per_second: 0
  page_size: 0
  timeout: 0s
  reconcile_every: 0s
  partition_size: 0
store: {path: ""}
analysis: {stale_after: 0d, wip_limit: 0, overrun_ratio: 0, trials: 0, seed: 0, history: 0w}
slack: {api_url: "", max_individual: 0}
schedule: {sync: ""}
http: {listen: "", ready_max_age: 0s}
log: {format: "", level: ""}
`
	path := writeConfig(t, body)
	got, err := Load(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := Default()
	want.Store.Path = filepath.Join(filepath.Dir(path), "radar.db")
	if !reflect.DeepEqual(*got, want) {
		t.Errorf("got %+v\nwant %+v", *got, want)
	}
}

// TestStorePathIsRelativeToTheConfigFile: a relative store.path starts at
// the config file's directory, like the *_file keys, wherever Radar runs.
func TestStorePathIsRelativeToTheConfigFile(t *testing.T) {
	tests := []struct {
		name, body, want string // want relative to the config file's directory, or absolute
	}{
		{"relative", "store: {path: data/radar.db}\n", "data/radar.db"},
		{"dot relative", "store: {path: ./radar.db}\n", "radar.db"},
		{"default", "", "radar.db"},
		{"absolute", "store: {path: /var/lib/radar/radar.db}\n", "/var/lib/radar/radar.db"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeConfig(t, tt.body)
			got, err := Load(path, nil)
			if err != nil {
				t.Fatal(err)
			}
			want := tt.want
			if !filepath.IsAbs(want) {
				want = filepath.Join(filepath.Dir(path), want)
			}
			if got.Store.Path != want {
				t.Errorf("store.path = %q, want %q", got.Store.Path, want)
			}
		})
	}
	if got, _ := Load("", nil); got.Store.Path != "./radar.db" {
		t.Errorf("without a config file store.path = %q, want ./radar.db (the working directory)", got.Store.Path)
	}
}

// TestPlainHTTPTokenWarns: a Jira token bound for plain http:// on another
// host is a warning naming jira.url; loopback and https are not.
func TestPlainHTTPTokenWarns(t *testing.T) {
	tests := []struct {
		url, token string
		warn       bool
	}{
		{"http://jira.example.com", "tok", true},
		{"HTTP://jira.example.com:8080/jira", "tok", true},
		{"https://jira.example.com", "tok", false},
		{"http://127.0.0.1:8080", "tok", false},
		{"http://localhost:8080", "tok", false},
		{"http://[::1]:8080", "tok", false},
		{"http://jira.example.com", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.url+" "+tt.token, func(t *testing.T) {
			path := writeConfig(t, "jira: {url: '"+tt.url+"'}\n")
			_, warnings, err := LoadWithWarnings(path, func(k string) string {
				if k == EnvJiraToken {
					return tt.token
				}
				return ""
			})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, w := range warnings {
				if w.Key == "jira.url" {
					got = append(got, w.Message)
				}
			}
			if (len(got) > 0) != tt.warn || (tt.warn && !strings.Contains(got[0], "https://")) {
				t.Errorf("warnings %q, want a warning: %v", got, tt.warn)
			}
		})
	}
}

// TestApplyDefaultsRestoresEveryField zeroes each defaulted field of
// Default() in turn, so a field added to Default() but not to applyDefaults
// fails here.
func TestApplyDefaultsRestoresEveryField(t *testing.T) {
	want := Default()
	for _, leaf := range leaves(reflect.ValueOf(&want).Elem(), "") {
		if leaf.v.IsZero() || zeroMeaningful[leaf.path] {
			continue
		}
		t.Run(leaf.path, func(t *testing.T) {
			c := Default()
			field := reflect.ValueOf(&c).Elem().FieldByIndex(leaf.index)
			field.Set(reflect.Zero(field.Type()))
			applyDefaults(&c)
			if !reflect.DeepEqual(c, want) {
				t.Errorf("after zeroing %s, applyDefaults gives %v, want %v", leaf.path, field, leaf.v)
			}
		})
	}
}

type leaf struct {
	path  string
	index []int
	v     reflect.Value
}

func leaves(v reflect.Value, path string) []leaf {
	var out []leaf
	for i := range v.NumField() {
		f := v.Type().Field(i)
		p := join(path, yamlName(f))
		fv := v.Field(i)
		if f.Type.Kind() == reflect.Struct && f.Type != durationType {
			for _, l := range leaves(fv, p) {
				l.index = append([]int{i}, l.index...)
				out = append(out, l)
			}
			continue
		}
		out = append(out, leaf{path: p, index: []int{i}, v: fv})
	}
	return out
}

func TestLoadRouteDefaults(t *testing.T) {
	got, err := Load(writeConfig(t, "slack:\n  routes:\n    - channel: '#a'\n    - channel: '#b'\n      min_severity: critical\n      audience: exec\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []Route{
		{Channel: "#a", MinSeverity: "warning", Audience: "team"},
		{Channel: "#b", MinSeverity: "critical", Audience: "exec"},
	}
	if !reflect.DeepEqual(got.Slack.Routes, want) {
		t.Errorf("routes = %+v, want %+v", got.Slack.Routes, want)
	}
}

func TestLoadFull(t *testing.T) {
	env := map[string]string{"JIRA_EMAIL": "bot@example.com", "SLACK_TOKEN": "xoxb-full"}
	got, err := Load("testdata/full.yaml", envMap(env))
	if err != nil {
		t.Fatal(err)
	}
	want := Config{
		Jira: Jira{
			URL:       "https://example.atlassian.net",
			Email:     "bot@example.com",
			Token:     "jira-token-from-file",
			TokenFile: "secrets/jira-token",
			Flavor:    "cloud",
			Projects:  []string{"PAY", "OPS", "DATA_2"},
			JQL:       "labels != spike",
			Dependencies: []Dependency{
				{Link: "Blocks", Outward: OutwardBlocks},
				{Link: "Dependency", Outward: OutwardDependsOn},
			},
			Fields: Fields{
				StoryPoints: "customfield_10016",
				Sprint:      "customfield_10020",
				Flagged:     "customfield_10021",
				EpicLink:    "customfield_10014",
				StartDate:   "customfield_10015",
			},
			Concurrency:       12,
			RequestsPerSecond: 12.5,
			PageSize:          50,
			Timeout:           45 * time.Second,
			MaxRetries:        3,
			MaxRetryAfter:     2 * time.Minute,
			Overlap:           10 * time.Minute,
			ReconcileEvery:    2 * time.Hour,
			PartitionSize:     2000,
		},
		Store: Store{Path: "/var/lib/radar/radar.db"},
		Analysis: Analysis{
			StaleAfter:     5 * 24 * time.Hour,
			AbandonedAfter: 90 * 24 * time.Hour,
			ReopenedWindow: 14 * 24 * time.Hour,
			WIPLimit:       4,
			OverrunRatio:   2,
			Trials:         5000,
			Seed:           42,
			History:        8 * 7 * 24 * time.Hour,
		},
		Slack: Slack{
			Token:             "xoxb-full",
			APIURL:            "https://slack.example.com/api/",
			MaxIndividual:     5,
			SigningSecret:     "signing-secret-from-file",
			SigningSecretFile: "secrets/slack-signing-secret",
			AckReminder:       72 * time.Hour,
			Routes: []Route{
				{Channel: "#pay-delivery", Projects: []string{"PAY"}, Kinds: []string{"blocker", "overdue", "release_at_risk"}, MinSeverity: "info", Audience: "team", Digest: "0 9 * * MON-FRI", Report: "0 9 * * MON"},
				{Channel: "C0123456789", Projects: []string{}, Kinds: []string{}, MinSeverity: "critical", Audience: "exec", Digest: "@weekly"},
			},
		},
		Schedule: Schedule{Sync: "*/10 * * * *"},
		HTTP:     HTTP{Listen: "0.0.0.0:8080", Token: "http-token-from-file", TokenFile: "secrets/http-token", ReadyMaxAge: 90 * time.Minute, PublicURL: "https://radar.example.com"},
		Log:      Log{Format: "json", Level: "debug"},
	}
	if !reflect.DeepEqual(*got, want) {
		t.Errorf("Load(full.yaml) =\n%+v\nwant\n%+v", *got, want)
	}
	if err := got.Validate(); err != nil {
		t.Errorf("Validate(full.yaml): %v", err)
	}
}

// keyPaths lists every YAML key path of t, with [] for list elements.
func keyPaths(t reflect.Type, prefix string) []string {
	var out []string
	for f := range fieldsOf(t) {
		p := join(prefix, yamlName(f))
		ft := f.Type
		out = append(out, p)
		if ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct {
			out = append(out, keyPaths(ft.Elem(), p+"[]")...)
		} else if ft.Kind() == reflect.Struct && ft != durationType {
			out = append(out, keyPaths(ft, p)...)
		}
	}
	return out
}

// nodePaths lists the key paths present in a YAML tree.
func nodePaths(n *yaml.Node, prefix string, into map[string]bool) {
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			nodePaths(c, prefix, into)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			p := join(prefix, n.Content[i].Value)
			into[p] = true
			nodePaths(n.Content[i+1], p, into)
		}
	case yaml.SequenceNode:
		for _, c := range n.Content {
			nodePaths(c, prefix+"[]", into)
		}
	}
}

func TestFullYAMLNamesEveryKey(t *testing.T) {
	body, err := os.ReadFile("testdata/full.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	present := map[string]bool{}
	nodePaths(&doc, "", present)
	for _, p := range keyPaths(reflect.TypeOf(Config{}), "") {
		if !present[p] {
			t.Errorf("testdata/full.yaml does not set %s", p)
		}
	}
}

func TestDocsNameEveryKey(t *testing.T) {
	body, err := os.ReadFile("../docs/CONFIG.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range keyPaths(reflect.TypeOf(Config{}), "") {
		if !strings.Contains(string(body), "`"+p+"`") {
			t.Errorf("docs/CONFIG.md does not document `%s`", p)
		}
	}
}

func TestExampleLoadsAndValidates(t *testing.T) {
	env := map[string]string{EnvJiraToken: "example-token", EnvSlackToken: "xoxb-example"}
	cfg, err := Load("example.yaml", envMap(env))
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Errorf("Validate(example.yaml):\n%v", err)
	}
	if got, want := cfg.Jira.Token.Value(), "example-token"; got != want {
		t.Errorf("jira.token = %q, want %q (from %s)", got, want, EnvJiraToken)
	}
}

func TestEnvExpansion(t *testing.T) {
	env := map[string]string{
		"HOST": "jira.example.com", "N": "8", "EMPTY": "", "RATE": "2.5",
		"TRICKY": "a: b # c", "AGE": "3d", "NULL": "null", "TRUE": "true",
	}
	tests := []struct {
		name string
		yaml string
		get  func(*Config) any
		want any
	}{
		{"braces", "jira: {url: 'https://${HOST}/jira'}", func(c *Config) any { return c.Jira.URL }, "https://jira.example.com/jira"},
		{"bare name", "jira: {url: https://$HOST}", func(c *Config) any { return c.Jira.URL }, "https://jira.example.com"},
		{"double dollar is literal", "jira: {jql: 'summary ~ \"$$HOST\"'}", func(c *Config) any { return c.Jira.JQL }, `summary ~ "$HOST"`},
		{"lone dollar stays", "jira: {jql: 'cost > 5$ and $'}", func(c *Config) any { return c.Jira.JQL }, "cost > 5$ and $"},
		{"unset is empty and then default", "jira: {flavor: $NOPE}", func(c *Config) any { return c.Jira.Flavor }, "auto"},
		{"empty is default", "jira:\n  concurrency: ${EMPTY}\n", func(c *Config) any { return c.Jira.Concurrency }, 0},
		{"int", "jira:\n  concurrency: ${N}\n", func(c *Config) any { return c.Jira.Concurrency }, 8},
		{"float", "jira: {requests_per_second: $RATE}", func(c *Config) any { return c.Jira.RequestsPerSecond }, 2.5},
		{"duration with days", "analysis: {stale_after: $AGE}", func(c *Config) any { return c.Analysis.StaleAfter }, 72 * time.Hour},
		{"value is not YAML", "jira: {jql: $TRICKY}", func(c *Config) any { return c.Jira.JQL }, "a: b # c"},
		{"in a list", "jira: {projects: [PAY, '${N}X']}", func(c *Config) any { return c.Jira.Projects }, []string{"PAY", "8X"}},
		{"secret", "jira:\n  token: ${N}-tok\n", func(c *Config) any { return c.Jira.Token.Value() }, "8-tok"},
		{"expanded text stays text", "jira:\n  jql: $NULL\n  email: ${TRUE}\n", func(c *Config) any { return c.Jira.JQL + " " + c.Jira.Email }, "null true"},
		{"not in comments", "# ${UNTERMINATED\njira: {url: x}", func(c *Config) any { return c.Jira.URL }, "x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Load(writeConfig(t, tt.yaml), envMap(env))
			if err != nil {
				t.Fatal(err)
			}
			if got := tt.get(cfg); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestEnvOverrides(t *testing.T) {
	env := map[string]string{
		EnvJiraURL: "https://env.example.com", EnvJiraEmail: "env@example.com", EnvJiraToken: " env-jira \n",
		EnvSlackToken: "xoxb-env", EnvSlackWebhookURL: "https://hooks.example.com/env", EnvHTTPToken: "env-http",
		EnvSlackSigningSecret: "env-signing",
	}
	t.Run("fill empty settings", func(t *testing.T) {
		cfg, err := Load("", envMap(env))
		if err != nil {
			t.Fatal(err)
		}
		got := []string{cfg.Jira.URL, cfg.Jira.Email, cfg.Jira.Token.Value(), cfg.Slack.Token.Value(), cfg.Slack.WebhookURL.Value(), cfg.HTTP.Token.Value(), cfg.Slack.SigningSecret.Value()}
		want := []string{"https://env.example.com", "env@example.com", "env-jira", "xoxb-env", "https://hooks.example.com/env", "env-http", "env-signing"}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("got %q, want %q", got, want)
		}
	})
	t.Run("the file wins", func(t *testing.T) {
		path := writeConfig(t, "jira: {url: https://file.example.com, email: file@example.com, token: file-jira}\nslack: {token: xoxb-file}\nhttp: {token: file-http}\n")
		cfg, err := Load(path, envMap(env))
		if err != nil {
			t.Fatal(err)
		}
		got := []string{cfg.Jira.URL, cfg.Jira.Email, cfg.Jira.Token.Value(), cfg.Slack.Token.Value(), cfg.HTTP.Token.Value()}
		want := []string{"https://file.example.com", "file@example.com", "file-jira", "xoxb-file", "file-http"}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("got %q, want %q", got, want)
		}
	})
	t.Run("a token file wins", func(t *testing.T) {
		cfg, err := Load("testdata/full.yaml", envMap(env))
		if err != nil {
			t.Fatal(err)
		}
		if got, want := cfg.Jira.Token.Value(), "jira-token-from-file"; got != want {
			t.Errorf("jira.token = %q, want %q", got, want)
		}
	})
}

// TestLoadErrors checks errors in the file itself: each names the file, the
// line and the key path.
func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string // error lines after "<file>:"
	}{
		{"unknown key with a typo", "jira:\n  url: x\n  tokn: y\n",
			[]string{"3: jira.tokn: unknown key; did you mean jira.token?"}},
		{"swapped letters", "jira:\n  emial: x\n",
			[]string{"2: jira.emial: unknown key; did you mean jira.email?"}},
		{"swapped letters in store", "store:\n  paht: x\n",
			[]string{"2: store.paht: unknown key; did you mean store.path?"}},
		{"unknown top-level key", "jiraa: {}\n",
			[]string{"1: jiraa: unknown key; did you mean jira?"}},
		{"unknown key far from any", "jira:\n  colour: red\n",
			[]string{"2: jira.colour: unknown key; valid keys in jira are concurrency, dependencies, email, fields, flavor, jql, max_retries, max_retry_after, overlap, page_size, partition_size, projects, reconcile_every, requests_per_second, timeout, token, token_file, url"}},
		{"unknown key in a route", "slack:\n  routes:\n    - channel: '#a'\n      chanel: '#b'\n",
			[]string{"4: slack.routes[0].chanel: unknown key; did you mean slack.routes[0].channel?"}},
		{"every unknown key at once", "jira:\n  tokn: y\nlogs: {}\nhttp:\n  listn: x\n",
			[]string{"2: jira.tokn: unknown key; did you mean jira.token?", "3: logs: unknown key; did you mean log?", "5: http.listn: unknown key; did you mean http.listen?"}},
		{"duplicate key", "log:\n  level: info\n  level: debug\n",
			[]string{"3: log.level: set twice (first on line 2); keep one"}},
		{"not a number", "jira:\n  concurrency: lots\n",
			[]string{`2: jira.concurrency: "lots" is not a whole number`}},
		{"fraction for an int", "jira:\n  page_size: 2.5\n",
			[]string{`2: jira.page_size: "2.5" is not a whole number`}},
		{"quoted env for an int", "jira:\n  page_size: '${N}'\n",
			[]string{`2: jira.page_size: "8" is not a whole number; remove the quotes to make it a number`}},
		{"not a float", "analysis:\n  overrun_ratio: big\n",
			[]string{`2: analysis.overrun_ratio: "big" is not a number`}},
		{"scalar for a list", "jira:\n  projects: PAY\n",
			[]string{`2: jira.projects: expected a list, got a single value; write [a, b] or one "- item" per line`}},
		{"list for a scalar", "jira:\n  url: [a]\n",
			[]string{"2: jira.url: expected a single value, got a list"}},
		{"scalar for a section", "jira: yes\n",
			[]string{"1: jira: expected a mapping of keys, got a single value"}},
		{"bad duration", "analysis:\n  stale_after: 7 days\n",
			[]string{`2: analysis.stale_after: "7 days" is not a duration; write e.g. 90s, 15m, 36h or 7d`}},
		{"bare number for a duration", "jira:\n  timeout: 30\n",
			[]string{`2: jira.timeout: "30" is not a duration; write e.g. 90s, 15m, 36h or 7d`}},
		{"unterminated reference", "jira:\n  url: https://${HOST\n",
			[]string{`2: jira.url: unterminated reference "${HOST"; write ${NAME} or $NAME (letters, digits, _), or $$ for a literal $`}},
		{"bad reference", "jira:\n  url: ${HOST:-x}\n",
			[]string{`2: jira.url: bad reference "${HOST:-x}"; write ${NAME} or $NAME (letters, digits, _), or $$ for a literal $`}},
		{"two documents", "log: {level: info}\n---\nlog: {level: debug}\n",
			[]string{"2: more than one YAML document; keep only one (remove the ---)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeConfig(t, tt.yaml)
			_, err := Load(path, envMap(map[string]string{"N": "8"}))
			var verr *ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("Load error = %v, want a *ValidationError", err)
			}
			want := make([]string, len(tt.want))
			for i, w := range tt.want {
				want[i] = path + ":" + w
			}
			if got := err.Error(); got != strings.Join(want, "\n") {
				t.Errorf("error =\n%s\nwant\n%s", got, strings.Join(want, "\n"))
			}
		})
	}
}

func TestLoadSyntaxError(t *testing.T) {
	path := writeConfig(t, "jira:\n  url: [unclosed\n")
	_, err := Load(path, nil)
	if err == nil {
		t.Fatal("Load accepted broken YAML")
	}
	for _, want := range []string{path, "line", "fix the YAML syntax"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"), nil)
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Load(missing) error = %v, want os.ErrNotExist", err)
	}
}

func TestLoadAliasesAndMerges(t *testing.T) {
	body := `
slack:
  token: xoxb-x
  routes:
    - &base
      channel: '#a'
      kinds: [blocker]
      digest: $$daily
    - <<: *base
      channel: '#b'
`
	cfg, err := Load(writeConfig(t, body), nil)
	if err != nil {
		t.Fatal(err)
	}
	got := []string{cfg.Slack.Routes[0].Digest, cfg.Slack.Routes[1].Channel, cfg.Slack.Routes[1].Digest}
	want := []string{"$daily", "#b", "$daily"} // expanded once, not twice
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestSecretFiles(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "abs-token"), []byte("abs-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "blank"), []byte(" \n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Run("relative to the config file", func(t *testing.T) {
		// Run from the package directory: the path only resolves against
		// testdata/, the config file's directory.
		cfg, err := Load("testdata/secret_files.yaml", nil)
		if err != nil {
			t.Fatal(err)
		}
		got := []string{cfg.Jira.Token.Value(), cfg.Slack.WebhookURL.Value(), cfg.HTTP.Token.Value()}
		want := []string{"jira-token-from-file", "https://hooks.slack.com/services/T000/B000/hook-from-file", "http-token-from-file"}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("got %q, want %q", got, want)
		}
	})
	t.Run("absolute", func(t *testing.T) {
		cfg, err := Load(writeConfig(t, "slack:\n  token_file: "+filepath.Join(dir, "abs-token")+"\n"), nil)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := cfg.Slack.Token.Value(), "abs-secret"; got != want {
			t.Errorf("slack.token = %q, want %q", got, want)
		}
	})
	errTests := []struct {
		name string
		yaml string
		want string
	}{
		{"value and file", "jira:\n  token: abc\n  token_file: x\n",
			"jira.token_file: set together with jira.token; keep one"},
		{"missing file", "http:\n  token_file: " + filepath.Join(dir, "missing") + "\n",
			"http.token_file: cannot read " + filepath.Join(dir, "missing") + " (no such file or directory); check the path (relative paths start at the config file's directory) and its permissions"},
		{"empty file", "slack:\n  webhook_url_file: " + filepath.Join(dir, "blank") + "\n",
			"slack.webhook_url_file: " + filepath.Join(dir, "blank") + " is empty; put the secret in it"},
	}
	for _, tt := range errTests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeConfig(t, tt.yaml)
			_, err := Load(path, nil)
			var verr *ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("Load error = %v, want a *ValidationError", err)
			}
			if got, want := err.Error(), path+": "+tt.want; got != want {
				t.Errorf("error =\n%s\nwant\n%s", got, want)
			}
		})
	}
	t.Run("every problem at once", func(t *testing.T) {
		_, err := Load(writeConfig(t, "jira: {token: a, token_file: b}\nslack: {token: c, token_file: d}\n"), nil)
		var verr *ValidationError
		if !errors.As(err, &verr) || len(verr.Problems) != 2 {
			t.Fatalf("Load error = %v, want two problems", err)
		}
	})
}

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"15m", 15 * time.Minute, true},
		{"1h30m", 90 * time.Minute, true},
		{"7d", 168 * time.Hour, true},
		{"12w", 2016 * time.Hour, true},
		{"0d", 0, true},
		{"-1d", -24 * time.Hour, true},
		{"1.5d", 0, false},
		{"d", 0, false},
		{"7 days", 0, false},
		{"30", 0, false},
		{"999999999999d", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseDuration(tt.in)
			if (err == nil) != tt.ok || got != tt.want {
				t.Errorf("ParseDuration(%q) = %v, %v; want %v, ok %v", tt.in, got, err, tt.want, tt.ok)
			}
		})
	}
}

// zeroMeaningful are the settings where 0 is a choice, not "unset".
var zeroMeaningful = map[string]bool{"jira.max_retries": true, "jira.overlap": true}

func TestZeroRetriesAndOverlapAreKept(t *testing.T) {
	got, err := Load(writeConfig(t, "jira:\n  max_retries: 0\n  overlap: 0s\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.Jira.MaxRetries != 0 || got.Jira.Overlap != 0 {
		t.Errorf("max_retries %d, overlap %v; want both 0 as written", got.Jira.MaxRetries, got.Jira.Overlap)
	}
	got, err = Load(writeConfig(t, "jira:\n  concurrency: 2\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if d := Default(); got.Jira.MaxRetries != d.Jira.MaxRetries || got.Jira.Overlap != d.Jira.Overlap {
		t.Errorf("absent keys: max_retries %d, overlap %v; want the defaults", got.Jira.MaxRetries, got.Jira.Overlap)
	}
}
