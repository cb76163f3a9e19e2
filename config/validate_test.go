package config

import (
	"errors"
	"flag"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/radarhq/radar"
)

var update = flag.Bool("update", false, "rewrite golden files")

// valid returns a configuration that passes Validate.
func valid() Config {
	c := Default()
	c.Jira.URL = "https://example.atlassian.net"
	c.Jira.Token = "tok"
	c.Jira.Projects = []string{"PAY", "OPS"}
	return c
}

func TestValidateAcceptsValid(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*Config)
	}{
		{"minimal", func(c *Config) {}},
		{"data center url with context path", func(c *Config) { c.Jira.URL = "http://jira.internal:8080/jira" }},
		{"slack by webhook", func(c *Config) {
			c.Slack.WebhookURL = "https://hooks.slack.com/services/T/B/x"
			c.Slack.Routes = []Route{{Channel: "#a", MinSeverity: "warning", Audience: "team"}}
		}},
		{"slack by token with every kind and a digest", func(c *Config) {
			c.Slack.Token = "xoxb-1"
			c.Slack.Routes = []Route{{Channel: "C012", Projects: []string{"PAY"}, Kinds: []string{"blocker", "effort_overrun"}, MinSeverity: "info", Audience: "exec", Digest: "@daily"}}
		}},
		{"webhook route without channel", func(c *Config) {
			c.Slack.WebhookURL = "https://hooks.slack.com/services/T/B/x"
			c.Slack.Routes = []Route{{MinSeverity: "critical", Audience: "exec"}}
		}},
		{"slack token without routes", func(c *Config) { c.Slack.Token = "xoxb-1" }},
		{"one channel, both audiences", func(c *Config) {
			c.Slack.Token = "xoxb-1"
			c.Slack.Routes = []Route{{Channel: "#pay", MinSeverity: "warning", Audience: "team"}, {Channel: "#pay", MinSeverity: "critical", Audience: "exec"}}
		}},
		{"cron with time zone", func(c *Config) {
			c.Schedule.Sync = "CRON_TZ=Europe/Berlin 0 * * * *"
			c.HTTP.ReadyMaxAge = 3 * time.Hour
		}},
		{"listen on any interface", func(c *Config) { c.HTTP.Listen = ":0" }},
		{"log level in capitals", func(c *Config) { c.Log.Level = "WARN" }},
		{"depends on", func(c *Config) {
			c.Jira.Dependencies = append(c.Jira.Dependencies, Dependency{Link: "Dependency", Outward: OutwardDependsOn})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := valid()
			tt.modify(&c)
			if err := c.Validate(); err != nil {
				t.Errorf("Validate() = %v, want nil", err)
			}
		})
	}
}

