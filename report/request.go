package report

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/radarhq/radar"
	"github.com/radarhq/radar/config"
)

// Query is a status report request as a reader gave it: radar report's
// flags or the web UI's /report query. Empty fields take their defaults.
type Query struct {
	Project  string // a project, several comma-separated, or "" for every project
	Audience string // AudienceTeam or AudienceExec; "" for the team
	Since    string // how far back "what changed" looks without an earlier report: 7d, 2w, 48h; "" for DefaultWindow
	Format   string // one of Formats; "" for markdown (the web UI has only its page)
	// Replay marks a report as of a past time (radar report --now): its
	// window is replayed from the changelogs, not read from the findings
	// history, and may reach back to MaxReplayWindow.
	Replay bool
}

// Request is a checked status report request.
type Request struct {
	Project  string // as given, trimmed: "" for every project
	Audience string
	Window   time.Duration
	Format   string
}

// Bounds of a report's "what changed" window. A recorded report's window
// reads every finding that changed in it from the store, so it is kept to
// a year; a replay (radar report --now) computes its window from two
// analyses and may reach back before the first issue of a years-old site,
// where the window starts at it.
const (
	DefaultWindow   = 7 * 24 * time.Hour
	MinWindow       = time.Hour
	MaxWindow       = 365 * 24 * time.Hour
	MaxReplayWindow = 3650 * 24 * time.Hour
)

// Formats a report is written in: markdown, html, and slack (Block Kit
// JSON), in that order.
var Formats = []string{"markdown", "html", "slack"}

// ParseQuery checks and reads a status report request; every front end
// uses it (then CheckProjects, once it knows the synced projects), naming
// a bad value its own way through name ("audience", "since", "format").
func ParseQuery(q Query, name radar.FieldName) (Request, error) {
	r := Request{Project: strings.TrimSpace(q.Project), Audience: strings.TrimSpace(q.Audience), Window: DefaultWindow,
		Format: strings.TrimSpace(q.Format)}
	if r.Audience == "" {
		r.Audience = AudienceTeam
	}
	if r.Audience != AudienceTeam && r.Audience != AudienceExec {
		return Request{}, fmt.Errorf("%s: not an audience; use team or exec, or leave it empty for team", name("audience", q.Audience))
	}
	if since := strings.TrimSpace(q.Since); since != "" {
		longest, words := MaxWindow, "365d"
		if q.Replay {
			longest, words = MaxReplayWindow, "3650d with --now"
		}
		d, err := config.ParseDuration(since)
		if err != nil || d < MinWindow || d > longest {
			return Request{}, fmt.Errorf("%s: not a duration from 1h to %s; use e.g. 7d, 2w or 48h", name("since", q.Since), words)
		}
		r.Window = d
	}
	if r.Format == "" {
		r.Format = Formats[0]
	}
	if !slices.Contains(Formats, r.Format) {
		return Request{}, fmt.Errorf("%s: not a format; use markdown, html or slack", name("format", q.Format))
	}
	return r, nil
}

// CheckProjects refuses a request for a project not among projects, the
// synced ones (radar.Snapshot.ProjectKeys): its report would be empty. Case
// does not matter.
func (r Request) CheckProjects(projects []string, name radar.FieldName) error {
	for _, p := range radar.SplitList([]string{r.Project}) {
		if slices.ContainsFunc(projects, func(x string) bool { return strings.EqualFold(x, p) }) {
			continue
		}
		if len(projects) == 0 {
			return fmt.Errorf("%s: no project has synced issues or versions yet; leave it empty until a sync brings some", name("project", p))
		}
		return fmt.Errorf("%s: no synced issues or versions; use one of %s, or leave it empty for every project", name("project", p), strings.Join(projects, ", "))
	}
	return nil
}
