package alerts

import (
	"time"

	"github.com/radarhq/radar"
	"github.com/radarhq/radar/config"
)

// Settings is what the alerter needs to know, already valid: config.Load
// has read the *_file secrets and applied the defaults, and
// config.Validate has checked every field. The alerter checks none of it
// again; NewSettings builds Settings from the slack section.
type Settings struct {
	Token         config.Secret // bot token (xoxb-…); empty with a webhook
	WebhookURL    config.Secret // incoming webhook, used without a Token
	SigningSecret config.Secret // verifies interaction requests; with it finding messages carry buttons
	APIURL        string        // Slack's Web API, ending in "/"
	MaxIndividual int           // findings a run tells one by one before it summarises
	AckReminder   time.Duration // how long an acknowledged finding stays open before its owner is reminded; 0: never
	Routes        []Route
}

// Route sends matching findings to one channel for one audience.
type Route struct {
	Channel     string         // channel id (C…) or #name; empty with a webhook: its own channel
	Audience    string         // AudienceTeam or AudienceExec
	MinSeverity radar.Severity // the least severe finding told
	Projects    []string       // empty: all
	Kinds       []string       // empty: all
	Digest      string         // cron spec of the route's digest; empty: none
	Report      string         // cron spec of the route's status report; empty: none
}

// NewSettings maps the slack section of a loaded and validated
// configuration to Settings. It copies; it checks and defaults nothing.
func NewSettings(c config.Slack) Settings {
	s := Settings{
		Token:         c.Token,
		WebhookURL:    c.WebhookURL,
		SigningSecret: c.SigningSecret,
		APIURL:        c.APIURL,
		MaxIndividual: c.MaxIndividual,
		AckReminder:   c.AckReminder,
	}
	for _, r := range c.Routes {
		s.Routes = append(s.Routes, Route{Channel: r.Channel, Audience: r.Audience, MinSeverity: radar.Severity(r.MinSeverity),
			Projects: r.Projects, Kinds: r.Kinds, Digest: r.Digest, Report: r.Report})
	}
	return s
}