func TestValidateMessages(t *testing.T) {
	route := func(r Route) func(*Config) {
		return func(c *Config) {
			c.Slack.Token = "xoxb-1"
			if r.MinSeverity == "" {
				r.MinSeverity = "warning"
			}
			if r.Audience == "" {
				r.Audience = "team"
			}
			c.Slack.Routes = []Route{{Channel: "#ok", MinSeverity: "warning", Audience: "team"}, {Channel: "#ok2", MinSeverity: "warning", Audience: "team"}, r}
		}
	}
	tests := []struct {
		name   string
		modify func(*Config)
		want   string
	}{
		{"jira url unset", func(c *Config) { c.Jira.URL = "" },
			"jira.url: not set; set jira.url to your site, e.g. https://example.atlassian.net"},
		{"jira url without scheme", func(c *Config) { c.Jira.URL = "example.atlassian.net" },
			`jira.url: "example.atlassian.net" is not an http(s) URL; set jira.url to your site, e.g. https://example.atlassian.net`},
		{"jira url with credentials", func(c *Config) { c.Jira.URL = "https://bob:hunter2@example.atlassian.net" },
			"jira.url: contains credentials; remove them from the URL"},
		{"jira token unset", func(c *Config) { c.Jira.Token = "" },
			"jira.token: not set; export RADAR_JIRA_TOKEN or set jira.token_file"},
		{"flavor", func(c *Config) { c.Jira.Flavor = "foo" },
			`jira.flavor: "foo" is not one of auto, cloud, datacenter`},
		{"no projects", func(c *Config) { c.Jira.Projects = nil },
			"jira.projects: empty; list at least one project key"},
		{"bad project key", func(c *Config) { c.Jira.Projects = []string{"PAY", "pay-x"} },
			`jira.projects[1]: "pay-x" is not a project key (uppercase letters, digits, _)`},
		{"project key starting with a digit", func(c *Config) { c.Jira.Projects = []string{"1PAY"} },
			`jira.projects[0]: "1PAY" is not a project key (uppercase letters, digits, _)`},
		{"duplicate project", func(c *Config) { c.Jira.Projects = []string{"PAY", "OPS", "PAY"} },
			`jira.projects[2]: "PAY" is listed twice; remove one`},
		{"jql with order by", func(c *Config) { c.Jira.JQL = "labels = x order  by rank" },
			"jira.jql: contains ORDER BY; remove it, Radar orders its searches itself"},
		{"no dependencies", func(c *Config) { c.Jira.Dependencies = nil },
			"jira.dependencies: empty; list at least one link type, e.g. {link: Blocks, outward: blocks}"},
		{"dependency outward", func(c *Config) { c.Jira.Dependencies = []Dependency{{Link: "Blocks", Outward: "is blocked by"}} },
			`jira.dependencies[0].outward: must be "blocks" or "depends on"`},
		{"dependency link", func(c *Config) {
			c.Jira.Dependencies = []Dependency{{Link: "Blocks", Outward: "blocks"}, {Outward: "blocks"}}
		}, "jira.dependencies[1].link: not set; name a Jira link type, e.g. Blocks"},
		{"dependency twice", func(c *Config) {
			c.Jira.Dependencies = []Dependency{{Link: "Blocks", Outward: "blocks"}, {Link: "blocks", Outward: "blocks"}}
		}, `jira.dependencies[1].link: "blocks" is listed twice; remove one`},
		{"field id", func(c *Config) { c.Jira.Fields.StoryPoints = "Story Points" },
			`jira.fields.story_points: "Story Points" is not a field id; use the id from GET /rest/api/2/field, e.g. customfield_10016`},
		{"concurrency low", func(c *Config) { c.Jira.Concurrency = -1 },
			"jira.concurrency: -1 is out of range; use 0 (automatic, the default) or 1 to 32"},
		{"concurrency high", func(c *Config) { c.Jira.Concurrency = 33 },
			"jira.concurrency: 33 is out of range; use 0 (automatic, the default) or 1 to 32"},
		{"requests per second", func(c *Config) { c.Jira.RequestsPerSecond = -1 },
			"jira.requests_per_second: -1 is out of range; use 0 (automatic, the default) or more, at most 1000"},
		{"page size low", func(c *Config) { c.Jira.PageSize = 0 },
			"jira.page_size: 0 is out of range; use 1 to 1000 (default 100)"},
		{"page size high", func(c *Config) { c.Jira.PageSize = 1001 },
			"jira.page_size: 1001 is out of range; use 1 to 1000 (default 100)"},
		{"timeout", func(c *Config) { c.Jira.Timeout = time.Hour },
			"jira.timeout: 1h is out of range; use 1s to 10m (default 30s)"},
		{"max retries", func(c *Config) { c.Jira.MaxRetries = -1 },
			"jira.max_retries: -1 is out of range; use 0 to 20 (default 6)"},
		{"overlap", func(c *Config) { c.Jira.Overlap = -time.Minute },
			"jira.overlap: -1m is out of range; use 0s to 1d (default 5m)"},
		{"reconcile every", func(c *Config) { c.Jira.ReconcileEvery = time.Second },
			"jira.reconcile_every: 1s is out of range; use at least 1m (default 1h)"},
		{"partition size", func(c *Config) { c.Jira.PartitionSize = 99 },
			"jira.partition_size: 99 is out of range; use 100 to 1000000 (default 5000)"},
		{"store path", func(c *Config) { c.Store.Path = "" },
			"store.path: not set; set store.path to the SQLite file, e.g. ./radar.db"},
		{"stale after", func(c *Config) { c.Analysis.StaleAfter = time.Minute },
			"analysis.stale_after: 1m is out of range; use at least 1h (default 7d)"},
		{"abandoned after", func(c *Config) { c.Analysis.AbandonedAfter = 24 * time.Hour },
			"analysis.abandoned_after: 1d is out of range; use at least 7d (default 180d)"},
		{"abandoned before stale", func(c *Config) {
			c.Analysis.StaleAfter = 30 * 24 * time.Hour
			c.Analysis.AbandonedAfter = 14 * 24 * time.Hour
		},
			"analysis.abandoned_after: 14d is not longer than analysis.stale_after (30d); set it longer, e.g. 180d, so stalled work is stale before it is abandoned"},
		{"reopened window", func(c *Config) { c.Analysis.ReopenedWindow = time.Hour },
			"analysis.reopened_window: 1h is out of range; use at least 1d (default 30d)"},
		{"wip limit", func(c *Config) { c.Analysis.WIPLimit = 0 },
			"analysis.wip_limit: 0 is too small; use 1 or more (default 3)"},
		{"overrun ratio", func(c *Config) { c.Analysis.OverrunRatio = 1 },
			"analysis.overrun_ratio: 1 must be greater than 1 (1.5 flags work that took 50% longer than estimated)"},
		{"trials", func(c *Config) { c.Analysis.Trials = 999 },
			"analysis.trials: 999 is out of range; use 1000 to 1000000 (default 2000)"},
		{"history", func(c *Config) { c.Analysis.History = 6 * 24 * time.Hour },
			"analysis.history: 6d is out of range; use at least 7d (default 84d)"},
		{"token and webhook", func(c *Config) { c.Slack.Token = "xoxb-1"; c.Slack.WebhookURL = "https://hooks.slack.com/x" },
			"slack.token: set together with slack.webhook_url; keep one: a token posts to each route's channel, a webhook only to its own channel"},
		{"token with a line break", func(c *Config) { c.Slack.Token = "xoxb-1\n" },
			"slack.token: has spaces or a line break around it, which Slack refuses; remove them (a ${VAR} whose value ends in a newline does this)"},
		{"signing secret with a space", func(c *Config) { c.Slack.Token = "xoxb-1"; c.Slack.SigningSecret = " s3cret" },
			"slack.signing_secret: has spaces or a line break around it, which Slack refuses; remove them (a ${VAR} whose value ends in a newline does this)"},
		{"webhook not a url", func(c *Config) { c.Slack.WebhookURL = "hooks.slack.com/services/T/B/x" },
			"slack.webhook_url: the value is not an http(s) URL; paste the Incoming Webhook URL of your Slack app"},
		{"api url without slash", func(c *Config) { c.Slack.APIURL = "https://slack.com/api" },
			"slack.api_url: must end with /"},
		{"max individual", func(c *Config) { c.Slack.MaxIndividual = 0 },
			"slack.max_individual: 0 is too small; use 1 or more (default 10)"},
		{"routes without credentials", func(c *Config) { c.Slack.Routes = []Route{{Channel: "#a", MinSeverity: "warning", Audience: "team"}} },
			"slack.routes: set, but neither slack.token nor slack.webhook_url is; export RADAR_SLACK_TOKEN or set slack.webhook_url (or remove the routes)"},
		{"route channel", route(Route{}),
			"slack.routes[2].channel: not set; name a channel, e.g. #delivery-risk or C0123456789"},
		{"route channel with spaces", route(Route{Channel: "delivery risk"}),
			`slack.routes[2].channel: "delivery risk" contains spaces; use the channel name (#delivery-risk) or id`},
		{"route min severity", route(Route{Channel: "#a", MinSeverity: "urgent"}),
			`slack.routes[2].min_severity: "urgent" is not one of info, warning, critical`},
		{"route audience", route(Route{Channel: "#a", Audience: "board"}),
			`slack.routes[2].audience: "board" is not one of team, exec`},
		{"route digest", route(Route{Channel: "#a", Digest: "every morning"}),
			`slack.routes[2].digest: "every morning" is not a cron spec (expected exactly 5 fields, found 2: [every morning]); write e.g. "0 9 * * MON-FRI" or "@daily"`},
		{"route digest descriptor", route(Route{Channel: "#a", Digest: "@fortnightly"}),
			`slack.routes[2].digest: "@fortnightly" is not a cron spec (unrecognized descriptor: @fortnightly); write e.g. "0 9 * * MON-FRI" or "@daily"`},
		{"route report", route(Route{Channel: "#a", Report: "mondays"}),
			`slack.routes[2].report: "mondays" is not a cron spec (expected exactly 5 fields, found 1: [mondays]); write e.g. "0 9 * * MON"`},
		{"signing secret without a token", func(c *Config) {
			c.Slack.WebhookURL = "https://hooks.slack.com/services/T/B/x"
			c.Slack.SigningSecret = "s3cret"
		}, "slack.signing_secret: set, but slack.token is not; buttons need a bot token to update messages: export RADAR_SLACK_TOKEN (xoxb-…) or remove the signing secret"},
		{"ack reminder too short", func(c *Config) { c.Slack.AckReminder = time.Minute },
			"slack.ack_reminder: 1m is out of range; use at least 1h (default 7d)"},
		{"route kind typo", route(Route{Channel: "#a", Kinds: []string{"blocker", "blockers"}}),
			`slack.routes[2].kinds[1]: "blockers" is not a finding kind; did you mean "blocker"?`},
		{"route kind unknown", route(Route{Channel: "#a", Kinds: []string{"weather"}}),
			`slack.routes[2].kinds[0]: "weather" is not a finding kind; use one of ` + strings.Join(radar.KindNames(), ", ")},
		{"route project not a key", route(Route{Channel: "#a", Projects: []string{"pay"}}),
			`slack.routes[2].projects[0]: "pay" is not a project key (uppercase letters, digits, _)`},
		{"route project not synced", route(Route{Channel: "#a", Projects: []string{"DATA"}}),
			`slack.routes[2].projects[0]: "DATA" is not in jira.projects; add it there or remove it here`},
		{"route channel and audience twice", route(Route{Channel: "#ok2", Projects: []string{"OPS"}}),
			`slack.routes[2].channel: "#ok2" with audience team is also slack.routes[1]'s; merge them: list both projects in one route (routes to one channel and audience share their threads)`},
		{"webhook routes with one audience", func(c *Config) {
			c.Slack.WebhookURL = "https://hooks.slack.com/services/T/B/x"
			c.Slack.Routes = []Route{{MinSeverity: "critical", Audience: "exec", Projects: []string{"PAY"}},
				{MinSeverity: "critical", Audience: "exec", Projects: []string{"OPS"}}}
		}, `slack.routes[1].channel: the webhook's channel with audience exec is also slack.routes[0]'s; merge them: list both projects in one route (routes to one channel and audience share their threads)`},
		{"schedule empty", func(c *Config) { c.Schedule.Sync = "" },
			`schedule.sync: not set; write a cron spec, e.g. "@every 15m" or "*/15 * * * *"`},
		{"schedule bad", func(c *Config) { c.Schedule.Sync = "61 * * * *" },
			`schedule.sync: "61 * * * *" is not a cron spec (end of range (61) above maximum (59): 61); write e.g. "@every 15m" or "*/15 * * * *"`},
		{"schedule too often", func(c *Config) { c.Schedule.Sync = "@every 10s" },
			`schedule.sync: "@every 10s" runs more than once a minute; use @every 1m or longer`},
		{"listen without port", func(c *Config) { c.HTTP.Listen = "localhost" },
			`http.listen: "localhost" is not host:port; write host:port, e.g. 127.0.0.1:9317 or :9317`},
		{"listen bad port", func(c *Config) { c.HTTP.Listen = "localhost:http" },
			`http.listen: "localhost:http" has a bad port; write host:port, e.g. 127.0.0.1:9317 or :9317`},
		{"ready max age", func(c *Config) { c.HTTP.ReadyMaxAge = 0 },
			"http.ready_max_age: 0s is out of range; use at least 1m (default 1h)"},
		{"public url relative", func(c *Config) { c.HTTP.PublicURL = "radar.example.com" },
			`http.public_url: "radar.example.com" is not an http(s) URL; set http.public_url to the absolute address users open the web UI at, e.g. https://radar.example.com, or leave it empty for no links`},
		{"public url with credentials", func(c *Config) { c.HTTP.PublicURL = "https://u:p@radar.example.com" },
			`http.public_url: contains credentials; remove them from the URL`},
		{"log format", func(c *Config) { c.Log.Format = "xml" },
			`log.format: "xml" is not one of text, json`},
		{"log level", func(c *Config) { c.Log.Level = "verbose" },
			`log.level: "verbose" is not one of debug, info, warn, error`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := valid()
			tt.modify(&c)
			err := c.Validate()
			var verr *ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("Validate() = %v, want a *ValidationError", err)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("Validate() =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

// TestValidateGolden loads a file with nearly every value wrong and checks
// that Validate reports every problem at once, one per line.
func TestValidateGolden(t *testing.T) {
	cfg, err := Load("testdata/invalid.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	err = cfg.Validate()
	var verr *ValidationError
	if !errors.As(err, &verr) {
		t.Fatalf("Validate() = %v, want a *ValidationError", err)
	}
	got := err.Error() + "\n"
	if lines := strings.Count(got, "\n"); lines != len(verr.Problems) {
		t.Errorf("error has %d lines, want one per problem (%d)", lines, len(verr.Problems))
	}
	const golden = "testdata/invalid.golden"
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("Validate() =\n%s\nwant (%s)\n%s", got, golden, want)
	}
}

func TestAuthMode(t *testing.T) {
	tests := []struct {
		email string
		token Secret
		want  string
	}{
		{"bot@example.com", "t", AuthBasic},
		{"", "t", AuthBearer},
		{"bot@example.com", "", AuthNone},
		{"", "", AuthNone},
	}
	for _, tt := range tests {
		if got := (Jira{Email: tt.email, Token: tt.token}).AuthMode(); got != tt.want {
			t.Errorf("AuthMode(email %q, token set %v) = %q, want %q", tt.email, tt.token != "", got, tt.want)
		}
	}
}

func TestSlogLevel(t *testing.T) {
	tests := []struct {
		level string
		want  string
	}{
		{"debug", "DEBUG"}, {"info", "INFO"}, {"WARN", "WARN"}, {"error", "ERROR"}, {"", "INFO"},
	}
	for _, tt := range tests {
		if got := (Log{Level: tt.level}).SlogLevel().String(); got != tt.want {
			t.Errorf("SlogLevel(%q) = %s, want %s", tt.level, got, tt.want)
		}
	}
}

func TestReadyMaxAgeFollowsTheSchedule(t *testing.T) {
	c := valid()
	c.Schedule.Sync = "0 */2 * * *"
	c.HTTP.ReadyMaxAge = time.Hour
	err := c.Validate()
	if err == nil || !strings.Contains(err.Error(), "http.ready_max_age: 1h is not longer than the longest gap between syncs (2h)") {
		t.Errorf("Validate() = %v; want ready_max_age checked against the 2h schedule", err)
	}
	// Left unset, the default follows the schedule.
	cfg, err := Load(writeConfig(t, "schedule:\n  sync: \"0 */2 * * *\"\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.HTTP.ReadyMaxAge != 6*time.Hour {
		t.Errorf("default ready_max_age with a 2h schedule = %v, want 6h", cfg.HTTP.ReadyMaxAge)
	}
}
