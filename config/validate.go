package config

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/radarhq/radar"
	"github.com/robfig/cron/v3"
)

// Problem is one bad field: its key path (e.g. "slack.routes[2].audience"),
// what is wrong and how to fix it ("<problem>; <fix>"), and the line in the
// config file when known (0 otherwise). A Problem never holds a secret.
type Problem struct {
	Path    string
	Message string
	Line    int
}

// String formats the problem as "<path>: <message>".
func (p Problem) String() string {
	if p.Path == "" {
		return p.Message
	}
	return p.Path + ": " + p.Message
}

// ValidationError lists every problem found in a configuration. Load returns
// it for problems in the file (unknown keys, bad values, secret files);
// Validate for problems with the values themselves.
type ValidationError struct {
	File     string // the config file, when the problems come from reading one
	Problems []Problem
}

// Error prints one problem per line, prefixed by file:line when known.
func (e *ValidationError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		prefix := ""
		switch {
		case e.File != "" && p.Line > 0:
			prefix = fmt.Sprintf("%s:%d: ", e.File, p.Line)
		case e.File != "":
			prefix = e.File + ": "
		}
		lines[i] = prefix + p.String()
	}
	return strings.Join(lines, "\n")
}

// Allowed values of the enumerated keys.
var (
	flavors    = []string{"auto", "cloud", "datacenter"}
	severities = []string{string(radar.SeverityInfo), string(radar.SeverityWarning), string(radar.SeverityCritical)}
	audiences  = []string{"team", "exec"}
	logFormats = []string{"text", "json"}
	logLevels  = []string{"debug", "info", "warn", "error"}
)

