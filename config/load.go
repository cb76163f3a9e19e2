package config

import (
	"bytes"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/radarhq/radar/analysis"
)

// Environment variables that fill settings the YAML leaves empty.
const (
	EnvJiraURL         = "RADAR_JIRA_URL"
	EnvJiraEmail       = "RADAR_JIRA_EMAIL"
	EnvJiraToken       = "RADAR_JIRA_TOKEN"
	EnvSlackToken      = "RADAR_SLACK_TOKEN"
	EnvSlackWebhookURL = "RADAR_SLACK_WEBHOOK_URL"
	EnvHTTPToken       = "RADAR_HTTP_TOKEN"
	// EnvSlackSigningSecret fills slack.signing_secret.
	EnvSlackSigningSecret = "RADAR_SLACK_SIGNING_SECRET"
)

// Load reads the YAML file at path, or starts from defaults alone when path
// is empty. In order it:
//
//  1. decodes the file strictly: unknown or duplicate keys, values of the
//     wrong type and bad durations are errors naming the key and line;
//     ${NAME} and $NAME in values expand through getenv ($$ is a literal $);
//  2. reads the *_file secrets (jira.token_file, slack.token_file,
//     slack.webhook_url_file, slack.signing_secret_file, http.token_file), trimming whitespace; a path
//     is relative to the config file's directory; setting a secret and its
//     file together is an error;
//  3. fills settings still empty from RADAR_JIRA_URL, RADAR_JIRA_EMAIL,
//     RADAR_JIRA_TOKEN, RADAR_SLACK_TOKEN, RADAR_SLACK_WEBHOOK_URL,
//     RADAR_SLACK_SIGNING_SECRET and RADAR_HTTP_TOKEN;
//  4. applies Default() to every field left at its zero value;
//  5. makes a relative store.path (the default ./radar.db too) relative to
//     the config file's directory, as the *_file paths are, so the database
//     does not depend on where Radar was started from. With no config file
//     it stays relative to the working directory.
//
// Problems in steps 1 and 2 come back together as a *ValidationError.
// Load does not call Validate: callers fill in what they fill in (the demo
// points jira.url at its simulator) and then call Validate themselves.
// A nil getenv reads no environment.
//
// Load drops the warnings LoadWithWarnings reports; programs that can tell
// the user should call LoadWithWarnings.
func Load(path string, getenv func(string) string) (*Config, error) {
	cfg, _, err := LoadWithWarnings(path, getenv)
	return cfg, err
}

// A Warning is something Load accepted that the user should still fix.
type Warning struct {
	Key     string      // the setting concerned, when not a file's mode
	Path    string      // the file concerned
	Mode    fs.FileMode // its permission bits
	Message string      // what is wrong and what to do, naming Path
}

func (w Warning) String() string { return w.Message }

// LoadWithWarnings is Load, also reporting files that hold secrets and
// that users other than the owner can open: the config file when it holds a
// secret itself (not through ${ENV}), and every *_file secret; and a Jira
// token that would go over plain http:// to another host. Modes are not
// checked on Windows, where they do not describe access.
func LoadWithWarnings(path string, getenv func(string) string) (*Config, []Warning, error) {
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	var cfg Config
	// Zero is a meaningful setting for these two (no retries, no overlap):
	// mark them unset so only an absent key takes the default.
	cfg.Jira.MaxRetries, cfg.Jira.Overlap = unsetInt, unsetDuration
	dir := ""
	var warnings []Warning
	if path != "" {
		body, err := os.ReadFile(path)
		if err != nil {
			return nil, nil, fmt.Errorf("load config: %w; check the --config path", err)
		}
		if err := decode(body, path, getenv, &cfg); err != nil {
			return nil, nil, err
		}
		dir = filepath.Dir(path)
		if keys := inlineSecrets(&cfg, body); len(keys) > 0 {
			warnings = append(warnings, openToOthers(path, "holds "+strings.Join(keys, ", ")+" itself")...)
		}
	}
	files, problems := readSecretFiles(&cfg, dir)
	if len(problems) > 0 {
		return nil, nil, &ValidationError{File: path, Problems: problems}
	}
	for _, f := range files {
		warnings = append(warnings, openToOthers(f.path, "holds "+f.key)...)
	}
	applyEnv(&cfg, getenv)
	applyDefaults(&cfg)
	if dir != "" && !filepath.IsAbs(cfg.Store.Path) {
		cfg.Store.Path = filepath.Join(dir, cfg.Store.Path)
	}
	warnings = append(warnings, plainHTTPToken(&cfg)...)
	return &cfg, warnings, nil
}

// plainHTTPToken warns when the Jira token would cross the network
// unencrypted: a plain http:// jira.url to a host other than this one.
func plainHTTPToken(c *Config) []Warning {
	u, err := url.Parse(c.Jira.URL)
	if err != nil || !strings.EqualFold(u.Scheme, "http") || c.Jira.Token == "" {
		return nil
	}
	host := u.Hostname()
	if ip := net.ParseIP(host); host == "localhost" || (ip != nil && ip.IsLoopback()) {
		return nil
	}
	return []Warning{{Key: "jira.url", Message: fmt.Sprintf(
		"jira.url %s is plain http://, so the Jira token crosses the network unencrypted where anyone on the path can read it; use https://", RedactURL(c.Jira.URL))}}
}

