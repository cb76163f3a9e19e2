package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// Secret values used below; none may appear in any output.
const (
	jiraSecret    = "jira-s3cret-value"
	slackSecret   = "xoxb-slack-s3cret"
	webhookSecret = "https://hooks.slack.com/services/T0/B0/webhook-s3cret"
	httpSecret    = "http-s3cret-value"
)

var allSecrets = []string{jiraSecret, slackSecret, "webhook-s3cret", httpSecret}

// secretConfig loads a config whose every secret is set, one of them
// through the environment.
func secretConfig(t *testing.T) *Config {
	t.Helper()
	body := "jira:\n  url: https://example.atlassian.net\n  token: ${TOKEN}\n  projects: [PAY]\n" +
		"slack:\n  token: " + slackSecret + "\n  webhook_url: " + webhookSecret + "\n  routes: [{channel: '#a'}]\n"
	cfg, err := Load(writeConfig(t, body), envMap(map[string]string{"TOKEN": jiraSecret, EnvHTTPToken: httpSecret}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Jira.Token.Value() != jiraSecret || cfg.Slack.Token.Value() != slackSecret ||
		cfg.Slack.WebhookURL.Value() != webhookSecret || cfg.HTTP.Token.Value() != httpSecret {
		t.Fatal("secrets did not load; the test would prove nothing")
	}
	return cfg
}

func assertNoSecret(t *testing.T, what, out string) {
	t.Helper()
	for _, s := range allSecrets {
		if strings.Contains(out, s) {
			t.Errorf("%s leaks a secret %q:\n%s", what, s, out)
		}
	}
	if !strings.Contains(out, "[redacted]") && !strings.Contains(out, `"token":true`) && !strings.Contains(out, "token=true") {
		t.Errorf("%s shows no sign of the secrets at all, so it proves nothing:\n%s", what, out)
	}
}

func TestSecretsNeverPrint(t *testing.T) {
	cfg := secretConfig(t)
	slogText := func(args ...any) string {
		var buf bytes.Buffer
		slog.New(slog.NewTextHandler(&buf, nil)).Info("config", args...)
		return buf.String()
	}
	slogJSON := func(args ...any) string {
		var buf bytes.Buffer
		slog.New(slog.NewJSONHandler(&buf, nil)).Info("config", args...)
		return buf.String()
	}
	jsonOf := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	yamlOf := func(v any) string {
		b, err := yaml.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	tests := []struct {
		name string
		out  string
	}{
		{"fmt config", fmt.Sprintf("%v %+v %#v", *cfg, *cfg, *cfg)},
		{"fmt pointer", fmt.Sprintf("%v %+v %#v", cfg, cfg, cfg)},
		{"fmt sections", fmt.Sprintf("%v %+v %#v %v %+v %#v", cfg.Jira, cfg.Jira, cfg.Jira, cfg.Slack, cfg.Slack, cfg.HTTP)},
		{"fmt secret verbs", fmt.Sprintf("%v %s %q %x %X %10s %#v", cfg.Jira.Token, cfg.Jira.Token, cfg.Jira.Token, cfg.Jira.Token, cfg.Jira.Token, cfg.Jira.Token, cfg.Jira.Token)},
		{"fmt error wrapping", fmt.Errorf("sync: %v", cfg.Slack.WebhookURL).Error()},
		{"slog text config", slogText("cfg", cfg, "value", *cfg)},
		{"slog json config", slogJSON("cfg", cfg, "value", *cfg)},
		{"slog text sections", slogText("jira", cfg.Jira, "slack", cfg.Slack, "http", &cfg.HTTP, "token", cfg.Jira.Token)},
		{"slog json sections", slogJSON("jira", cfg.Jira, "slack", cfg.Slack, "http", &cfg.HTTP, "token", cfg.Jira.Token)},
		{"json", jsonOf(cfg)},
		{"yaml", yamlOf(cfg)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertNoSecret(t, tt.name, tt.out)
		})
	}
}

func TestSecretsNotInErrors(t *testing.T) {
	t.Run("validate", func(t *testing.T) {
		cfg := secretConfig(t)
		cfg.Slack.WebhookURL = "not a url webhook-s3cret"
		cfg.Jira.URL = "https://bob:" + jiraSecret + "@example.atlassian.net"
		err := cfg.Validate()
		if err == nil {
			t.Fatal("Validate accepted a bad config")
		}
		for _, want := range []string{"slack.webhook_url:", "slack.token:", "jira.url:"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("Validate() does not report %s:\n%v", want, err)
			}
		}
		for _, s := range allSecrets {
			if strings.Contains(err.Error(), s) {
				t.Errorf("Validate() leaks %q:\n%v", s, err)
			}
		}
	})
	t.Run("load", func(t *testing.T) {
		body := "jira:\n  token: [" + jiraSecret + "]\nhttp:\n  token: {x: " + httpSecret + "}\n"
		_, err := Load(writeConfig(t, body), nil)
		var verr *ValidationError
		if !errors.As(err, &verr) || len(verr.Problems) != 2 {
			t.Fatalf("Load() = %v, want two problems", err)
		}
		for _, s := range allSecrets {
			if strings.Contains(err.Error(), s) {
				t.Errorf("Load() leaks %q:\n%v", s, err)
			}
		}
	})
}

func TestEmptySecretPrintsEmpty(t *testing.T) {
	var s Secret
	if got := fmt.Sprint(s); got != "" {
		t.Errorf("fmt.Sprint(empty Secret) = %q, want \"\"", got)
	}
	if got := Secret("x").String(); got != "[redacted]" {
		t.Errorf("Secret.String() = %q, want [redacted]", got)
	}
}
