package radar

import (
	"net/url"
	"regexp"
)

// issueKey matches a Jira issue key such as "PAY-12".
var issueKey = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*-[0-9]+$`)

// IsIssueKey reports whether s has the form of a Jira issue key ("PAY-12").
func IsIssueKey(s string) bool { return issueKey.MatchString(s) }

// IssuePath is the web UI's path of an issue's page, e.g. "/issues/PAY-12".
func IssuePath(key string) string { return "/issues/" + url.PathEscape(key) }

// ReleasePath is the web UI's path of a version's page, e.g.
// "/releases/PAY/2.1"; the name is escaped, so any version name works.
func ReleasePath(project, version string) string {
	return "/releases/" + url.PathEscape(project) + "/" + url.PathEscape(version)
}

// Release names the release (project and version) a finding is about: a
// version's own finding (scope creep, a slipped release date), or a
// release at risk or overdue, whose subject is the version; ok is false
// for findings about anything else.
func (f Finding) Release() (project, version string, ok bool) {
	if f.Project == "" {
		return "", "", false
	}
	if v := f.Version(); v != "" {
		return f.Project, v, true
	}
	if (f.Kind == KindReleaseAtRisk || f.Kind == KindReleaseOverdue) && f.Issue != "" {
		return f.Project, f.Issue, true
	}
	return "", "", false
}

// PagePath is the web UI's page for a finding, relative to the UI's base
// URL: the version's page for findings about a release, the issue's page
// for findings about an issue, else the findings list filtered to the
// finding's project and kind (sprints and assignees have no page).
func (f Finding) PagePath() string {
	if project, version, ok := f.Release(); ok {
		return ReleasePath(project, version)
	}
	if IsIssueKey(f.Issue) {
		return IssuePath(f.Issue)
	}
	q := url.Values{}
	if f.Project != "" {
		q.Set("project", f.Project)
	}
	q.Set("kind", string(f.Kind))
	return "/findings?" + q.Encode()
}
