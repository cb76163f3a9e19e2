package alerts_test

import (
	"strings"
	"testing"

	"github.com/radarhq/radar"
	"github.com/radarhq/radar/alerts"
	"github.com/radarhq/radar/config"
)

// With http.public_url set, every message links to its finding's page in
// the web UI; the link's parts are escaped so no summary or version name
// can break out of it.
func TestMessagesLinkToTheirPage(t *testing.T) {
	tests := []struct {
		name string
		f    func() radar.Finding
		want string
	}{
		{"issue", func() radar.Finding { return finding(radar.KindBlocker, "PAY-1", radar.SeverityCritical) },
			"<https://radar.example.com/ui/issues/PAY-1|See it in Radar>"},
		{"release", func() radar.Finding {
			f := finding(radar.KindReleaseAtRisk, "2.0 <beta>|&", radar.SeverityCritical)
			f.Project = "PAY"
			f.Title = "PAY 2.0 will likely miss its release"
			return f
		}, "<https://radar.example.com/ui/releases/PAY/2.0%20%3Cbeta%3E%7C&amp;|See it in Radar>"},
		{"assignee", func() radar.Finding {
			f := finding(radar.KindOverloadedAssignee, "Ada Lovelace", radar.SeverityCritical)
			f.Project = "PAY"
			f.Title = "Ada Lovelace has 7 issues in progress"
			return f
		}, "<https://radar.example.com/ui/findings?kind=overloaded_assignee&amp;project=PAY|See it in Radar>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, []config.Route{route("#delivery")}, alerts.WithPublicURL("https://radar.example.com/ui/"))
			h.mustRun()
			h.mustRun(change(tt.f(), radar.TransitionNew, ""))
			ms := h.messages("")
			if len(ms) != 1 {
				t.Fatalf("messages = %d, want 1", len(ms))
			}
			if got := blockText(ms[0]); !strings.Contains(got, tt.want) {
				t.Errorf("message lacks %s:\n%s", tt.want, got)
			}
		})
	}
}

func TestNoPageLinkWithoutPublicURL(t *testing.T) {
	h := newHarness(t, []config.Route{route("#delivery")})
	h.mustRun()
	h.mustRun(change(finding(radar.KindBlocker, "PAY-1", radar.SeverityCritical), radar.TransitionNew, ""))
	for _, m := range h.messages("") {
		if strings.Contains(blockText(m), "See it in Radar") {
			t.Errorf("page link without http.public_url: %s", blockText(m))
		}
	}
}
