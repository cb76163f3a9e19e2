package config

import (
	"encoding/json"
	"log/slog"
	"net/url"
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
			slog.String("url", redactURL(c.Jira.URL)),
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

// redactURL hides any password in a URL; unparseable URLs are hidden whole.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return redacted
	}
	return u.Redacted()
}
