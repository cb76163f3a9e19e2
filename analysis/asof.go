package analysis

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/radarhq/radar"
)

// MaxAsOfAhead is how far past the wall clock an as-of time may lie.
const MaxAsOfAhead = 366 * 24 * time.Hour

// CheckAsOf says whether t is a time the snapshot can answer for: from the
// creation of the first synced issue up to a year after wall (the real
// clock). The error names the flag and the range to use.
func CheckAsOf(snap radar.Snapshot, t, wall time.Time) error {
	first := FirstCreated(snap)
	switch {
	case t.IsZero():
		return fmt.Errorf("--now %s: the zero time is no moment to analyse; use a time between %s and %s",
			t.UTC().Format(time.RFC3339), timeOrUnknown(first), wall.Add(MaxAsOfAhead).UTC().Format(time.RFC3339))
	case !first.IsZero() && t.Before(first):
		return fmt.Errorf("--now %s: before the first synced issue was created (%s), there is nothing to analyse; use a later time",
			t.UTC().Format(time.RFC3339), first.UTC().Format(time.RFC3339))
	case t.After(wall.Add(MaxAsOfAhead)):
		return fmt.Errorf("--now %s: more than a year ahead of the clock (%s), forecasts would be fiction; use a time up to %s",
			t.UTC().Format(time.RFC3339), wall.UTC().Format(time.RFC3339), wall.Add(MaxAsOfAhead).UTC().Format(time.RFC3339))
	}
	return nil
}

func timeOrUnknown(t time.Time) string {
	if t.IsZero() {
		return "the first synced issue's creation"
	}
	return t.UTC().Format(time.RFC3339)
}

// FirstCreated is when the snapshot's first issue was created; zero when
// no issue has a creation time. Nothing can be replayed before it.
func FirstCreated(snap radar.Snapshot) time.Time {
	var first time.Time
	for i := range snap.Issues {
		if c := snap.Issues[i].Created; !c.IsZero() && (first.IsZero() || c.Before(first)) {
			first = c
		}
	}
	return first
}

// AsOf rebuilds the snapshot as it was at t from the stored changelogs:
// issues exist from their creation; status, resolution date, due date, fix
// versions, sprints, assignee, story points and dependency links are those in
// force at t (changes after t are undone); sprints and versions take their
// state at t, release dates the last one recorded at or before t. Notes say
// where Jira keeps no history and the present was used instead. The input is
// not modified; the same snapshot and t give the same result.
func AsOf(snap radar.Snapshot, t time.Time) (radar.Snapshot, []string) {
	t = t.UTC()
	out := radar.Snapshot{Statuses: snap.Statuses}
	statuses := radar.NewStatusCategories(snap.Statuses)
	byKey := make(map[string][]radar.Change, len(snap.Issues))
	for _, c := range snap.Changes {
		byKey[c.IssueKey] = append(byKey[c.IssueKey], c)
	}
	exists := make(map[string]bool, len(snap.Issues))
	noHistory, later, reopened := 0, 0, 0
	linksAdded := map[[2]string]bool{} // links made after t: {issue, other}
	linksLost := 0
	for _, is := range snap.Issues {
		if !is.Created.IsZero() && is.Created.After(t) {
			later++
			continue
		}
		is.FixVersions = slices.Clone(is.FixVersions)
		is.SprintIDs = slices.Clone(is.SprintIDs)
		cs := byKey[is.Key]
		slices.SortStableFunc(cs, func(a, b radar.Change) int { return a.Created.Compare(b.Created) })
		if len(cs) == 0 {
			noHistory++
		}
		var lastBefore time.Time
		var doneAt time.Time // the last move into done at or before t
		for _, c := range cs {
			if c.Created.After(t) {
				break
			}
			lastBefore = c.Created
			if c.FieldName() == "status" && statuses.Of(c.To, c.ToString) == radar.CategoryDone {
				doneAt = c.Created
			}
			out.Changes = append(out.Changes, c)
		}
		for k := len(cs) - 1; k >= 0 && cs[k].Created.After(t); k-- {
			if undo(&is, &cs[k], statuses) {
				linksAdded[[2]string{is.Key, strings.TrimSpace(cs[k].To)}] = true
			} else if cs[k].FieldName() == "link" && strings.TrimSpace(cs[k].From) != "" {
				linksLost++
			}
		}
		if is.Updated.After(t) {
			is.Updated = lastBefore
			if is.Updated.IsZero() || is.Updated.Before(is.Created) {
				is.Updated = is.Created
			}
		}
		switch {
		case !is.Done():
			is.Resolved = time.Time{}
		case is.Resolved.After(t) && doneAt.IsZero():
			// Resolved after t with no recorded move into done by then
			// (an issue without changelog): it was still open at t.
			is.Status, is.StatusID, is.StatusCategory, is.Resolved = "", "", radar.CategoryNew, time.Time{}
			reopened++
		case is.Resolved.After(t):
			is.Resolved = doneAt
		}
		exists[is.Key] = true
		out.Issues = append(out.Issues, is)
	}
	synced := make(map[string]bool, len(snap.Issues))
	for i := range snap.Issues {
		synced[snap.Issues[i].Key] = true
	}
	for _, d := range snap.Dependencies {
		// A dependency on an issue created after t did not exist yet; one
		// to an issue outside the scope is kept while its other end exists.
		if (!exists[d.Blocker] && synced[d.Blocker]) || (!exists[d.Blocked] && synced[d.Blocked]) {
			continue
		}
		if linksAdded[[2]string{d.Blocker, d.Blocked}] || linksAdded[[2]string{d.Blocked, d.Blocker}] {
			continue
		}
		out.Dependencies = append(out.Dependencies, d)
	}
	for _, sp := range snap.Sprints {
		switch {
		case !sp.Start.IsZero() && sp.Start.After(t):
			sp.State, sp.Complete = "future", time.Time{}
		case sp.State == "closed" && !sp.Complete.IsZero() && sp.Complete.After(t):
			sp.State, sp.Complete = "active", time.Time{}
		}
		out.Sprints = append(out.Sprints, sp)
	}
	out.Versions, out.VersionDates = versionsAsOf(snap, out.Issues, t)

	notes := []string{fmt.Sprintf("replayed as of %s from the changelogs: %d issues existed, %d created later are left out",
		t.Format(time.RFC3339), len(out.Issues), later)}
	if noHistory > 0 {
		notes = append(notes, fmt.Sprintf("%s no changelog: their status and fields are taken as they are now, resolution dates as recorded",
			plural(noHistory, "issue has", "issues have")))
	}
	if reopened > 0 {
		notes = append(notes, fmt.Sprintf("%s resolved after that time with no recorded status change are taken as open (status unknown, category new)",
			plural(reopened, "issue", "issues")))
	}
	notes = append(notes, "links: Jira records links in changelogs only partly; links with no recorded change are taken as they are now")
	if linksLost > 0 {
		notes = append(notes, fmt.Sprintf("%s removed after that time could not be restored (the changelog does not say its type or direction)",
			plural(linksLost, "link", "links")))
	}
	notes = append(notes, "versions: Jira keeps no history of released flags; a version counts as released at that time when it is released now and its release date had passed")
	return out, notes
}

