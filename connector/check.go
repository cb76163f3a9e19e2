package connector

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/radarhq/radar/config"
)

// CheckResult is one thing Check verified: Detail says what was found, Err
// what failed and Hint what to do about it.
type CheckResult struct {
	Name   string
	Detail string
	Err    error
	Hint   string
}

// wireMyself is the part of /myself Check reads.
type wireMyself struct {
	DisplayName string `json:"displayName"`
}

// wireProject is the part of /project/{key} Check reads.
type wireProject struct {
	Key  string `json:"key"`
	Name string `json:"name"`
}

// Check tests the configuration against Jira without syncing or writing
// anything: that the credentials sign in, each of jira.projects exists and
// can be browsed, jira.dependencies name link types the site has, and the
// custom fields Radar reads are found (or those set in jira.fields exist).
// A failed sign-in stops it: nothing else could be checked.
func (c *Connector) Check(ctx context.Context) []CheckResult {
	me, err := call[wireMyself](ctx, c, "sign in", http.MethodGet, "rest/api/2/myself", nil)
	if err != nil {
		return []CheckResult{{Name: "jira sign-in", Err: err, Hint: checkHint(err, "check jira.url, jira.email and the token (RADAR_JIRA_TOKEN or jira.token_file)")}}
	}
	out := []CheckResult{{Name: "jira sign-in", Detail: fmt.Sprintf("signed in to %s as %s", config.RedactURL(c.cfg.URL), me.DisplayName)}}
	for i, p := range c.cfg.Projects {
		r := CheckResult{Name: "jira project " + p}
		proj, err := call[wireProject](ctx, c, "read project "+p, http.MethodGet, "rest/api/2/project/"+url.PathEscape(p), nil)
		var je *Error
		switch {
		case errors.As(err, &je) && je.Status == http.StatusNotFound:
			r.Err = fmt.Errorf("jira.projects[%d]: no project %s on this Jira, or this user cannot browse it", i, p)
			r.Hint = "check the key (Jira shows it in the project's issue keys, PAY in PAY-12) and that the user has the Browse Projects permission"
		case err != nil:
			r.Err, r.Hint = err, checkHint(err, "")
		default:
			r.Detail = proj.Name
		}
		out = append(out, r)
	}

	lt := CheckResult{Name: "jira link types"}
	if lts, err := call[wireLinkTypes](ctx, c, "read link types", http.MethodGet, "rest/api/2/issueLinkType", nil); err != nil {
		lt.Err, lt.Hint = err, checkHint(err, "")
	} else if _, err := dependencyRules(c.cfg.Dependencies, lts.IssueLinkTypes); err != nil {
		lt.Err, lt.Hint = err, "set jira.dependencies[].link to a link type this Jira has (Jira settings → Issues → Issue linking)"
	} else {
		var names []string
		for _, d := range c.cfg.Dependencies {
			names = append(names, d.Link+" ("+d.Outward+")")
		}
		lt.Detail = "dependencies: " + strings.Join(names, ", ")
	}
	out = append(out, lt)
	return append(out, c.checkFields(ctx))
}

// checkFields checks the custom fields: a configured id the site lacks
// fails; a field Radar looks for and cannot find is said in Detail, with
// what it costs.
func (c *Connector) checkFields(ctx context.Context) CheckResult {
	r := CheckResult{Name: "jira fields"}
	fields, err := call[[]wireField](ctx, c, "read fields", http.MethodGet, "rest/api/2/field", nil)
	if err != nil {
		r.Err, r.Hint = err, checkHint(err, "")
		return r
	}
	ids := map[string]bool{}
	for _, f := range *fields {
		ids[f.ID] = true
	}
	set := c.cfg.Fields
	var missing []string
	for _, f := range set.Keyed() { // in a stable order: a map's would change run to run
		if f.ID != "" && !ids[f.ID] {
			missing = append(missing, fmt.Sprintf("jira.fields.%s: %s", f.Key, f.ID))
		}
	}
	if len(missing) > 0 {
		r.Err = fmt.Errorf("no such field on this Jira: %s", strings.Join(missing, "; "))
		r.Hint = "set each to a field id the site has (customfield_NNNNN, in Jira settings → Issues → Custom fields), or leave it out to find the field by type and name"
		return r
	}
	fm := resolveFields(*fields, set)
	var found, notFound []string
	note := func(name, id, cost string) {
		if id == "" {
			notFound = append(notFound, name+" (so "+cost+")")
		} else {
			found = append(found, name+" "+id)
		}
	}
	note("story points", strings.Join(fm.StoryPoints, "/"), "forecasts count issues, not points")
	note("sprint", fm.Sprint, "no sprint carry-over findings")
	note("epic link", fm.EpicLink, "epics come from parents only")
	note("flagged", fm.Flagged, "no flagged findings")
	note("start date", fm.StartDate, "no start dates")
	r.Detail = "found " + strings.Join(found, ", ")
	if len(notFound) > 0 {
		r.Detail += "; not found: " + strings.Join(notFound, ", ") + "; set jira.fields if the site has them under other names"
	}
	return r
}

// checkHint is the hint a Jira error carries, else def.
func checkHint(err error, def string) string {
	var je *Error
	if errors.As(err, &je) && je.Hint != "" {
		return "" // already in the error's text
	}
	return def
}
