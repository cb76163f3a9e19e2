package report_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/radarhq/radar"
	"github.com/radarhq/radar/alerts"
	"github.com/radarhq/radar/analysis"
	"github.com/radarhq/radar/report"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// scenario is PAY's release 1.0, due 2026-04-03, a week apart: the team
// finishes two issues a week all along, PAY-5 blocks PAY-6 and PAY-7, and
// between the two reports six issues (PAY-101 to PAY-106) are added to
// the release, which moves its forecast later.
func scenario(now time.Time, added bool) radar.Snapshot {
	s := radar.Snapshot{Versions: []radar.Version{{ID: "10", Project: "PAY", Name: "1.0", ReleaseDate: time.Date(2026, 4, 3, 0, 0, 0, 0, time.UTC)}}}
	issue := func(key string, done bool, created, resolved time.Time, versions ...string) radar.Issue {
		is := radar.Issue{ID: key, Key: key, Project: "PAY", Type: "Story", Summary: key + " <work> & more", Status: "To Do", StatusCategory: radar.CategoryNew,
			Created: created, Updated: created, FixVersions: versions, AssigneeID: "u1", AssigneeName: "Ada"}
		if done {
			is.Status, is.StatusCategory, is.Resolved, is.Updated = "Done", radar.CategoryDone, resolved, resolved
		}
		return is
	}
	end := time.Date(2026, 3, 16, 9, 0, 0, 0, time.UTC) // the second report
	start := end.AddDate(0, 0, -84)
	// Two issues done a week, outside the release, for twelve weeks.
	for k := 1; k <= 24; k++ {
		resolved := end.Add(-time.Duration(k) * 84 * time.Hour)
		if resolved.After(now) {
			continue
		}
		s.Issues = append(s.Issues, issue(fmt.Sprintf("PAY-%d", 200+k), true, start, resolved))
	}
	for k := 1; k <= 12; k++ {
		done := k <= 4
		s.Issues = append(s.Issues, issue(fmt.Sprintf("PAY-%d", k), done, start, start.AddDate(0, 0, 7*k), "10"))
	}
	if added {
		for k := 101; k <= 106; k++ {
			s.Issues = append(s.Issues, issue(fmt.Sprintf("PAY-%d", k), false, now.AddDate(0, 0, -2), time.Time{}, "10"))
		}
	}
	for _, blocked := range []string{"PAY-6", "PAY-7"} {
		s.Dependencies = append(s.Dependencies, radar.Dependency{LinkID: "l-" + blocked, Type: "Blocks", Blocker: "PAY-5", Blocked: blocked})
	}
	return s
}

// trackRecord is the forecasts' track record the last backtest recorded
// (store.LastTrackRecord), which the service hands the analysis.
var trackRecord = &radar.TrackRecord{Cases: 64, P50Coverage: 0.55, P85Coverage: 0.81, P95Coverage: 0.9}

func analyse(s radar.Snapshot, now time.Time) radar.Report {
	return analysis.Analyze(s, analysis.Options{Now: now, Trials: 2000, Seed: 1, TrackRecord: trackRecord})
}

func TestReportGolden(t *testing.T) {
	first := time.Date(2026, 3, 9, 9, 0, 0, 0, time.UTC)
	second := first.AddDate(0, 0, 7)
	rep1 := analyse(scenario(first, false), first)
	snap2 := scenario(second, true)
	rep2 := analyse(snap2, second)
	for i, f := range rep2.Findings {
		if f.ID == "blocker:PAY-5" {
			rep2.Findings[i].Ack = &radar.Ack{State: radar.AckAcknowledged, By: "ada", At: first, Note: "pairing with <ops> on the migration & rollout"}
		}
	}
	for _, audience := range []string{report.AudienceTeam, report.AudienceExec} {
		_, base := report.Build(report.Input{Now: first, Window: 7 * 24 * time.Hour, Project: "PAY", Audience: audience,
			Analysis: rep1, Snapshot: scenario(first, false)})
		st, _ := report.Build(report.Input{Now: second, Window: 7 * 24 * time.Hour, Project: "PAY", Audience: audience,
			Analysis: rep2, Snapshot: snap2, Changes: report.ChangesBetween(rep1.Findings, rep2.Findings), Previous: &base})

		if len(st.Releases) != 1 {
			t.Fatalf("%s: %d releases, want PAY 1.0", audience, len(st.Releases))
		}
		r := st.Releases[0]
		if r.MovedDays <= 0 || len(r.Reasons) == 0 || r.Reasons[0].Kind != radar.ReasonScopeAdded || len(r.Reasons[0].Issues) != 6 {
			t.Errorf("%s: forecast moved %d days for %+v; want later, first for the six issues added", audience, r.MovedDays, r.Reasons)
		}
		d := report.Lay(st)
		for _, f := range []struct {
			ext   string
			write func(*bytes.Buffer) error
		}{
			{"md", func(b *bytes.Buffer) error { return report.WriteMarkdown(b, d) }},
			{"html", func(b *bytes.Buffer) error { return report.WriteHTML(b, d) }},
			{"slack.json", func(b *bytes.Buffer) error {
				enc := json.NewEncoder(b)
				enc.SetIndent("", "  ")
				enc.SetEscapeHTML(false)
				return enc.Encode(alerts.ReportMessages(d))
			}},
		} {
			t.Run(audience+"."+f.ext, func(t *testing.T) {
				var b bytes.Buffer
				if err := f.write(&b); err != nil {
					t.Fatal(err)
				}
				golden(t, filepath.Join("testdata", audience+"."+f.ext), b.Bytes())
				if audience == report.AudienceTeam && !strings.Contains(b.String(), "PAY-101") {
					t.Error("the team report does not name the issues whose addition moved the forecast")
				}
				if !strings.Contains(b.String(), "P85 held in 81% of 64 past cases") {
					t.Error("the report does not give the forecasts' track record from the backtest")
				}
				if strings.Contains(b.String(), "<ops>") || strings.Contains(b.String(), "<work>") {
					t.Error("untrusted text is not escaped")
				}
			})
		}
	}
}

