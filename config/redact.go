package config

import (
	"encoding/base64"
	"encoding/json"
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

// LogValue summarises the configuration for logs: where Radar reads, writes
// and listens, and whether each secret is set, never the secrets themselves.
func (c Config) LogValue() slog.Value {
	routes := make([]string, len(c.Slack.Routes))
	for i, r := range c.Slack.Routes {
		routes[i] = r.Channel
	}
	return slog.GroupValue(
		slog.Group("jira",
			slog.String("url", RedactURL(c.Jira.URL)),
			slog.String("flavor", c.Jira.Flavor),
			slog.Any("projects", c.Jira.Projects),
			slog.String("auth", c.Jira.AuthMode()),
			slog.Int("concurrency", c.Jira.Concurrency),
			slog.Float64("requests_per_second", c.Jira.RequestsPerSecond),
		),
		slog.String("store", c.Store.Path),
		slog.Group("slack",
			slog.String("mode", c.Slack.mode()),
			slog.Any("routes", routes),
		),
		slog.String("schedule", c.Schedule.Sync),
		slog.Group("http",
			slog.String("listen", c.HTTP.Listen),
			slog.Bool("token", c.HTTP.Token != ""),
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