// inlineSecrets names the secrets the config file spells out itself: set,
// and found verbatim in the file (a ${NAME} reference is not the secret).
func inlineSecrets(c *Config, body []byte) []string {
	var keys []string
	for _, s := range []struct {
		key string
		v   Secret
	}{
		{"jira.token", c.Jira.Token},
		{"slack.token", c.Slack.Token},
		{"slack.webhook_url", c.Slack.WebhookURL},
		{"http.token", c.HTTP.Token},
		{"slack.signing_secret", c.Slack.SigningSecret},
	} {
		if s.v != "" && bytes.Contains(body, []byte(s.v.Value())) {
			keys = append(keys, s.key)
		}
	}
	return keys
}

// openToOthers warns when the file at path, which holds what, can be opened
// by its group or by others.
func openToOthers(path, what string) []Warning {
	if runtime.GOOS == "windows" {
		return nil
	}
	info, err := os.Stat(path)
	if err != nil {
		return nil // it was just read; a race is not worth a warning
	}
	mode := info.Mode().Perm()
	if mode&0o077 == 0 {
		return nil
	}
	return []Warning{{Path: path, Mode: mode, Message: fmt.Sprintf(
		"%s %s and other users can open it (mode %04o); run chmod 600 %s", path, what, mode, path)}}
}

// Default returns the configuration with every default applied. It has no
// Jira URL, token or projects: those have no sensible default.
func Default() Config {
	return Config{
		Jira: Jira{
			Flavor:            "auto",
			Dependencies:      []Dependency{{Link: "Blocks", Outward: OutwardBlocks}},
			Concurrency:       0, // automatic: 16 on Cloud, 4 on Data Center
			RequestsPerSecond: 0, // automatic: Jira's own signals, 100/s on Cloud, 20/s on Data Center
			PageSize:          100,
			Timeout:           30 * time.Second,
			MaxRetries:        6,
			MaxRetryAfter:     5 * time.Minute,
			Overlap:           5 * time.Minute,
			ReconcileEvery:    time.Hour,
			PartitionSize:     5000,
		},
		Store: Store{Path: "./radar.db"},
		// The analysis engine owns its defaults; the file's are the same.
		Analysis: Analysis{
			StaleAfter:     analysis.DefaultStaleAfter,
			AbandonedAfter: analysis.DefaultAbandonedAfter,
			ReopenedWindow: analysis.DefaultReopenedWindow,
			WIPLimit:       analysis.DefaultWIPLimit,
			OverrunRatio:   analysis.DefaultOverrunRatio,
			Trials:         analysis.DefaultTrials,
			Seed:           analysis.DefaultSeed,
			History:        analysis.DefaultHistory,
		},
		Slack:    Slack{APIURL: "https://slack.com/api/", MaxIndividual: 10, AckReminder: 7 * 24 * time.Hour},
		Schedule: Schedule{Sync: "@every 15m"},
		HTTP:     HTTP{Listen: "127.0.0.1:9317", ReadyMaxAge: time.Hour},
		Log:      Log{Format: "text", Level: "info"},
	}
}

// Route defaults, applied to each route.
const (
	DefaultMinSeverity = "warning"
	DefaultAudience    = "team"
)

// Markers for settings whose zero value is meaningful: set before decoding,
// replaced by the default when the file leaves them alone.
const (
	unsetInt      = -1
	unsetDuration = time.Duration(-1)
)

