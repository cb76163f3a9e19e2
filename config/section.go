package config

import "slices"

// A Section is one top-level part of the configuration. A command validates
// the sections it uses, so that a setting it never reads (a Jira token for
// radar analyze) cannot stop it, while one it does read is checked the same
// way, with the same message, by every command.
type Section string

// The sections, as the YAML names them.
const (
	SectionJira     Section = "jira"
	SectionStore    Section = "store"
	SectionAnalysis Section = "analysis"
	SectionSlack    Section = "slack"
	SectionSchedule Section = "schedule"
	SectionHTTP     Section = "http"
	SectionLog      Section = "log"
)

// Sections lists every section in the file's order.
var Sections = []Section{SectionJira, SectionStore, SectionAnalysis, SectionSlack, SectionSchedule, SectionHTTP, SectionLog}

// has reports whether sections names s; no sections at all means every one.
func has(sections []Section, s Section) bool {
	return len(sections) == 0 || slices.Contains(sections, s)
}

// Off says why this configuration runs without Slack alerts, or ""
// when it alerts. It is the one decision on it: Validate accepts both
// cases, and radar serve (which warns and starts without Slack), radar
// check and radar alert report this reason.
func (s Slack) Off() string {
	switch {
	case s.Token == "" && s.WebhookURL == "":
		return "not configured (set slack.token or slack.webhook_url, and slack.routes, to alert)"
	case len(s.Routes) == 0:
		return "configured but slack.routes is empty, so Radar runs without Slack alerts; add a route such as {channel: \"#delivery\", min_severity: warning}"
	}
	return ""
}
