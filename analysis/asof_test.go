package analysis

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/radarhq/radar"
)

// historySnapshot is one issue with a full history: created 2026-01-01,
// moved through sprints, versions, assignees, points, due dates and a
// link, done on 2026-02-20; and one issue created after all that.
func historySnapshot() radar.Snapshot {
	day := func(d int) time.Time { return time.Date(2026, 1, d, 10, 0, 0, 0, time.UTC) }
	pts := 8.0
	s := radar.Snapshot{
		Statuses: []radar.Status{{ID: "1", Name: "To Do", Category: radar.CategoryNew}, {ID: "3", Name: "In Progress", Category: radar.CategoryInProgress},
			{ID: "5", Name: "Done", Category: radar.CategoryDone}},
		Issues: []radar.Issue{
			{ID: "1", Key: "P-1", Project: "P", Type: "Story", Status: "Done", StatusID: "5", StatusCategory: radar.CategoryDone,
				AssigneeID: "bob", AssigneeName: "Bob", Created: day(1), Updated: day(51), Resolved: day(51),
				Due: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), StoryPoints: &pts, FixVersions: []string{"v2"}, SprintIDs: []int64{2}},
			{ID: "2", Key: "P-2", Project: "P", Type: "Story", Status: "To Do", StatusID: "1", StatusCategory: radar.CategoryNew,
				Created: day(40), Updated: day(40)},
			{ID: "3", Key: "P-3", Project: "P", Type: "Story", Status: "To Do", StatusID: "1", StatusCategory: radar.CategoryNew,
				Created: day(1), Updated: day(1)},
		},
		Dependencies: []radar.Dependency{
			{LinkID: "10", Type: "Blocks", Blocker: "P-3", Blocked: "P-1"},
			{LinkID: "11", Type: "Blocks", Blocker: "P-2", Blocked: "P-1"},
		},
		Sprints: []radar.Sprint{
			{ID: 1, Name: "S1", State: "closed", Start: day(1), End: day(15), Complete: day(15)},
			{ID: 2, Name: "S2", State: "closed", Start: day(15), End: day(29), Complete: day(29)},
		},
		Versions: []radar.Version{
			{ID: "v1", Project: "P", Name: "1.0", Released: true, ReleaseDate: time.Date(2026, 1, 20, 0, 0, 0, 0, time.UTC)},
			{ID: "v2", Project: "P", Name: "2.0", Released: true, ReleaseDate: time.Date(2026, 2, 25, 0, 0, 0, 0, time.UTC)},
		},
		VersionDates: []radar.VersionDate{
			{VersionID: "v2", ObservedAt: day(2), ReleaseDate: time.Date(2026, 2, 10, 0, 0, 0, 0, time.UTC)},
			{VersionID: "v2", ObservedAt: day(30), ReleaseDate: time.Date(2026, 2, 25, 0, 0, 0, 0, time.UTC)},
		},
	}
	ch := func(d int, field, from, fromS, to, toS string) radar.Change {
		return radar.Change{IssueKey: "P-1", HistoryID: field + from + to, Created: day(d), Field: field, From: from, FromString: fromS, To: to, ToString: toS}
	}
	s.Changes = []radar.Change{
		ch(5, "status", "1", "To Do", "3", "In Progress"),
		ch(5, "assignee", "", "", "ann", "Ann"),
		ch(6, "Fix Version", "", "", "v1", "1.0"),
		ch(6, "Sprint", "", "", "1", "S1"),
		ch(7, "Story Points", "", "3", "", "5"),
		ch(8, "duedate", "", "", "2026-01-18", "2026-01-18"),
		ch(16, "Sprint", "1", "S1", "1, 2", "S1, S2"),
		ch(20, "duedate", "2026-01-18", "2026-01-18", "2026-03-01", "2026-03-01"),
		ch(21, "Fix Version", "v1", "1.0", "", ""),
		ch(21, "Fix Version", "", "", "v2", "2.0"),
		ch(25, "assignee", "ann", "Ann", "bob", "Bob"),
		ch(26, "Story Points", "", "5", "", "8"),
		ch(27, "Link", "", "", "P-3", "This issue is blocked by P-3"),
		ch(51, "status", "3", "In Progress", "5", "Done"),
	}
	return s
}

