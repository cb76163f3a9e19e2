package config

import (
	"errors"
	"strings"
	"testing"
)

// TestValidateSections: Validate(sections...) reports the problems of the
// sections named and no others; with no section it reports them all.
func TestValidateSections(t *testing.T) {
	c := valid()
	c.Jira.Projects = []string{"pay"}
	c.Store.Path = t.TempDir() // a directory: the database cannot open
	c.Analysis.Trials = 1
	c.Slack.Token = "xoxb-1"
	c.Slack.Routes = []Route{{Channel: "#a", MinSeverity: "warning", Audience: "board"}}
	c.Schedule.Sync = "every day"
	c.HTTP.Listen = "nowhere"
	c.Log.Level = "loud"
	keys := map[Section]string{
		SectionJira:     "jira.projects[0]",
		SectionStore:    "store.path",
		SectionAnalysis: "analysis.trials",
		SectionSlack:    "slack.routes[0].audience",
		SectionSchedule: "schedule.sync",
		SectionHTTP:     "http.listen",
		SectionLog:      "log.level",
	}
	if len(keys) != len(Sections) {
		t.Fatalf("the test covers %d sections, Sections lists %d", len(keys), len(Sections))
	}
	paths := func(err error) []string {
		var ve *ValidationError
		if !errors.As(err, &ve) {
			t.Fatalf("Validate = %v, want a *ValidationError", err)
		}
		var out []string
		for _, p := range ve.Problems {
			out = append(out, p.Path)
		}
		return out
	}
	for _, s := range Sections {
		got := paths(c.Validate(s))
		if len(got) != 1 || got[0] != keys[s] {
			t.Errorf("Validate(%s) reports %v, want only %s", s, got, keys[s])
		}
	}
	if got := paths(c.Validate()); len(got) != len(Sections) {
		t.Errorf("Validate() reports %v, want one problem per section", got)
	}
	if got := c.Validate(SectionStore, SectionAnalysis); !strings.Contains(got.Error(), "store.path: "+c.Store.Path+" is a directory") {
		t.Errorf("Validate(store, analysis) = %v, want store.path named a directory", got)
	}
}

// TestSlackOff: Slack without routes is a reason to run without it, not a
// problem, and one decision serve, check and alert share.
func TestSlackOff(t *testing.T) {
	route := []Route{{Channel: "#a", MinSeverity: "warning", Audience: "team"}}
	for _, tt := range []struct {
		name  string
		slack Slack
		off   string // a word the reason must hold; "" when Slack is on
	}{
		{"nothing", Slack{}, "not configured"},
		{"token, no routes", Slack{Token: "xoxb-1"}, "slack.routes is empty"},
		{"webhook, no routes", Slack{WebhookURL: "https://hooks.slack.com/services/T/B/x"}, "slack.routes is empty"},
		{"token and a route", Slack{Token: "xoxb-1", Routes: route}, ""},
		{"webhook and a route", Slack{WebhookURL: "https://hooks.slack.com/services/T/B/x", Routes: route}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.slack.Off()
			if (tt.off == "") != (got == "") || !strings.Contains(got, tt.off) {
				t.Errorf("Off() = %q, want %q in it", got, tt.off)
			}
			c := valid()
			c.Slack.Token, c.Slack.WebhookURL, c.Slack.Routes = tt.slack.Token, tt.slack.WebhookURL, tt.slack.Routes
			if err := c.Validate(SectionSlack); err != nil {
				t.Errorf("Validate(slack) = %v, want nil: running without Slack is not a problem", err)
			}
		})
	}
}
