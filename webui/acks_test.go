package webui

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/radarhq/radar"
)

// ackedSite is smallSite with people's answers: A-1's blocker acknowledged
// by ada with an untrusted note, A-2's snoozed for a week, the cycle
// dismissed, and A-3's snoozed by a snooze that already ended.
func ackedSite(t *testing.T) (*UI, time.Time) {
	t.Helper()
	u, snap, rep := smallSite(t)
	now := rep.GeneratedAt.Add(time.Hour)
	at := rep.GeneratedAt.Add(-24 * time.Hour)
	acks := map[string]radar.Ack{
		"blocker:A-1":              {State: radar.AckAcknowledged, By: "ada", At: at, Note: `vendor fix <img src=x onerror=alert(1)> Friday`},
		"blocker:A-2":              {State: radar.AckSnoozed, By: "bob", At: at, Until: at.AddDate(0, 0, 7)},
		"dependency_cycle:A-5,A-6": {State: radar.AckDismissed, By: "cy", At: at},
		"blocker:A-3":              {State: radar.AckSnoozed, By: "dee", At: at.AddDate(0, 0, -8), Until: at.AddDate(0, 0, -1)},
	}
	u2, err := New(Options{JiraURL: u.opts.JiraURL, Now: func() time.Time { return now },
		Acks: func(context.Context) (map[string]radar.Ack, error) { return acks, nil }})
	if err != nil {
		t.Fatal(err)
	}
	u2.Update(snap, rep)
	return u2, now
}

func TestFindingsShowOwnersAndStates(t *testing.T) {
	u, _ := ackedSite(t)
	code, body := serve(t, u, "/findings")
	if code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	for _, want := range []string{"<th>Owner</th>", `<td class="owner ack-acknowledged">owner ada<span class="note">vendor fix &lt;img src=x onerror=alert(1)&gt; Friday</span>`,
		`ack-snoozed">snoozed by bob until 2026-03-08`, `ack-dismissed">not a risk, says cy`, `ack-unowned">unowned (snooze ended)`,
		`<option value="acknowledged">acknowledged</option>`} {
		if !strings.Contains(body, want) {
			t.Errorf("the findings list lacks %q", want)
		}
	}
	if strings.Contains(body, "<img") {
		t.Error("the note became markup")
	}
}

func TestFindingsFilterByState(t *testing.T) {
	u, _ := ackedSite(t)
	tests := []struct {
		state string
		want  []string // the finding subjects shown
	}{
		{"acknowledged", []string{"A-1"}},
		{"snoozed", []string{"A-2"}},
		{"dismissed", []string{"A-5"}},
		{"unowned", []string{"A-3", "A-6", "A 1.0 &lt;x&gt;"}},
	}
	for _, tt := range tests {
		t.Run(tt.state, func(t *testing.T) {
			code, body := serve(t, u, "/findings?state="+tt.state)
			if code != http.StatusOK {
				t.Fatalf("status %d", code)
			}
			rows := strings.Count(body, `<tr class="finding`)
			for _, s := range tt.want {
				if !strings.Contains(body, ">"+s+"</a></td>") {
					t.Errorf("%s is not listed", s)
				}
			}
			if tt.state != "unowned" && rows != len(tt.want) {
				t.Errorf("%d rows, want %d", rows, len(tt.want))
			}
			if tt.state == "unowned" && (strings.Contains(body, ">A-1</a></td>") || strings.Contains(body, ">A-2</a></td>")) {
				t.Error("an owned or snoozed finding shows as unowned")
			}
		})
	}
	// The free text finds an owner and words of a note.
	if _, body := serve(t, u, "/findings?q=vendor+fix"); strings.Count(body, `<tr class="finding`) != 1 {
		t.Error("searching a note's words does not find its finding")
	}
	if code, body := serve(t, u, "/findings?state=mine"); code != http.StatusBadRequest || !strings.Contains(body, "state &#34;mine&#34;: not a finding state") {
		t.Errorf("state=mine: status %d, want 400 naming the parameter", code)
	}
}

func TestIssuePageShowsTheAck(t *testing.T) {
	u, _ := ackedSite(t)
	_, body := serve(t, u, radar.IssuePath("A-1"))
	for _, want := range []string{`<p class="ack ack-acknowledged">Acknowledged by ada on 2026-03-01 09:00 UTC: they own it</p>`,
		`<blockquote class="note">vendor fix &lt;img src=x onerror=alert(1)&gt; Friday</blockquote>`} {
		if !strings.Contains(body, want) {
			t.Errorf("A-1's page lacks %q", want)
		}
	}
	_, body = serve(t, u, radar.IssuePath("A-6"))
	if !strings.Contains(body, "Not a risk, says cy") {
		t.Error("a cycle member's page does not say the cycle was marked not a risk")
	}
	_, body = serve(t, u, radar.IssuePath("A-3"))
	if !strings.Contains(body, "Unowned: the snooze by dee ended 2026-02-28 09:00 UTC") {
		t.Error("an ended snooze is not shown as ended")
	}
}

