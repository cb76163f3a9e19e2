package config

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"sort"
	"strings"
)

const redacted = "[redacted]"

// LogValue redacts the secret in slog output.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalYAML redacts the secret.
func (s Secret) MarshalYAML() (any, error) { return s.String(), nil }

// MarshalJSON redacts the secret.
func (s Secret) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// MarshalText redacts the secret wherever text encoding is used (map keys,
// encoders that prefer TextMarshaler).
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// LogValue is the effective configuration for logs, every setting after
// files, environment and defaults: secrets only as set or not, URLs without
// passwords, never the secrets themselves. radar serve logs it at start.
func (c Config) LogValue() slog.Value {
	routes := make([]string, len(c.Slack.Routes))
	for i, r := range c.Slack.Routes {
		routes[i] = fmt.Sprintf("%s audience=%s min_severity=%s projects=%v kinds=%v digest=%q report=%q",
			r.Channel, r.Audience, r.MinSeverity, r.Projects, r.Kinds, r.Digest, r.Report)
	}
	deps := make([]string, len(c.Jira.Dependencies))
	for i, d := range c.Jira.Dependencies {
		deps[i] = d.Link + " (" + d.Outward + ")"
	}
	return slog.GroupValue(
		slog.Group("jira",
			slog.String("url", RedactURL(c.Jira.URL)),
			slog.String("flavor", c.Jira.Flavor),
			slog.Any("projects", c.Jira.Projects),
			slog.String("jql", c.Jira.JQL),
			slog.Any("dependencies", deps),
			slog.String("auth", c.Jira.AuthMode()),
			slog.Any("fields", c.Jira.Fields),
			slog.Int("concurrency", c.Jira.Concurrency),
			slog.Float64("requests_per_second", c.Jira.RequestsPerSecond),
			slog.Int("page_size", c.Jira.PageSize),
			slog.Duration("timeout", c.Jira.Timeout),
			slog.Int("max_retries", c.Jira.MaxRetries),
			slog.Duration("max_retry_after", c.Jira.MaxRetryAfter),
			slog.Duration("overlap", c.Jira.Overlap),
			slog.Duration("reconcile_every", c.Jira.ReconcileEvery),
			slog.Int("partition_size", c.Jira.PartitionSize),
		),
		slog.String("store", c.Store.Path),
		slog.Group("analysis",
			slog.Duration("stale_after", c.Analysis.StaleAfter),
			slog.Duration("abandoned_after", c.Analysis.AbandonedAfter),
			slog.Duration("reopened_window", c.Analysis.ReopenedWindow),
			slog.Int("wip_limit", c.Analysis.WIPLimit),
			slog.Float64("overrun_ratio", c.Analysis.OverrunRatio),
			slog.Int("trials", c.Analysis.Trials),
			slog.Int64("seed", c.Analysis.Seed),
			slog.Duration("history", c.Analysis.History),
		),
		slog.Group("slack",
			slog.String("mode", c.Slack.mode()),
			slog.String("api_url", RedactURL(c.Slack.APIURL)),
			slog.Int("max_individual", c.Slack.MaxIndividual),
			slog.Bool("signing_secret", c.Slack.SigningSecret != ""),
			slog.Duration("ack_reminder", c.Slack.AckReminder),
			slog.Any("routes", routes),
		),
		slog.String("schedule", c.Schedule.Sync),
		slog.Group("http",
			slog.String("listen", c.HTTP.Listen),
			slog.Bool("token", c.HTTP.Token != ""),
			slog.Duration("ready_max_age", c.HTTP.ReadyMaxAge),
			slog.String("public_url", RedactURL(c.HTTP.PublicURL)),
		),
		slog.Group("log",
			slog.String("format", c.Log.Format),
			slog.String("level", c.Log.Level),
		),
	)
}

// mode says how Slack messages go out: "token", "webhook" or "off".
func (s Slack) mode() string {
	switch {
	case s.Token != "":
		return "token"
	case s.WebhookURL != "":
		return "webhook"
	}
	return "off"
}

// RedactURL hides any password in a URL; unparseable URLs are hidden whole.
func RedactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return redacted
	}
	return u.Redacted()
}

// RedactSecrets returns text with each secret replaced by [redacted] in
// every form it travels in: as is, URL-escaped, and base64-encoded (with or
// without padding, standard or URL alphabet), so that an "email:token" pair
// also hides its Basic Authorization header. Use it on text that comes back
// from a server, which may repeat the request's credentials (a broken proxy,
// a debug page). Secrets shorter than 4 bytes are ignored: replacing them
// would garble ordinary text.
func RedactSecrets(text string, secrets ...string) string {
	var forms []string
	seen := map[string]bool{}
	add := func(f string) {
		if len(f) >= 4 && !seen[f] {
			seen[f] = true
			forms = append(forms, f)
		}
	}
	for _, s := range secrets {
		if len(s) < 4 {
			continue
		}
		add(s)
		add(url.QueryEscape(s))
		add(url.PathEscape(s))
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding} {
			add(enc.EncodeToString([]byte(s)))
			add(strings.TrimRight(enc.EncodeToString([]byte(s)), "="))
		}
	}
	if len(forms) == 0 {
		return text
	}
	// Longest first: a padded encoding before its unpadded prefix.
	sort.SliceStable(forms, func(i, j int) bool { return len(forms[i]) > len(forms[j]) })
	pairs := make([]string, 0, 2*len(forms))
	for _, f := range forms {
		pairs = append(pairs, f, redacted)
	}
	return strings.NewReplacer(pairs...).Replace(text)
}