var (
	projectKey    = regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`)
	customFieldID = regexp.MustCompile(`^customfield_[0-9]+$`)
)

// ValidProjectKey reports whether k is a Jira project key: an upper-case
// letter, then upper-case letters, digits or underscores.
func ValidProjectKey(k string) bool { return projectKey.MatchString(k) }

// Validate checks the fields of the sections named, every section when none
// is, and returns a *ValidationError listing all their problems at once, or
// nil. Checks across sections belong to the section whose key they name:
// slack.routes[].projects against jira.projects to slack, http.ready_max_age
// against schedule.sync to http. It checks values only: call it after Load
// and after filling in anything the caller sets itself (the demo sets
// jira.url and jira.token), right before use. Load does not call it.
func (c *Config) Validate(sections ...Section) error {
	v := &validator{}
	if has(sections, SectionJira) {
		c.Jira.validate(v)
	}
	if has(sections, SectionStore) {
		c.Store.validate(v)
	}
	if has(sections, SectionAnalysis) {
		c.Analysis.validate(v)
	}
	if has(sections, SectionSlack) {
		c.Slack.validate(v, c.Jira.Projects)
	}
	if has(sections, SectionSchedule) {
		v.cron("schedule.sync", c.Schedule.Sync, `"@every 15m" or "*/15 * * * *"`)
	}
	if has(sections, SectionHTTP) {
		c.HTTP.validate(v)
		if gap, ok := longestGap(c.Schedule.Sync); ok && c.HTTP.ReadyMaxAge >= time.Minute && c.HTTP.ReadyMaxAge <= gap {
			v.add("http.ready_max_age", "%s is not longer than the longest gap between syncs (%s) in schedule.sync, so /readyz would fail between healthy syncs; set it to at least %s",
				fmtDuration(c.HTTP.ReadyMaxAge), fmtDuration(gap), fmtDuration(2*gap))
		}
	}
	if has(sections, SectionLog) {
		c.Log.validate(v)
	}
	if len(v.problems) == 0 {
		return nil
	}
	return &ValidationError{Problems: v.problems}
}

type validator struct{ problems []Problem }

func (v *validator) add(path, format string, args ...any) {
	v.problems = append(v.problems, Problem{Path: path, Message: fmt.Sprintf(format, args...)})
}

func (v *validator) oneOf(path, got string, allowed []string) {
	if !slices.Contains(allowed, got) {
		v.add(path, "%q is not one of %s", got, strings.Join(allowed, ", "))
	}
}

func (v *validator) intRange(path string, got, lo, hi, def int) {
	if got < lo || got > hi {
		v.add(path, "%d is out of range; use %d to %d (default %d)", got, lo, hi, def)
	}
}

func (v *validator) durationRange(path string, got, lo, hi, def time.Duration) {
	if got < lo || (hi > 0 && got > hi) {
		bounds := "at least " + fmtDuration(lo)
		if hi > 0 {
			bounds = fmtDuration(lo) + " to " + fmtDuration(hi)
		}
		v.add(path, "%s is out of range; use %s (default %s)", fmtDuration(got), bounds, fmtDuration(def))
	}
}

// cron checks a schedule spec with the standard 5-field parser, which also
// takes descriptors (@daily, @every 15m) and a CRON_TZ= prefix.
func (v *validator) cron(path, spec, example string) {
	if strings.TrimSpace(spec) == "" {
		v.add(path, "not set; write a cron spec, e.g. %s", example)
		return
	}
	if _, err := cron.ParseStandard(spec); err != nil {
		v.add(path, "%q is not a cron spec (%v); write e.g. %s", spec, err, example)
		return
	}
	if every, ok := strings.CutPrefix(strings.TrimSpace(spec), "@every "); ok {
		if d, err := time.ParseDuration(strings.TrimSpace(every)); err == nil && d < time.Minute {
			v.add(path, "%q runs more than once a minute; use @every 1m or longer", spec)
		}
	}
}

// longestGap is the longest time between two runs of spec over a week.
func longestGap(spec string) (time.Duration, bool) {
	sched, err := cron.ParseStandard(spec)
	if err != nil {
		return 0, false
	}
	start := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC) // a Monday
	var gap time.Duration
	prev := sched.Next(start)
	for i := 0; i < 10000 && prev.Sub(start) < 8*24*time.Hour; i++ {
		next := sched.Next(prev)
		if next.IsZero() {
			break
		}
		gap = max(gap, next.Sub(prev))
		prev = next
	}
	return gap, gap > 0
}

// httpURL checks that s is an absolute http(s) URL. It never prints s when
// secret is set, nor any credentials in it.
func (v *validator) httpURL(path, s string, secret bool, fix string) {
	u, err := url.Parse(s)
	shown := "the value"
	if !secret && err == nil {
		shown = strconv.Quote(u.Redacted())
	}
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		v.add(path, "%s is not an http(s) URL; %s", shown, fix)
	case u.User != nil:
		v.add(path, "contains credentials; remove them from the URL")
	}
}

func (j *Jira) validate(v *validator) {
	const urlFix = "set jira.url to your site, e.g. https://example.atlassian.net"
	if j.URL == "" {
		v.add("jira.url", "not set; "+urlFix)
	} else {
		v.httpURL("jira.url", j.URL, false, urlFix)
	}
	if j.Token == "" {
		v.add("jira.token", "not set; export RADAR_JIRA_TOKEN or set jira.token_file")
	}
	v.oneOf("jira.flavor", j.Flavor, flavors)
	if len(j.Projects) == 0 {
		v.add("jira.projects", "empty; list at least one project key")
	}
	for i, p := range j.Projects {
		path := fmt.Sprintf("jira.projects[%d]", i)
		switch {
		case !projectKey.MatchString(p):
			v.add(path, "%q is not a project key (uppercase letters, digits, _)", p)
		case slices.Index(j.Projects, p) < i:
			v.add(path, "%q is listed twice; remove one", p)
		}
	}
	if err := ValidateJQL(j.JQL); err != nil {
		v.add("jira.jql", "%v", err)
	}
	if len(j.Dependencies) == 0 {
		v.add("jira.dependencies", "empty; list at least one link type, e.g. {link: Blocks, outward: blocks}")
	}
	for i, d := range j.Dependencies {
		path := fmt.Sprintf("jira.dependencies[%d]", i)
		if d.Link == "" {
			v.add(path+".link", "not set; name a Jira link type, e.g. Blocks")
		} else if slices.IndexFunc(j.Dependencies[:i], func(o Dependency) bool { return strings.EqualFold(o.Link, d.Link) }) >= 0 {
			v.add(path+".link", "%q is listed twice; remove one", d.Link)
		}
		if d.Outward != OutwardBlocks && d.Outward != OutwardDependsOn {
			v.add(path+".outward", "must be %q or %q", OutwardBlocks, OutwardDependsOn)
		}
	}
	for _, f := range j.Fields.Keyed() {
		if f.ID != "" && !customFieldID.MatchString(f.ID) {
			v.add("jira.fields."+f.Key, "%q is not a field id; use the id from GET /rest/api/2/field, e.g. customfield_10016", f.ID)
		}
	}
	def := Default().Jira
	if j.Concurrency < 0 || j.Concurrency > 32 {
		v.add("jira.concurrency", "%d is out of range; use 0 (automatic, the default) or 1 to 32", j.Concurrency)
	}
	if !(j.RequestsPerSecond >= 0 && j.RequestsPerSecond <= 1000) {
		v.add("jira.requests_per_second", "%g is out of range; use 0 (automatic, the default) or more, at most 1000", j.RequestsPerSecond)
	}
	v.intRange("jira.page_size", j.PageSize, 1, 1000, def.PageSize)
	v.durationRange("jira.timeout", j.Timeout, time.Second, 10*time.Minute, def.Timeout)
	v.intRange("jira.max_retries", j.MaxRetries, 0, 20, def.MaxRetries)
	v.durationRange("jira.max_retry_after", j.MaxRetryAfter, time.Second, 24*time.Hour, def.MaxRetryAfter)
	v.durationRange("jira.overlap", j.Overlap, 0, 24*time.Hour, def.Overlap)
	v.durationRange("jira.reconcile_every", j.ReconcileEvery, time.Minute, 0, def.ReconcileEvery)
	v.intRange("jira.partition_size", j.PartitionSize, 100, 1_000_000, def.PartitionSize)
}

// validate checks store.path, and that no directory stands where the
// database file should be, which would stop Radar at start-up. A directory
// that is not there yet is left alone: the file may be checked on a
// machine other than the one it runs on (a container's volume).
func (s *Store) validate(v *validator) {
	if s.Path == "" {
		v.add("store.path", "not set; set store.path to the SQLite file, e.g. ./radar.db")
		return
	}
	if info, err := os.Stat(s.Path); err == nil && info.IsDir() {
		v.add("store.path", "%s is a directory; name the database file in it, e.g. %s", s.Path, filepath.Join(s.Path, "radar.db"))
	}
}

func (a *Analysis) validate(v *validator) {
	def := Default().Analysis
	v.durationRange("analysis.stale_after", a.StaleAfter, time.Hour, 0, def.StaleAfter)
	v.durationRange("analysis.abandoned_after", a.AbandonedAfter, 7*24*time.Hour, 0, def.AbandonedAfter)
	if a.StaleAfter >= time.Hour && a.AbandonedAfter >= 7*24*time.Hour && a.AbandonedAfter <= a.StaleAfter {
		v.add("analysis.abandoned_after", "%s is not longer than analysis.stale_after (%s); set it longer, e.g. %s, so stalled work is stale before it is abandoned",
			fmtDuration(a.AbandonedAfter), fmtDuration(a.StaleAfter), fmtDuration(max(def.AbandonedAfter, 2*a.StaleAfter)))
	}
	v.durationRange("analysis.reopened_window", a.ReopenedWindow, 24*time.Hour, 0, def.ReopenedWindow)
	if a.WIPLimit < 1 {
		v.add("analysis.wip_limit", "%d is too small; use 1 or more (default %d)", a.WIPLimit, def.WIPLimit)
	}
	if !(a.OverrunRatio > 1) {
		v.add("analysis.overrun_ratio", "%g must be greater than 1 (1.5 flags work that took 50%% longer than estimated)", a.OverrunRatio)
	}
	v.intRange("analysis.trials", a.Trials, 1000, 1_000_000, def.Trials)
	v.durationRange("analysis.history", a.History, 7*24*time.Hour, 0, def.History)
}

func (s *Slack) validate(v *validator, projects []string) {
	for _, sec := range []struct {
		key string
		val Secret
	}{{"slack.token", s.Token}, {"slack.signing_secret", s.SigningSecret}} {
		if sec.val.Value() != strings.TrimSpace(sec.val.Value()) {
			v.add(sec.key, "has spaces or a line break around it, which Slack refuses; remove them (a ${VAR} whose value ends in a newline does this)")
		}
	}
	if s.Token != "" && s.WebhookURL != "" {
		v.add("slack.token", "set together with slack.webhook_url; keep one: a token posts to each route's channel, a webhook only to its own channel")
	}
	if s.WebhookURL != "" {
		v.httpURL("slack.webhook_url", string(s.WebhookURL), true, "paste the Incoming Webhook URL of your Slack app")
	}
	if s.APIURL != "" {
		v.httpURL("slack.api_url", s.APIURL, false, "leave it unset for https://slack.com/api/")
		if !strings.HasSuffix(s.APIURL, "/") {
			v.add("slack.api_url", "must end with /")
		}
	} else {
		v.add("slack.api_url", "not set; leave it out of the file for https://slack.com/api/")
	}
	if s.MaxIndividual < 1 {
		v.add("slack.max_individual", "%d is too small; use 1 or more (default %d)", s.MaxIndividual, Default().Slack.MaxIndividual)
	}
	if s.SigningSecret != "" && s.Token == "" {
		v.add("slack.signing_secret", "set, but slack.token is not; buttons need a bot token to update messages: export RADAR_SLACK_TOKEN (xoxb-…) or remove the signing secret")
	}
	v.durationRange("slack.ack_reminder", s.AckReminder, time.Hour, 0, Default().Slack.AckReminder)
	if len(s.Routes) > 0 && s.Token == "" && s.WebhookURL == "" {
		v.add("slack.routes", "set, but neither slack.token nor slack.webhook_url is; export RADAR_SLACK_TOKEN or set slack.webhook_url (or remove the routes)")
	}
	first := map[string]int{} // channel and audience -> index of the first route with them
	for i, r := range s.Routes {
		path := fmt.Sprintf("slack.routes[%d]", i)
		// The alerter keeps a route's threads under its channel and audience:
		// two routes with both would share them.
		key := strings.TrimSpace(r.Channel) + "\x00" + r.Audience
		if j, dup := first[key]; dup {
			channel := fmt.Sprintf("%q", r.Channel)
			if strings.TrimSpace(r.Channel) == "" {
				channel = "the webhook's channel"
			}
			v.add(path+".channel", "%s with audience %s is also slack.routes[%d]'s; merge them: list both projects in one route (routes to one channel and audience share their threads)",
				channel, r.Audience, j)
		} else {
			first[key] = i
		}
		switch {
		case strings.TrimSpace(r.Channel) == "" && s.Token == "" && s.WebhookURL != "":
			// A webhook posts to its own channel.
		case strings.TrimSpace(r.Channel) == "":
			v.add(path+".channel", "not set; name a channel, e.g. #delivery-risk or C0123456789")
		case strings.ContainsAny(r.Channel, " \t\n"):
			v.add(path+".channel", "%q contains spaces; use the channel name (#delivery-risk) or id", r.Channel)
		}
		for j, p := range r.Projects {
			pp := fmt.Sprintf("%s.projects[%d]", path, j)
			switch {
			case !projectKey.MatchString(p):
				v.add(pp, "%q is not a project key (uppercase letters, digits, _)", p)
			case len(projects) > 0 && !slices.Contains(projects, p):
				v.add(pp, "%q is not in jira.projects; add it there or remove it here", p)
			}
		}
		for j, k := range r.Kinds {
			if !slices.Contains(radar.Kinds, radar.Kind(k)) {
				hint := "use one of " + strings.Join(radar.KindNames(), ", ")
				if best := closest(k, radar.KindNames()); best != "" {
					hint = fmt.Sprintf("did you mean %q?", best)
				}
				v.add(fmt.Sprintf("%s.kinds[%d]", path, j), "%q is not a finding kind; %s", k, hint)
			}
		}
		v.oneOf(path+".min_severity", r.MinSeverity, severities)
		v.oneOf(path+".audience", r.Audience, audiences)
		if r.Digest != "" {
			v.cron(path+".digest", r.Digest, `"0 9 * * MON-FRI" or "@daily"`)
		}
		if r.Report != "" {
			v.cron(path+".report", r.Report, `"0 9 * * MON"`)
		}
	}
}

func (h *HTTP) validate(v *validator) {
	const fix = `write host:port, e.g. 127.0.0.1:9317 or :9317`
	host, port, err := net.SplitHostPort(h.Listen)
	switch {
	case h.Listen == "":
		v.add("http.listen", "not set; "+fix)
	case err != nil:
		v.add("http.listen", "%q is not host:port; %s", h.Listen, fix)
	default:
		if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
			v.add("http.listen", "%q has a bad port; %s", h.Listen, fix)
		}
		if strings.ContainsAny(host, " /") {
			v.add("http.listen", "%q has a bad host; %s", h.Listen, fix)
		}
	}
	v.durationRange("http.ready_max_age", h.ReadyMaxAge, time.Minute, 0, Default().HTTP.ReadyMaxAge)
	if h.PublicURL != "" {
		v.httpURL("http.public_url", h.PublicURL, false, "set http.public_url to the absolute address users open the web UI at, e.g. https://radar.example.com, or leave it empty for no links")
	}
}

func (l *Log) validate(v *validator) {
	v.oneOf("log.format", l.Format, logFormats)
	if !slices.Contains(logLevels, strings.ToLower(l.Level)) {
		v.add("log.level", "%q is not one of %s", l.Level, strings.Join(logLevels, ", "))
	}
}

// fmtDuration prints whole days as "7d" and anything else as Go does, but
// without trailing zero units ("15m", not "15m0s").
func fmtDuration(d time.Duration) string {
	if d != 0 && d%(24*time.Hour) == 0 {
		return strconv.FormatInt(int64(d/(24*time.Hour)), 10) + "d"
	}
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