// When the acks cannot be read the pages still show, saying what is
// missing.
func TestAcksUnreadable(t *testing.T) {
	_, snap, rep := smallSite(t)
	u, err := New(Options{Acks: func(context.Context) (map[string]radar.Ack, error) { return nil, errors.New("database is locked") }})
	if err != nil {
		t.Fatal(err)
	}
	u.Update(snap, rep)
	for _, p := range []string{"/findings", radar.IssuePath("A-1"), radar.ReleasePath("A", "1.0 <x>")} {
		code, body := serve(t, u, p)
		if code != http.StatusOK || !strings.Contains(body, "could not be read") || strings.Contains(body, "database is locked") {
			t.Errorf("%s: status %d; want the page, saying owners could not be read (without the error)", p, code)
		}
	}
}

// The forecasts' track record from the last backtest shows on the overview
// and the release page, next to how often the date moved. An analysis
// of the past (radar analyze --now: a replay) draws the same pages, at
// its own time rather than the wall clock's.
func TestForecastTrackRecord(t *testing.T) {
	u, snap, rep := smallSite(t)
	rep.TrackRecord = &radar.TrackRecord{Cases: 64, P50Coverage: .5, P85Coverage: .81, P95Coverage: .9}
	rep.Replay = &radar.Replay{AsOf: rep.GeneratedAt, Notes: []string{"sprints: membership as of now"}}
	u.Update(snap, rep)
	for _, p := range []string{"/", radar.ReleasePath("A", "1.0 <x>")} {
		code, body := serve(t, u, p)
		if code != http.StatusOK || !strings.Contains(body, "P85 held in 81% of 64 past cases") || !strings.Contains(body, "Date history") {
			t.Errorf("%s: status %d; want the forecasts' track record next to the date history", p, code)
		}
	}
	if _, body := serve(t, u, "/"); !strings.Contains(body, "Analysis of 2026-03-02T09:00:00Z") {
		t.Error("the overview is not dated by its analysis")
	}
	rep.TrackRecord = &radar.TrackRecord{}
	u.Update(snap, rep)
	if _, body := serve(t, u, "/"); !strings.Contains(body, "Forecast track record: none yet") {
		t.Error("a backtest with no case does not say there is none yet")
	}
}

// The newer finding kinds have a label and a page: an overdue release its
// release page, abandoned work each of its issues' pages.
func TestNewKindsHavePages(t *testing.T) {
	u, snap, rep := smallSite(t)
	rep.Findings = append(rep.Findings,
		radar.Finding{ID: "release_overdue:A:1.0 <x>", Kind: radar.KindReleaseOverdue, Severity: radar.SeverityCritical, Project: "A",
			Issue: "1.0 <x>", Title: "A 1.0 <x> is 5 days past its release", Evidence: radar.ReleaseOverdueFacts{DaysLate: 5}},
		radar.Finding{ID: "abandoned_work:A", Kind: radar.KindAbandonedWork, Severity: radar.SeverityWarning, Project: "A", Issue: "A",
			Title: "A has 7 issues in progress but untouched", Evidence: radar.AbandonedWorkFacts{Issues: []string{"A-1", "A-2", "A-3", "A-4", "A-5", "A-6", "A-7"}}})
	u.Update(snap, rep)
	_, body := serve(t, u, "/findings?kind="+string(radar.KindReleaseOverdue))
	if !strings.Contains(body, `<td>release overdue</td><td><a href="/releases/A/1.0%20%3Cx%3E">A 1.0 &lt;x&gt;</a>`) {
		t.Errorf("an overdue release is not labelled and linked to its page:\n%s", body)
	}
	_, body = serve(t, u, radar.ReleasePath("A", "1.0 <x>"))
	if !strings.Contains(body, "release overdue: A 1.0 &lt;x&gt; is 5 days past its release") {
		t.Error("the release page does not show its overdue finding")
	}
	_, body = serve(t, u, "/findings?kind="+string(radar.KindAbandonedWork))
	if !strings.Contains(body, "<td>abandoned work</td>") || !strings.Contains(body, `<a href="/issues/A-5">A-5</a>`) || strings.Contains(body, `href="/issues/A-6"`) {
		t.Errorf("abandoned work is not labelled with links to its first five issues:\n%s", body)
	}
	_, body = serve(t, u, radar.IssuePath("A-7"))
	if !strings.Contains(body, "abandoned work: A has 7 issues in progress") {
		t.Error("an abandoned issue's page does not show the finding")
	}
}
