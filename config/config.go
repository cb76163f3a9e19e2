// Package config loads Radar's configuration: strict YAML with ${ENV}
// expansion, secrets from the environment or files, defaults in code, and a
// Validate that reports every bad field at once with its path and the fix.
package config

import (
	"log/slog"
	"strings"
	"time"
)

// Config is Radar's whole configuration. The YAML keys are a contract.
type Config struct {
	Jira     Jira     `yaml:"jira"`
	Store    Store    `yaml:"store"`
	Analysis Analysis `yaml:"analysis"`
	Slack    Slack    `yaml:"slack"`
	Schedule Schedule `yaml:"schedule"`
	HTTP     HTTP     `yaml:"http"`
	Log      Log      `yaml:"log"`
}

// Jira says where and how to read Jira.
type Jira struct {
	URL       string   `yaml:"url"`
	Email     string   `yaml:"email"`      // with Token: basic auth (Cloud)
	Token     Secret   `yaml:"token"`      // without Email: Bearer PAT (Data Center)
	TokenFile string   `yaml:"token_file"` // read into Token when Token is empty
	Flavor    string   `yaml:"flavor"`     // auto | cloud | datacenter
	Projects  []string `yaml:"projects"`
	JQL       string   `yaml:"jql"` // optional clause ANDed to the scope
	// Dependencies says which link types are dependencies and what their
	// outward phrase means.
	Dependencies []Dependency `yaml:"dependencies"`
	// Fields overrides custom field ids found through /rest/api/2/field.
	Fields Fields `yaml:"fields"`

	Concurrency       int           `yaml:"concurrency"`         // most requests in flight; 0 (default): automatic, 16 on Cloud, 4 on Data Center
	RequestsPerSecond float64       `yaml:"requests_per_second"` // hard cap; 0 (default): automatic, 100 on Cloud, 20 on Data Center
	PageSize          int           `yaml:"page_size"`           // issues per search page, default 100
	Timeout           time.Duration `yaml:"timeout"`             // per request, default 30s
	MaxRetries        int           `yaml:"max_retries"`         // per request, default 6
	MaxRetryAfter     time.Duration `yaml:"max_retry_after"`     // longest Retry-After honoured, default 5m; longer fails
	Overlap           time.Duration `yaml:"overlap"`             // incremental window overlap, default 5m
	ReconcileEvery    time.Duration `yaml:"reconcile_every"`     // deletion/move reconciliation, default 1h
	PartitionSize     int           `yaml:"partition_size"`      // no longer used: full syncs fetch one-page id ranges; accepted so old files load
}

// Jira authentication modes, as AuthMode reports them.
const (
	AuthBasic  = "basic"  // email (or Data Center user name) and API token
	AuthBearer = "bearer" // personal access token (Data Center)
	AuthNone   = "none"   // anonymous
)

// AuthMode says how to authenticate to Jira: "basic" with Email and Token
// (Cloud API tokens), "bearer" with Token alone (Data Center personal access
// tokens), "none" without a Token.
func (j Jira) AuthMode() string {
	switch {
	case j.Token == "":
		return AuthNone
	case j.Email != "":
		return AuthBasic
	}
	return AuthBearer
}

// Dependency maps a Jira link type to dependency direction.
type Dependency struct {
	Link    string `yaml:"link"`    // link type name, e.g. "Blocks"
	Outward string `yaml:"outward"` // "blocks": outward issue is blocked; "depends on": outward issue is the prerequisite
}

// Outward phrases for Dependency.Outward.
const (
	OutwardBlocks    = "blocks"
	OutwardDependsOn = "depends on"
)

// Fields are optional custom field id overrides (e.g. "customfield_10016").
type Fields struct {
	StoryPoints string `yaml:"story_points"`
	Sprint      string `yaml:"sprint"`
	Flagged     string `yaml:"flagged"`
	EpicLink    string `yaml:"epic_link"`
	StartDate   string `yaml:"start_date"`
}

// FieldSetting is one jira.fields key and the field id set for it.
type FieldSetting struct{ Key, ID string }

// Keyed lists the jira.fields settings in the order the documentation
// gives them, set or not.
func (f Fields) Keyed() []FieldSetting {
	return []FieldSetting{{"story_points", f.StoryPoints}, {"sprint", f.Sprint}, {"flagged", f.Flagged},
		{"epic_link", f.EpicLink}, {"start_date", f.StartDate}}
}

