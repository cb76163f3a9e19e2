package radar_test

import (
	"strings"
	"testing"
	"time"

	"github.com/radarhq/radar"
)

func TestAckRequest(t *testing.T) {
	now := time.Date(2026, 3, 2, 10, 42, 0, 0, time.UTC)
	tests := []struct {
		name    string
		req     radar.AckRequest
		want    radar.Ack
		wantErr string
	}{
		{"acknowledge", radar.AckRequest{By: " ada ", Note: "on it"}, radar.Ack{State: radar.AckAcknowledged, By: "ada", At: now, Note: "on it"}, ""},
		{"snooze a day", radar.AckRequest{By: "ada", Snooze: "1d"}, radar.Ack{State: radar.AckSnoozed, By: "ada", At: now, Until: now.Add(24 * time.Hour)}, ""},
		{"snooze two weeks", radar.AckRequest{By: "ada", Snooze: "2w"}, radar.Ack{State: radar.AckSnoozed, By: "ada", At: now, Until: now.Add(14 * 24 * time.Hour)}, ""},
		{"snooze 36h", radar.AckRequest{By: "ada", Snooze: "36h"}, radar.Ack{State: radar.AckSnoozed, By: "ada", At: now, Until: now.Add(36 * time.Hour)}, ""},
		{"until worse", radar.AckRequest{By: "ada", UntilWorse: true}, radar.Ack{State: radar.AckSnoozed, By: "ada", At: now, UntilWorse: true}, ""},
		{"dismiss", radar.AckRequest{By: "ada", Dismiss: true}, radar.Ack{State: radar.AckDismissed, By: "ada", At: now}, ""},
		{"nobody", radar.AckRequest{}, radar.Ack{}, "by: empty"},
		{"two actions", radar.AckRequest{By: "ada", Dismiss: true, UntilWorse: true}, radar.Ack{}, "choose one"},
		{"snooze too short", radar.AckRequest{By: "ada", Snooze: "5m"}, radar.Ack{}, "snooze:"},
		{"snooze too long", radar.AckRequest{By: "ada", Snooze: "20w"}, radar.Ack{}, "snooze:"},
		{"snooze gibberish", radar.AckRequest{By: "ada", Snooze: "soon"}, radar.Ack{}, `snooze: "soon"`},
		{"note too long", radar.AckRequest{By: "ada", Note: strings.Repeat("x", 3000)}, radar.Ack{}, "note:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.req.Ack(now)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got error %v, want one saying %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestAckEscalates(t *testing.T) {
	blocker := func(sev radar.Severity, radius int) radar.Finding {
		return radar.Finding{ID: "blocker:PAY-1", Kind: radar.KindBlocker, Severity: sev, Evidence: radar.BlockerFacts{BlastRadius: radius}}
	}
	ack := radar.Ack{State: radar.AckAcknowledged, Kind: radar.KindBlocker, Severity: radar.SeverityWarning, BlastRadius: 4}
	dismissed := ack
	dismissed.State = radar.AckDismissed
	tests := []struct {
		name string
		ack  radar.Ack
		f    radar.Finding
		want bool
	}{
		{"unchanged", ack, blocker(radar.SeverityWarning, 4), false},
		{"calmer", ack, blocker(radar.SeverityInfo, 2), false},
		{"severity up", ack, blocker(radar.SeverityCritical, 4), true},
		{"radius a bit larger", ack, blocker(radar.SeverityWarning, 7), false},
		{"radius doubled but small", radar.Ack{State: radar.AckAcknowledged, Kind: radar.KindBlocker, Severity: radar.SeverityWarning, BlastRadius: 1}, blocker(radar.SeverityWarning, 3), false},
		{"radius much larger", ack, blocker(radar.SeverityWarning, 9), true},
		{"dismissed, radius much larger", dismissed, blocker(radar.SeverityWarning, 40), false},
		{"dismissed, severity up", dismissed, blocker(radar.SeverityCritical, 4), true},
		{"kind changed", dismissed, radar.Finding{Kind: radar.KindStale, Severity: radar.SeverityWarning}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.ack.Escalates(tt.f); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestAckActive(t *testing.T) {
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	week := radar.Ack{State: radar.AckSnoozed, At: at, Until: at.Add(7 * 24 * time.Hour)}
	tests := []struct {
		name string
		ack  radar.Ack
		now  time.Time
		want bool
	}{
		{"snoozed, within", week, at.Add(24 * time.Hour), true},
		{"snoozed, over", week, at.Add(7 * 24 * time.Hour), false},
		{"until worse", radar.Ack{State: radar.AckSnoozed, UntilWorse: true}, at.AddDate(1, 0, 0), true},
		{"acknowledged", radar.Ack{State: radar.AckAcknowledged}, at.AddDate(1, 0, 0), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.ack.Active(tt.now); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}
