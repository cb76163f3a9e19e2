package radar_test

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/radarhq/radar"
)

func TestDateJSON(t *testing.T) {
	tests := []struct {
		name string
		d    radar.Date
		want string
	}{
		{"zero", radar.Date{}, `""`},
		{"a day", radar.DateOf(time.Date(2026, 4, 1, 23, 59, 0, 0, time.UTC)), `"2026-04-01"`},
		{"another zone", radar.DateOf(time.Date(2026, 4, 2, 1, 0, 0, 0, time.FixedZone("CEST", 2*3600))), `"2026-04-01"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := json.Marshal(tt.d)
			if err != nil || string(b) != tt.want {
				t.Fatalf("marshal = %s, %v; want %s", b, err, tt.want)
			}
			var back radar.Date
			if err := json.Unmarshal(b, &back); err != nil || back != tt.d {
				t.Errorf("unmarshal %s = %v, %v; want %v", b, back, err, tt.d)
			}
		})
	}
	var d radar.Date
	if err := json.Unmarshal([]byte(`null`), &d); err != nil || !d.IsZero() {
		t.Errorf("null = %v, %v; want the zero date", d, err)
	}
	for _, bad := range []string{`"soon"`, `"2026-13-40"`, `20260401`} {
		if err := json.Unmarshal([]byte(bad), &d); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}

// TestEvidenceJSONIsSortedAndEscapedByTheCaller: evidence is written with
// keys in order, as a map was, and HTML is escaped as the caller's encoder
// chooses.
func TestEvidenceJSONIsSortedAndEscapedByTheCaller(t *testing.T) {
	ev := radar.BlockerFacts{IssueFacts: radar.IssueFacts{Status: "Open", Summary: "a <b> & c", Assignee: "Ann"},
		DirectDependents: []string{"PAY-2"}, BlastRadius: 3, VersionsAffected: []string{}}
	b, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"assignee":"Ann","blast_radius":3,"cross_project":false,"days_since_update":0,"direct_dependents":["PAY-2"],` +
		`"downstream_points":0,"earliest_downstream_due":"","hours_since_update":0,"status":"Open",` +
		`"summary":"a \u003cb\u003e \u0026 c","versions_affected":[]}`
	if string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(ev); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(buf.Bytes(), []byte(`"summary":"a <b> & c"`)) {
		t.Errorf("unescaping encoder wrote %s", buf.Bytes())
	}
}

func TestFindingJSONRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want radar.Evidence
	}{
		{"typed", `{"id":"overdue:P-1","kind":"overdue","evidence":{"assignee":"","blast_radius":0,"days_overdue":3,"due":"2026-03-01","status":"Open","summary":"s"}}`,
			radar.OverdueFacts{IssueFacts: radar.IssueFacts{Status: "Open", Summary: "s"}, Due: radar.MustParseDate("2026-03-01"), DaysOverdue: 3}},
		{"release slip", `{"id":"x","kind":"due_date_slipped","evidence":{"original_release":"2026-01-01","release_date":"","times_moved":1,"total_days":9,"version":"2.0"}}`,
			radar.ReleaseSlippedFacts{Version: "2.0", TimesMoved: 1, TotalDays: 9, OriginalRelease: radar.MustParseDate("2026-01-01")}},
		{"empty evidence", `{"id":"x","kind":"stale","evidence":{}}`, nil},
		{"null evidence", `{"id":"x","kind":"stale","evidence":null}`, nil},
		{"kind from another version", `{"id":"x","kind":"made_up","evidence":{"z":1,"a":[2]}}`,
			radar.UnknownFacts{Of: "made_up", Raw: json.RawMessage(`{"z":1,"a":[2]}`)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var f radar.Finding
			if err := json.Unmarshal([]byte(tt.in), &f); err != nil {
				t.Fatal(err)
			}
			got, _ := json.Marshal(f.Evidence)
			want, _ := json.Marshal(tt.want)
			if !bytes.Equal(got, want) || (f.Evidence == nil) != (tt.want == nil) {
				t.Errorf("evidence = %#v (%s), want %#v (%s)", f.Evidence, got, tt.want, want)
			}
		})
	}
	var f radar.Finding
	if err := json.Unmarshal([]byte(`{"id":"x","kind":"overdue","evidence":{"due":"soon"}}`), &f); err == nil {
		t.Error("a malformed date decoded without error")
	}
}

// TestEveryKindHasFacts: each kind decodes to facts of its own kind, and
// has a label.
func TestEveryKindHasFacts(t *testing.T) {
	for _, k := range radar.Kinds {
		ev, err := radar.DecodeEvidence(k, []byte(`{"summary":"s"}`))
		if err != nil {
			t.Fatalf("%s: %v", k, err)
		}
		if _, unknown := ev.(radar.UnknownFacts); unknown || ev.Kind() != k {
			t.Errorf("%s: decoded %T of kind %s", k, ev, ev.Kind())
		}
		if k.Label() == string(k) {
			t.Errorf("%s: no label", k)
		}
	}
}

// BenchmarkEvidenceJSON measures writing one blocker's evidence, which the
// store does for every finding of every run.
func BenchmarkEvidenceJSON(b *testing.B) {
	ev := radar.BlockerFacts{IssueFacts: radar.IssueFacts{Status: "In Progress", Summary: "Migrate the card vault", Assignee: "Ann"},
		DirectDependents: []string{"PAY-2", "PAY-3", "WEB-7"}, BlastRadius: 12, DownstreamPoints: 21.5,
		EarliestDownstreamDue: radar.MustParseDate("2026-04-01"), VersionsAffected: []string{"PAY 2.0"}, DaysSinceUpdate: 3, HoursSinceUpdate: 80}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := json.Marshal(ev); err != nil {
			b.Fatal(err)
		}
	}
}