// applyDefaults sets every zero field to its default.
func applyDefaults(c *Config) {
	d := Default()
	orDefault(&c.Jira.Flavor, d.Jira.Flavor)
	if len(c.Jira.Dependencies) == 0 {
		c.Jira.Dependencies = d.Jira.Dependencies
	}
	orDefault(&c.Jira.Concurrency, d.Jira.Concurrency)
	orDefault(&c.Jira.RequestsPerSecond, d.Jira.RequestsPerSecond)
	orDefault(&c.Jira.PageSize, d.Jira.PageSize)
	orDefault(&c.Jira.Timeout, d.Jira.Timeout)
	orDefault(&c.Jira.MaxRetryAfter, d.Jira.MaxRetryAfter)
	if c.Jira.MaxRetries == unsetInt {
		c.Jira.MaxRetries = d.Jira.MaxRetries
	}
	if c.Jira.Overlap == unsetDuration {
		c.Jira.Overlap = d.Jira.Overlap
	}
	orDefault(&c.Jira.ReconcileEvery, d.Jira.ReconcileEvery)
	orDefault(&c.Jira.PartitionSize, d.Jira.PartitionSize)

	orDefault(&c.Store.Path, d.Store.Path)

	orDefault(&c.Analysis.StaleAfter, d.Analysis.StaleAfter)
	orDefault(&c.Analysis.AbandonedAfter, d.Analysis.AbandonedAfter)
	orDefault(&c.Analysis.ReopenedWindow, d.Analysis.ReopenedWindow)
	orDefault(&c.Analysis.WIPLimit, d.Analysis.WIPLimit)
	orDefault(&c.Analysis.OverrunRatio, d.Analysis.OverrunRatio)
	orDefault(&c.Analysis.Trials, d.Analysis.Trials)
	orDefault(&c.Analysis.Seed, d.Analysis.Seed)
	orDefault(&c.Analysis.History, d.Analysis.History)

	orDefault(&c.Slack.APIURL, d.Slack.APIURL)
	if !strings.HasSuffix(c.Slack.APIURL, "/") {
		c.Slack.APIURL += "/" // slack-go wants the trailing slash
	}
	orDefault(&c.Slack.MaxIndividual, d.Slack.MaxIndividual)
	orDefault(&c.Slack.AckReminder, d.Slack.AckReminder)
	for i := range c.Slack.Routes {
		orDefault(&c.Slack.Routes[i].MinSeverity, DefaultMinSeverity)
		orDefault(&c.Slack.Routes[i].Audience, DefaultAudience)
	}

	orDefault(&c.Schedule.Sync, d.Schedule.Sync)

	orDefault(&c.HTTP.Listen, d.HTTP.Listen)
	if c.HTTP.ReadyMaxAge == 0 {
		// Ready means "synced recently" relative to the schedule.
		c.HTTP.ReadyMaxAge = d.HTTP.ReadyMaxAge
		if gap, ok := longestGap(c.Schedule.Sync); ok && 3*gap > c.HTTP.ReadyMaxAge {
			c.HTTP.ReadyMaxAge = 3 * gap
		}
	}

	orDefault(&c.Log.Format, d.Log.Format)
	orDefault(&c.Log.Level, d.Log.Level)
}

func orDefault[T comparable](p *T, def T) {
	var zero T
	if *p == zero {
		*p = def
	}
}

// applyEnv fills empty connection settings and secrets from the environment.
func applyEnv(c *Config, getenv func(string) string) {
	for _, e := range []struct {
		dst *string
		env string
	}{
		{&c.Jira.URL, EnvJiraURL},
		{&c.Jira.Email, EnvJiraEmail},
		{(*string)(&c.Jira.Token), EnvJiraToken},
		{(*string)(&c.Slack.Token), EnvSlackToken},
		{(*string)(&c.Slack.WebhookURL), EnvSlackWebhookURL},
		{(*string)(&c.HTTP.Token), EnvHTTPToken},
		{(*string)(&c.Slack.SigningSecret), EnvSlackSigningSecret},
	} {
		if *e.dst == "" {
			*e.dst = strings.TrimSpace(getenv(e.env))
		}
	}
}

// secretFile is a *_file setting read into its secret.
type secretFile struct {
	key, path string // key names the secret, path is the file as opened
}

// readSecretFiles reads each *_file setting into its secret. Relative paths
// are relative to dir, the config file's directory. It returns the files it
// read.
func readSecretFiles(c *Config, dir string) ([]secretFile, []Problem) {
	var problems []Problem
	var files []secretFile
	for _, s := range []struct {
		key, fileKey string
		value        *Secret
		file         string
	}{
		{"jira.token", "jira.token_file", &c.Jira.Token, c.Jira.TokenFile},
		{"slack.token", "slack.token_file", &c.Slack.Token, c.Slack.TokenFile},
		{"slack.webhook_url", "slack.webhook_url_file", &c.Slack.WebhookURL, c.Slack.WebhookURLFile},
		{"http.token", "http.token_file", &c.HTTP.Token, c.HTTP.TokenFile},
		{"slack.signing_secret", "slack.signing_secret_file", &c.Slack.SigningSecret, c.Slack.SigningSecretFile},
	} {
		if s.file == "" {
			continue
		}
		if *s.value != "" {
			problems = append(problems, Problem{Path: s.fileKey, Message: fmt.Sprintf("set together with %s; keep one", s.key)})
			continue
		}
		path := s.file
		if !filepath.IsAbs(path) && dir != "" {
			path = filepath.Join(dir, path)
		}
		body, err := os.ReadFile(path)
		if err != nil {
			problems = append(problems, Problem{Path: s.fileKey, Message: fmt.Sprintf("cannot read %s (%v); check the path (relative paths start at the config file's directory) and its permissions", path, unwrapPathError(err))})
			continue
		}
		v := strings.TrimSpace(string(body))
		if v == "" {
			problems = append(problems, Problem{Path: s.fileKey, Message: fmt.Sprintf("%s is empty; put the secret in it", path)})
			continue
		}
		*s.value = Secret(v)
		files = append(files, secretFile{key: s.key, path: path})
	}
	return files, problems
}

// unwrapPathError drops the op and path an *os.PathError repeats.
func unwrapPathError(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}