// Store says where the SQLite database lives.
type Store struct {
	Path string `yaml:"path"` // default ./radar.db
}

// Analysis tunes the analysis engine.
type Analysis struct {
	StaleAfter     time.Duration `yaml:"stale_after"`     // default 7 days (168h)
	AbandonedAfter time.Duration `yaml:"abandoned_after"` // in progress and untouched this long is abandoned, default 180 days
	ReopenedWindow time.Duration `yaml:"reopened_window"` // a done issue's reopen is news this long, default 30 days
	WIPLimit       int           `yaml:"wip_limit"`       // per assignee, default 3
	OverrunRatio   float64       `yaml:"overrun_ratio"`   // default 1.5
	Trials         int           `yaml:"trials"`          // Monte Carlo trials, default 2000
	Seed           int64         `yaml:"seed"`            // Monte Carlo seed, default 1
	History        time.Duration `yaml:"history"`         // throughput history, default 12 weeks (2016h)
}

// Slack says where and how to send alerts.
type Slack struct {
	Token          Secret  `yaml:"token"`
	TokenFile      string  `yaml:"token_file"`
	WebhookURL     Secret  `yaml:"webhook_url"`
	WebhookURLFile string  `yaml:"webhook_url_file"`
	APIURL         string  `yaml:"api_url"`        // default https://slack.com/api/
	MaxIndividual  int     `yaml:"max_individual"` // default 10
	Routes         []Route `yaml:"routes"`
	// SigningSecret verifies the requests Slack sends to
	// /slack/interactions when someone clicks a finding's button; with it
	// set, finding messages carry Acknowledge, Snooze and Not a risk.
	SigningSecret     Secret `yaml:"signing_secret"`
	SigningSecretFile string `yaml:"signing_secret_file"`
	// AckReminder is how long a finding may stay acknowledged and open
	// before its owner is reminded, once; default 7 days (168h).
	AckReminder time.Duration `yaml:"ack_reminder"`
}

// Route sends matching findings to one channel for one audience.
type Route struct {
	Channel     string   `yaml:"channel"`
	Projects    []string `yaml:"projects"`     // empty: all
	Kinds       []string `yaml:"kinds"`        // empty: all
	MinSeverity string   `yaml:"min_severity"` // info | warning | critical, default warning
	Audience    string   `yaml:"audience"`     // team | exec, default team
	Digest      string   `yaml:"digest"`       // cron spec, optional
	Report      string   `yaml:"report"`       // cron spec of a status report post, optional
}

// Schedule says when the service works.
type Schedule struct {
	Sync string `yaml:"sync"` // cron spec or @every, default "@every 15m"
}

// HTTP configures the service's HTTP listener.
type HTTP struct {
	Listen      string        `yaml:"listen"` // default 127.0.0.1:9317
	Token       Secret        `yaml:"token"`  // optional bearer token for /api
	TokenFile   string        `yaml:"token_file"`
	ReadyMaxAge time.Duration `yaml:"ready_max_age"` // /readyz fails when the last sync is older, default 1h
	// PublicURL is where users reach the web UI, e.g.
	// https://radar.example.com; Slack messages link to its pages when set.
	PublicURL string `yaml:"public_url"`
}

// Log configures logging.
type Log struct {
	Format string `yaml:"format"` // text | json, default text
	Level  string `yaml:"level"`  // debug | info | warn | error, default info
}

// SlogLevel returns Level as a slog level; anything Validate rejects reads
// as info.
func (l Log) SlogLevel() slog.Level {
	switch strings.ToLower(l.Level) {
	case "debug":
		return slog.LevelDebug
	case "warn":
		return slog.LevelWarn
	case "error":
		return slog.LevelError
	}
	return slog.LevelInfo
}

// Secret is a string that never prints: fmt (every verb), slog and YAML/JSON
// marshalling show "[redacted]" (or "" when empty). Use Value() to read it.
// A marshalled config therefore does not load back with its secrets.
type Secret string

// Value returns the secret itself.
func (s Secret) Value() string { return string(s) }

// String redacts the secret.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return redacted
}

// GoString redacts the secret for %#v.
func (s Secret) GoString() string { return s.String() }
