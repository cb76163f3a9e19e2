package webui

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/radarhq/radar"
	"github.com/radarhq/radar/report"
)

// reportSite is smallSite with status reports built by the report
// package from what the pages show, each finding's ack attached as the
// service does; asked records the queries.
func reportSite(t *testing.T, acks map[string]radar.Ack, asked *[]report.Request) *UI {
	t.Helper()
	_, snap, rep := smallSite(t)
	u, err := New(Options{StatusReport: func(_ context.Context, rep radar.Report, snap radar.Snapshot, q report.Request) (radar.StatusReport, error) {
		*asked = append(*asked, q)
		fs := make([]radar.Finding, len(rep.Findings))
		for i, f := range rep.Findings {
			if a, ok := acks[f.ID]; ok {
				f.Ack = &a
			}
			fs[i] = f
		}
		rep.Findings = fs
		st, _ := report.Build(report.Input{Now: rep.GeneratedAt, Window: q.Window, Project: q.Project, Audience: q.Audience,
			Analysis: rep, Snapshot: snap})
		return st, nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	u.Update(snap, rep)
	return u
}

func TestReportPage(t *testing.T) {
	var asked []report.Request
	acks := map[string]radar.Ack{"off_track_dependency:A-2:A-3": {State: radar.AckAcknowledged, By: "ada <b>", At: time.Now(),
		Note: `<script>alert(1)</script> pairing Friday`}}
	u := reportSite(t, acks, &asked)
	code, body := serve(t, u, "/report?project=A&audience=team&since=2w")
	if code != http.StatusOK {
		t.Fatalf("status %d:\n%s", code, body)
	}
	if len(asked) != 1 || asked[0] != (report.Request{Project: "A", Audience: report.AudienceTeam, Window: 14 * 24 * time.Hour, Format: "markdown"}) {
		t.Errorf("asked for %+v; want project A, team, a two-week window", asked)
	}
	for _, want := range []string{"<title>Status report · A · ", `<div class="report">`, "<h2>Top risks</h2>",
		"&lt;script&gt;alert(1)&lt;/script&gt; pairing Friday", "owner ada &lt;b&gt;", `<a href="/report">Status report</a>`} {
		if !strings.Contains(body, want) {
			t.Errorf("the report page lacks %q", want)
		}
	}
	for _, bad := range []string{"<script>alert", "<style", "<b>"} {
		if strings.Contains(body, bad) {
			t.Errorf("the report page carries %q", bad)
		}
	}
	if _, body := serve(t, u, "/report"); !strings.Contains(body, "For the team") || asked[1] != (report.Request{Audience: report.AudienceTeam, Window: 7 * 24 * time.Hour, Format: "markdown"}) {
		t.Errorf("the default report is not every project's, for the team, over a week: %+v", asked[1])
	}
	if _, body := serve(t, u, "/report?audience=exec"); !strings.Contains(body, "For leadership") {
		t.Error("the exec report is not for leadership")
	}
}

func TestReportPageRefusesBadQueries(t *testing.T) {
	var asked []report.Request
	u := reportSite(t, nil, &asked)
	for _, tt := range []struct{ query, want string }{
		{"audience=board", "audience &#34;board&#34;: not an audience; use team or exec"},
		{"project=NOPE", "project &#34;NOPE&#34;: no synced issues or versions"},
		{"since=soon", "since &#34;soon&#34;: not a duration"},
		{"since=5m", "from 1h to 365d"},
	} {
		t.Run(tt.query, func(t *testing.T) {
			code, body := serve(t, u, "/report?"+tt.query)
			if code != http.StatusBadRequest || !strings.Contains(body, tt.want) {
				t.Errorf("status %d; want 400 saying %q", code, tt.want)
			}
		})
	}
	if len(asked) != 0 {
		t.Errorf("a report was built for a bad query: %+v", asked)
	}
}

// Without a report builder (a UI outside radar serve) there is no report
// page and no link to it.
func TestNoReportPage(t *testing.T) {
	u, _, _ := smallSite(t)
	if code, _ := serve(t, u, "/report"); code != http.StatusNotFound {
		t.Errorf("status %d, want 404", code)
	}
	if _, body := serve(t, u, "/"); strings.Contains(body, `href="/report"`) {
		t.Error("the overview links a report page that does not exist")
	}
}
