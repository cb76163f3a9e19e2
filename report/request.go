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
}

// Request is a checked status report request.
type Request struct {
	Project  string // as given, trimmed: "" for every project
	Audience string
	Window   time.Duration
	Format   string
}

// Bounds of a report's "what changed" window. The longest reaches back
// before the first issue of a years-old site, where the window starts at it
// (radar report --now replays use that).
const (
	DefaultWindow = 7 * 24 * time.Hour
	MinWindow     = time.Hour
	MaxWindow     = 3650 * 24 * time.Hour
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
		d, err := config.ParseDuration(since)
		if err != nil || d < MinWindow || d > MaxWindow {
			return Request{}, fmt.Errorf("%s: not a duration from 1h to 3650d; use e.g. 7d, 2w or 48h", name("since", q.Since))
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
