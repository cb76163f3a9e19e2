package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/radarhq/radar"
	"github.com/radarhq/radar/store/storetest"
)

func day(s string) int64 {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t.UnixMilli()
}

func TestLoadSnapshot(t *testing.T) {
	s := storetest.Open(t)
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC).UnixMilli()
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := s.DB().Exec(q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	// PAY-1 moved from OLD-7 (links still name the old key); PAY-2 is
	// removed from the scope; EXT-9 was never in scope.
	exec(`INSERT INTO issues (id, key, project, scope, type, summary, status, status_id, status_category, assignee_id, assignee_name,
		assignee_email, created, updated, due, story_points, original_estimate, remaining_estimate, time_spent, epic_key,
		labels, components, fix_versions, flagged, synced_at) VALUES
		('1', 'PAY-1', 'PAY', 'PAY', 'Story', 'Pay <now>', 'In Progress', '3', 'indeterminate', 'u1', 'Ann', 'ann@example.com',
		 ?, ?, ?, 5, 28800, 14400, 36000, 'PAY-9', '["a"]', '["api"]', '["101"]', 1, ?)`, now-86400000, now, day("2026-03-10"), now)
	exec(`INSERT INTO issues (id, key, project, scope, status_category, synced_at, removed_at) VALUES ('2', 'PAY-2', 'PAY', 'PAY', 'new', ?, ?)`, now, now)
	exec(`INSERT INTO issues (id, key, project, scope, status_category, synced_at) VALUES ('3', 'PAY-3', 'PAY', 'PAY', 'done', ?)`, now)
	exec(`INSERT INTO links (id, type, blocker_id, blocker_key, blocked_id, blocked_key) VALUES
		('500', 'Blocks', '1', 'OLD-7', '3', 'PAY-3'),
		('501', 'Blocks', '99', 'EXT-9', '1', 'OLD-7'),
		('502', 'Blocks', '2', 'PAY-2', '3', 'PAY-3')`)
	exec(`INSERT INTO changelog (issue_id, history_id, seq, author, created, field, field_id, from_value, from_string, to_value, to_string) VALUES
		('1', 'h2', 0, 'a', ?, 'status', 'status', '1', 'To Do', '3', 'In Progress'),
		('1', 'h1', 0, 'a', ?, 'duedate', 'duedate', '2026-03-01', '', '2026-03-10', ''),
		('2', 'h3', 0, 'a', ?, 'status', 'status', '1', 'To Do', '3', 'In Progress')`, now-1000, now-2000, now)
	exec(`INSERT INTO sprints (id, name, state, board_id, start, end) VALUES (4, 'Sprint 4', 'active', 7, ?, ?)`, now-86400000, now+86400000)
	exec(`INSERT INTO issue_sprints (issue_id, sprint_id) VALUES ('1', 4)`)
	exec(`INSERT INTO versions (id, project, name, released, release_date) VALUES ('101', 'PAY', '1.0', 0, ?)`, day("2026-04-01"))
	exec(`INSERT INTO versions (id, project, name, removed_at) VALUES ('102', 'PAY', 'gone', ?)`, now)
	exec(`INSERT INTO version_dates (version_id, observed_at, release_date) VALUES ('101', ?, ?), ('101', ?, NULL)`, now, day("2026-04-01"), now-5000)
	exec(`INSERT INTO statuses (id, name, category) VALUES ('3', 'In Progress', 'indeterminate'), ('1', 'To Do', 'new')`)

	snap, err := s.LoadSnapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(snap.Issues), 2; got != want {
		t.Fatalf("issues = %d, want %d (the removed one left out)", got, want)
	}
	is := snap.Issues[0]
	pts := 5.0
	want := radar.Issue{ID: "1", Key: "PAY-1", Project: "PAY", Type: "Story", Summary: "Pay <now>", Status: "In Progress", StatusID: "3",
		StatusCategory: radar.CategoryInProgress, AssigneeID: "u1", AssigneeName: "Ann", AssigneeEmail: "ann@example.com",
		Created: time.UnixMilli(now - 86400000).UTC(), Updated: time.UnixMilli(now).UTC(), Due: time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC),
		StoryPoints: &pts, OriginalEstimate: 8 * time.Hour, RemainingEstimate: 4 * time.Hour, TimeSpent: 10 * time.Hour,
		EpicKey: "PAY-9", Labels: []string{"a"}, Components: []string{"api"}, FixVersions: []string{"101"}, SprintIDs: []int64{4}, Flagged: true}
	if got := is; got.Key != want.Key || got.Summary != want.Summary || !got.Created.Equal(want.Created) || !got.Due.Equal(want.Due) ||
		*got.StoryPoints != 5 || got.OriginalEstimate != want.OriginalEstimate || got.RemainingEstimate != want.RemainingEstimate ||
		got.TimeSpent != want.TimeSpent || got.EpicKey != want.EpicKey || len(got.FixVersions) != 1 || got.FixVersions[0] != "101" ||
		len(got.SprintIDs) != 1 || got.SprintIDs[0] != 4 || !got.Flagged || got.AssigneeEmail != want.AssigneeEmail ||
		got.StatusCategory != want.StatusCategory || len(got.Labels) != 1 || len(got.Components) != 1 {
		t.Errorf("issue PAY-1 =\n%+v\nwant\n%+v", got, want)
	}
	deps := map[string]radar.Dependency{}
	for _, d := range snap.Dependencies {
		deps[d.LinkID] = d
	}
	for id, w := range map[string][2]string{"500": {"PAY-1", "PAY-3"}, "501": {"EXT-9", "PAY-1"}, "502": {"PAY-2", "PAY-3"}} {
		if got := [2]string{deps[id].Blocker, deps[id].Blocked}; got != w {
			t.Errorf("link %s = %v, want %v (current keys of in-scope issues, stored keys otherwise)", id, got, w)
		}
	}
	if got, want := len(snap.Changes), 2; got != want {
		t.Fatalf("changes = %d, want %d (the removed issue's left out)", got, want)
	}
	if snap.Changes[0].Field != "duedate" || snap.Changes[0].IssueKey != "PAY-1" || snap.Changes[1].Field != "status" {
		t.Errorf("changes = %+v, want PAY-1's duedate then status, in time order", snap.Changes)
	}
	if len(snap.Sprints) != 1 || snap.Sprints[0].Name != "Sprint 4" || snap.Sprints[0].State != "active" || snap.Sprints[0].End.IsZero() {
		t.Errorf("sprints = %+v", snap.Sprints)
	}
	if len(snap.Versions) != 1 || snap.Versions[0].Name != "1.0" || !snap.Versions[0].ReleaseDate.Equal(time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("versions = %+v, want 1.0 only", snap.Versions)
	}
	if len(snap.VersionDates) != 2 || !snap.VersionDates[0].ReleaseDate.IsZero() || snap.VersionDates[1].ReleaseDate.IsZero() {
		t.Errorf("version dates = %+v, want the removed date then 2026-04-01, in time order", snap.VersionDates)
	}
	if len(snap.Statuses) != 2 || snap.Statuses[0].ID != "1" || snap.Statuses[1].Category != radar.CategoryInProgress {
		t.Errorf("statuses = %+v", snap.Statuses)
	}
}

func TestLoadSnapshotEmpty(t *testing.T) {
	snap, err := storetest.Open(t).LoadSnapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Issues)+len(snap.Dependencies)+len(snap.Changes)+len(snap.Versions) != 0 {
		t.Errorf("empty store gave %+v", snap)
	}
}