// TestReplayedReportGolden: a report as of a past time, whose baseline is
// the report replayed at the window's start, says it was replayed, from
// when, and how, in every audience's Markdown.
func TestReplayedReportGolden(t *testing.T) {
	first := time.Date(2026, 3, 9, 9, 0, 0, 0, time.UTC)
	second := first.AddDate(0, 0, 7)
	snap1 := scenario(first, false)
	rep1 := analyse(snap1, first)
	snap2 := scenario(second, true)
	rep2 := analyse(snap2, second)
	rep2.Replay = &radar.Replay{AsOf: second, Notes: []string{"replayed as of 2026-03-16T09:00:00Z from the changelogs: 42 issues existed, 0 created later are left out"}}
	for _, audience := range []string{report.AudienceTeam, report.AudienceExec} {
		t.Run(audience, func(t *testing.T) {
			_, base := report.Build(report.Input{Now: first, Window: 7 * 24 * time.Hour, Project: "PAY", Audience: audience,
				Analysis: rep1, Snapshot: snap1})
			st, _ := report.Build(report.Input{Now: second, Window: 7 * 24 * time.Hour, Project: "PAY", Audience: audience,
				Analysis: rep2, Snapshot: snap2, Changes: report.ChangesBetween(rep1.Findings, rep2.Findings), Previous: &base})
			if st.Replay != rep2.Replay {
				t.Errorf("the status report's replay is %+v, want the analysis's", st.Replay)
			}
			var b bytes.Buffer
			if err := report.WriteMarkdown(&b, report.Lay(st)); err != nil {
				t.Fatal(err)
			}
			golden(t, filepath.Join("testdata", audience+".replay.md"), b.Bytes())
			for _, want := range []string{"as of 2026-03-16 09:00 UTC, replayed", "changes since 2026-03-09 09:00 UTC, replayed too", "## Replay", "42 issues existed", "Not recorded"} {
				if !strings.Contains(b.String(), want) {
					t.Errorf("the replayed report lacks %q", want)
				}
			}
		})
	}
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (go test -update rewrites it):\n%s", path, got)
	}
}

func TestReportEscapesUntrustedText(t *testing.T) {
	evil := "PAY-1 <script>alert(1)</script> [x](http://evil) **bold** |cell|\n# heading \u202eevil"
	st := radar.StatusReport{GeneratedAt: time.Date(2026, 3, 16, 9, 0, 0, 0, time.UTC), Audience: report.AudienceTeam,
		Risks: []radar.Finding{{ID: "stale:PAY-1", Kind: radar.KindStale, Severity: radar.SeverityCritical, Issue: "PAY-1", Title: evil,
			Ack: &radar.Ack{State: radar.AckAcknowledged, By: "<!channel>", Note: evil}}}}
	st.NextSteps = []radar.NextStep{{Finding: st.Risks[0], Owner: "<!channel>", Note: evil}}
	d := report.Lay(st)
	tests := []struct {
		name  string
		write func(*bytes.Buffer) error
		bad   []string
	}{
		{"markdown", func(b *bytes.Buffer) error { return report.WriteMarkdown(b, d) }, []string{"<script>", " [x](", "**bold**", "\n# heading", "\u202e", "|cell|"}},
		{"html", func(b *bytes.Buffer) error { return report.WriteHTML(b, d) }, []string{"<script>", "\u202e", "<!channel>"}},
		{"slack", func(b *bytes.Buffer) error { return json.NewEncoder(b).Encode(alerts.ReportMessages(d)) }, []string{"<script>", "<!channel>", `\u003cscript`, `\u003c!channel`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := tt.write(&b); err != nil {
				t.Fatal(err)
			}
			for _, bad := range tt.bad {
				if strings.Contains(b.String(), bad) {
					t.Errorf("output holds %q:\n%s", bad, b.String())
				}
			}
		})
	}
}