// undo reverts one changelog item on is. It reports true when the item
// added a link (the caller drops that dependency).
func undo(is *radar.Issue, c *radar.Change, statuses radar.StatusCategories) bool {
	switch c.FieldName() {
	case "status":
		is.StatusID, is.Status = c.From, c.FromString
		if cat := statuses.Of(c.From, c.FromString); cat != "" {
			is.StatusCategory = cat
		}
	case "duedate":
		if d, ok := parseDate(c.From, c.FromString); ok {
			is.Due = time.Unix(d*86400, 0).UTC()
		} else {
			is.Due = time.Time{}
		}
	case "fix version":
		if to := strings.TrimSpace(c.To); to != "" {
			is.FixVersions = slices.DeleteFunc(is.FixVersions, func(id string) bool { return id == to })
		}
		if from := strings.TrimSpace(c.From); from != "" && !slices.Contains(is.FixVersions, from) {
			is.FixVersions = append(is.FixVersions, from)
		}
	case "sprint":
		is.SprintIDs = is.SprintIDs[:0]
		for _, s := range splitIDs(c.From) {
			if id, err := strconv.ParseInt(s, 10, 64); err == nil {
				is.SprintIDs = append(is.SprintIDs, id)
			}
		}
	case "assignee":
		if is.AssigneeID != c.From {
			is.AssigneeEmail = ""
		}
		is.AssigneeID, is.AssigneeName = c.From, c.FromString
	case "story points", "story point estimate":
		is.StoryPoints = nil
		if f, err := strconv.ParseFloat(strings.TrimSpace(cmpOr(c.FromString, c.From)), 64); err == nil {
			is.StoryPoints = &f
		}
	case "link":
		return strings.TrimSpace(c.To) != "" && strings.TrimSpace(c.From) == ""
	}
	return false
}

func cmpOr(a, b string) string {
	if strings.TrimSpace(a) != "" {
		return a
	}
	return b
}

// versionsAsOf returns the versions as they were at t: none first recorded
// after t with no open issue then; the release date last recorded at or
// before t (else the earliest recorded, else today's), and
// released only when released now and the release date had passed, or,
// without a date, when none of its issues was open at t.
func versionsAsOf(snap radar.Snapshot, issues []radar.Issue, t time.Time) ([]radar.Version, []radar.VersionDate) {
	dates := map[string][]radar.VersionDate{}
	var kept []radar.VersionDate
	for _, d := range snap.VersionDates {
		dates[d.VersionID] = append(dates[d.VersionID], d)
		if !d.ObservedAt.After(t) {
			kept = append(kept, d)
		}
	}
	openIn := map[string]bool{}
	for i := range issues {
		if !issues[i].Done() {
			for _, id := range issues[i].FixVersions {
				openIn[id] = true
			}
		}
	}
	out := make([]radar.Version, 0, len(snap.Versions))
	for _, v := range snap.Versions {
		if ds := dates[v.ID]; len(ds) > 0 {
			slices.SortStableFunc(ds, func(a, b radar.VersionDate) int { return a.ObservedAt.Compare(b.ObservedAt) })
			if ds[0].ObservedAt.After(t) && !openIn[v.ID] && (v.StartDate.IsZero() || v.StartDate.After(t)) {
				continue // first seen after t, and nothing of it existed then
			}
			v.ReleaseDate = releaseDateAt(ds, t)
		}
		if v.Released {
			switch {
			case !v.ReleaseDate.IsZero():
				v.Released = !v.ReleaseDate.After(t)
			default:
				v.Released = !openIn[v.ID]
			}
			if !v.Released {
				v.Archived = false
			}
		}
		out = append(out, v)
	}
	return out, kept
}

// releaseDateAt is the release date last recorded at or before t among a
// version's recorded dates (sorted by observation), else the earliest.
func releaseDateAt(ds []radar.VersionDate, t time.Time) time.Time {
	rd := ds[0].ReleaseDate
	for _, d := range ds {
		if d.ObservedAt.After(t) {
			break
		}
		rd = d.ReleaseDate
	}
	return rd
}