func TestAsOfUndoesHistoryAfterTheMoment(t *testing.T) {
	snap := historySnapshot()
	at := time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC)
	past, notes := AsOf(snap, at)
	if len(past.Issues) != 2 {
		t.Fatalf("issues %d, want 2 (P-2 was created later)", len(past.Issues))
	}
	is := past.Issues[0]
	if is.StatusCategory != radar.CategoryInProgress || !is.Resolved.IsZero() {
		t.Errorf("status %s %s resolved %v, want in progress and unresolved", is.Status, is.StatusCategory, is.Resolved)
	}
	if is.AssigneeID != "ann" || is.AssigneeName != "Ann" {
		t.Errorf("assignee %s (%s), want ann", is.AssigneeID, is.AssigneeName)
	}
	if got := is.Due.Format(time.DateOnly); got != "2026-01-18" {
		t.Errorf("due %s, want 2026-01-18", got)
	}
	if !slices.Equal(is.FixVersions, []string{"v1"}) || !slices.Equal(is.SprintIDs, []int64{1}) {
		t.Errorf("versions %v sprints %v, want [v1] [1]", is.FixVersions, is.SprintIDs)
	}
	if is.StoryPoints == nil || *is.StoryPoints != 5 {
		t.Errorf("story points %v, want 5", is.StoryPoints)
	}
	if !is.Updated.Equal(time.Date(2026, 1, 8, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("updated %v, want the last change before the moment", is.Updated)
	}
	if len(past.Dependencies) != 0 {
		t.Errorf("dependencies %+v: P-3's link was made on the 27th and P-2 did not exist", past.Dependencies)
	}
	if past.Sprints[0].State != "active" || past.Sprints[1].State != "future" {
		t.Errorf("sprint states %s, %s; want active, future", past.Sprints[0].State, past.Sprints[1].State)
	}
	for _, v := range past.Versions {
		if v.Released {
			t.Errorf("version %s released at the moment; its date had not come", v.Name)
		}
		if v.ID == "v2" && v.ReleaseDate.Format(time.DateOnly) != "2026-02-10" {
			t.Errorf("2.0 release date %s, want the one recorded then, 2026-02-10", v.ReleaseDate.Format(time.DateOnly))
		}
	}
	if !strings.Contains(strings.Join(notes, "\n"), "links") {
		t.Errorf("notes %q do not say links have partial history", notes)
	}
	// The input is left alone.
	if snap.Issues[0].AssigneeID != "bob" || !slices.Equal(snap.Issues[0].FixVersions, []string{"v2"}) {
		t.Errorf("AsOf changed its input: %+v", snap.Issues[0])
	}
}

func TestAsOfWithoutChangelogUsesResolutionDates(t *testing.T) {
	snap := historySnapshot()
	snap.Changes = nil
	past, _ := AsOf(snap, time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC))
	if is := past.Issues[0]; is.Done() || !is.Resolved.IsZero() {
		t.Errorf("P-1 done %v resolved %v at a moment before its resolution, want open", is.Done(), is.Resolved)
	}
	past, _ = AsOf(snap, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	if is := past.Issues[0]; !is.Done() {
		t.Errorf("P-1 open after its resolution date")
	}
}

// The replayed analysis is byte-identical for a snapshot and moment, and
// days_since_update is never negative.
func TestAsOfAnalysisIsReproducible(t *testing.T) {
	snap := historySnapshot()
	at := time.Date(2026, 1, 26, 12, 0, 0, 0, time.UTC)
	render := func() []byte {
		past, notes := AsOf(snap, at)
		rep := Analyze(past, Options{Now: at, Trials: 200})
		rep.Replay = &radar.Replay{AsOf: at, Notes: notes}
		var b bytes.Buffer
		if err := WriteJSON(&b, rep); err != nil {
			t.Fatal(err)
		}
		for _, f := range rep.Findings {
			d := 0
			switch e := f.Evidence.(type) {
			case radar.BlockerFacts:
				d = e.DaysSinceUpdate
			case radar.StaleFacts:
				d = e.DaysSinceUpdate
			}
			if d < 0 {
				t.Errorf("%s: days_since_update %d", f.ID, d)
			}
		}
		return b.Bytes()
	}
	if a, b := render(), render(); !bytes.Equal(a, b) {
		t.Errorf("two replays of the same moment differ:\n%s", firstDiff(string(a), string(b)))
	}
}

func TestCheckAsOfRefusesMomentsOutsideTheData(t *testing.T) {
	snap := historySnapshot()
	wall := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		at   time.Time
		want string // "" accepts
	}{
		{time.Time{}, "zero time"},
		{time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC), "before the first synced issue"},
		{time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC), "more than a year ahead"},
		{time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC), ""},
		{wall.AddDate(1, 0, 0), ""},
	}
	for _, tt := range tests {
		err := CheckAsOf(snap, tt.at, wall)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%v: %v, want accepted", tt.at, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%v: %v, want an error saying %q", tt.at, err, tt.want)
		}
	}
}
