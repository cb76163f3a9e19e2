package analysis

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/radarhq/radar"
	"github.com/radarhq/radar/store"
)

// everyKind returns findings of every kind from real analyses: the two
// fixtures, a release past its date and a project with abandoned work.
func everyKind(t *testing.T) []radar.Finding {
	t.Helper()
	var fs []radar.Finding
	for _, name := range []string{"network", "hygiene"} {
		fs = append(fs, analyzeFixture(t, name).Findings...)
	}
	s := forecastSnapshot(0)
	s.Versions[0].ReleaseDate = propNow.AddDate(0, -2, 0)
	for k := range 3 {
		openStory(&s, fmt.Sprintf("P-%d", 200+k), "v1")
	}
	s.Issues = append(s.Issues, radar.Issue{ID: "P-900", Key: "P-900", Project: "P", Type: "Story", StatusID: "3", Status: "In Progress",
		StatusCategory: radar.CategoryInProgress, Created: propNow.AddDate(-2, 0, 0), Updated: propNow.AddDate(-1, 0, 0)})
	fs = append(fs, Analyze(s, Options{Now: propNow, Trials: 200}).Findings...)
	return fs
}

// TestEvidenceSurvivesTheStore: for every kind, the typed facts the
// analysis produced come back from the store equal, and their JSON is the
// same bytes.
func TestEvidenceSurvivesTheStore(t *testing.T) {
	ctx := context.Background()
	fs := everyKind(t)
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "radar.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.RecordFindings(ctx, propNow, fs); err != nil {
		t.Fatal(err)
	}
	loaded, err := st.OpenFindings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]radar.Finding{}
	for _, f := range loaded {
		byID[f.ID] = f
	}
	seen := map[radar.Kind]bool{}
	for _, want := range fs {
		got, ok := byID[want.ID]
		if !ok {
			t.Errorf("%s: not loaded", want.ID)
			continue
		}
		seen[want.Kind] = true
		if got.Evidence == nil || got.Evidence.Kind() != want.Kind {
			t.Errorf("%s: loaded evidence %T, want facts of kind %s", want.ID, got.Evidence, want.Kind)
		}
		if reflect.TypeOf(got.Evidence) != reflect.TypeOf(want.Evidence) || !reflect.DeepEqual(got.Evidence, want.Evidence) {
			t.Errorf("%s: loaded %#v\nwant %#v", want.ID, got.Evidence, want.Evidence)
		}
		wj, _ := json.Marshal(want.Evidence)
		gj, _ := json.Marshal(got.Evidence)
		if !bytes.Equal(wj, gj) {
			t.Errorf("%s: evidence JSON after the store\n got %s\nwant %s", want.ID, gj, wj)
		}
	}
	for _, k := range radar.Kinds {
		if !seen[k] {
			t.Errorf("no %s finding to round-trip: extend everyKind", k)
		}
	}
}

// TestMapWrittenEvidenceDecodes: findings written when evidence was a map
// (the golden files predate the typed facts) decode as the facts of their
// kind and write back the same bytes.
func TestMapWrittenEvidenceDecodes(t *testing.T) {
	for _, name := range []string{"network", "hygiene"} {
		body, err := os.ReadFile(filepath.Join("testdata", name+".golden.json"))
		if err != nil {
			t.Fatal(err)
		}
		var rep struct {
			Findings []json.RawMessage `json:"findings"`
		}
		if err := json.Unmarshal(body, &rep); err != nil {
			t.Fatal(err)
		}
		for _, raw := range rep.Findings {
			var f radar.Finding
			if err := json.Unmarshal(raw, &f); err != nil {
				t.Fatalf("%s: %v", raw, err)
			}
			if _, unknown := f.Evidence.(radar.UnknownFacts); unknown || f.Evidence == nil {
				t.Errorf("%s: evidence %T, want the facts of %s", f.ID, f.Evidence, f.Kind)
			}
			var was struct {
				Evidence json.RawMessage `json:"evidence"`
			}
			if err := json.Unmarshal(raw, &was); err != nil {
				t.Fatal(err)
			}
			now, err := json.Marshal(f.Evidence)
			if err != nil {
				t.Fatal(err)
			}
			var compact bytes.Buffer
			if err := json.Compact(&compact, was.Evidence); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(now, compact.Bytes()) {
				t.Errorf("%s: evidence\n got %s\nwant %s", f.ID, now, compact.Bytes())
			}
		}
	}
}
