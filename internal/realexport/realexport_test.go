package realexport

import (
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/radarhq/radar"
)

// TestRead maps a three-issue export as a sync would: a link seen from both
// its issues is one dependency, "Depends" reads "X depends on Y" as Y
// blocking X, other link types are not dependencies, and versions,
// statuses and changelogs land.
func TestRead(t *testing.T) {
	f, err := os.Open("testdata/export.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	snap := Read(t, f)

	var keys []string
	for _, is := range snap.Issues {
		keys = append(keys, is.Key)
	}
	slices.Sort(keys)
	if want := []string{"TIMOB-1", "TIMOB-2", "TIMOB-3"}; !slices.Equal(keys, want) {
		t.Errorf("issues %v, want %v", keys, want)
	}
	var deps []string
	for _, d := range snap.Dependencies {
		deps = append(deps, d.LinkID+" "+d.Type+" "+d.Blocker+" blocks "+d.Blocked)
	}
	slices.Sort(deps)
	if want := []string{"9001 Blocks TIMOB-1 blocks TIMOB-2", "9002 Depends TIMOB-1 blocks TIMOB-3"}; !slices.Equal(deps, want) {
		t.Errorf("dependencies %q, want %q", deps, want)
	}
	var versions []string
	for _, v := range snap.Versions {
		versions = append(versions, v.ID+" "+v.Name+" "+v.ReleaseDate.Format(time.DateOnly))
	}
	slices.Sort(versions)
	if want := []string{"10 Release 1.0 2020-02-01", "11 Release 2.0 0001-01-01"}; !slices.Equal(versions, want) {
		t.Errorf("versions %q, want %q", versions, want)
	}
	if len(snap.Statuses) != 2 {
		t.Errorf("statuses %+v, want Open and Closed", snap.Statuses)
	}
	if len(snap.Changes) != 1 || snap.Changes[0].IssueKey != "TIMOB-2" || snap.Changes[0].ToString != "Closed" || snap.Changes[0].Author != "Ann Lee" {
		t.Errorf("changes %+v, want TIMOB-2's one status change to Closed by Ann Lee", snap.Changes)
	}
	if got, want := LastUpdated(snap), time.Date(2020, 1, 9, 18, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("last updated %v, want %v", got, want)
	}
}

// TestReadRejectsABadLine fails on a line that is not an issue, naming it.
func TestReadRejectsABadLine(t *testing.T) {
	ft := &fatalT{T: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		Read(ft, strings.NewReader("{\"id\":\"1\",\"key\":\"A-1\",\"fields\":{}}\n{\"id\":\"2\",\"key\":\"A-2\",\"fields\":[]}\n"))
	}()
	<-done
	t.Log(ft.msg)
	if !strings.Contains(ft.msg, "export line 2") {
		t.Errorf("failure %q, want it to name export line 2", ft.msg)
	}
}

// fatalT records a Fatal and ends the goroutine, as testing.T does,
// without failing the test.
type fatalT struct {
	*testing.T
	msg string
}

func (f *fatalT) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// TestLoad loads the real export when it is here: a years-old site with
// its dependencies and versions, and the same snapshot again from memory.
// The report and web UI tests load it in every run; this one runs only
// when RADAR_REAL_EXPORT=1, so it adds no decode of its own to CI.
func TestLoad(t *testing.T) {
	if os.Getenv("RADAR_REAL_EXPORT") == "" {
		t.Skip("set RADAR_REAL_EXPORT=1 to load the real Jira export in ../shared/data (about 4 s)")
	}
	snap := Load(t)
	if len(snap.Issues) < 20000 || len(snap.Dependencies) == 0 || len(snap.Versions) == 0 || len(snap.Statuses) == 0 {
		t.Errorf("%d issues, %d dependencies, %d versions, %d statuses: want the whole site", len(snap.Issues), len(snap.Dependencies), len(snap.Versions), len(snap.Statuses))
	}
	again := Load(t)
	again.Issues[0] = radar.Issue{}
	if snap.Issues[0].Key == "" || len(again.Issues) != len(snap.Issues) {
		t.Error("a second load shares the first one's issues")
	}
	t.Logf("%d issues, %d dependencies, %d changes, %d versions, %d statuses; last updated %s",
		len(snap.Issues), len(snap.Dependencies), len(snap.Changes), len(snap.Versions), len(snap.Statuses), LastUpdated(snap).Format(time.DateOnly))
}
