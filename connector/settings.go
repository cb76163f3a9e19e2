package connector

import (
	"time"

	"github.com/radarhq/radar/config"
)

// Settings are what the connector needs of the jira section, already
// decoded, defaulted and validated by config (config.Validate checks the
// project keys and keeps jira.jql inside its own parentheses): New neither
// checks nor defaults them again.
type Settings struct {
	URL   string
	Email string        // with Token: basic auth (Cloud API token)
	Token config.Secret // without Email: Bearer personal access token (Data Center)
	// Flavor is auto, cloud or datacenter.
	Flavor       string
	Projects     []string
	JQL          string // a clause ANDed to each project's scope
	Dependencies []config.Dependency
	Fields       config.Fields

	Concurrency       int     // 0: automatic, by flavour
	RequestsPerSecond float64 // 0: automatic, by flavour and Jira's signals
	PageSize          int
	Timeout           time.Duration // per request
	MaxRetries        int           // per request
	MaxRetryAfter     time.Duration // longest Retry-After honoured
	Overlap           time.Duration // incremental window overlap
	ReconcileEvery    time.Duration
}

// SettingsFrom takes the connector's settings from a validated jira
// section.
func SettingsFrom(j config.Jira) Settings {
	return Settings{
		URL: j.URL, Email: j.Email, Token: j.Token, Flavor: j.Flavor,
		Projects: j.Projects, JQL: j.JQL, Dependencies: j.Dependencies, Fields: j.Fields,
		Concurrency: j.Concurrency, RequestsPerSecond: j.RequestsPerSecond, PageSize: j.PageSize,
		Timeout: j.Timeout, MaxRetries: j.MaxRetries, MaxRetryAfter: j.MaxRetryAfter,
		Overlap: j.Overlap, ReconcileEvery: j.ReconcileEvery,
	}
}
