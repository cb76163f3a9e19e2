// Package realexport loads the real Jira export that sits beside the
// repository (../shared/data/tidev-timob.jsonl.xz from the module root:
// 22,371 TIMOB issues, 2010–2021, Apache-2.0) into a radar.Snapshot for
// tests, the way a sync would store it: each issue decoded and mapped by the
// connector, written to SQLite and read back with store.LoadSnapshot.
//
// It is for tests only and must not be imported by production code. The
// export is not in the repository; a test that loads it is skipped, with one
// message, where it or xz is absent.
package realexport

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/radarhq/radar"
	"github.com/radarhq/radar/config"
	"github.com/radarhq/radar/connector"
	"github.com/radarhq/radar/store"
	"github.com/radarhq/radar/store/storetest"
)

// File is where the export lives, relative to the module root.
const File = "../shared/data/tidev-timob.jsonl.xz"

// dependencies are the site's dependency link types, as jira.dependencies
// would name them: "X blocks Y" and "X depends on Y".
func dependencies() []config.Dependency {
	return []config.Dependency{
		{Link: "Blocks", Outward: config.OutwardBlocks},
		{Link: "Depends", Outward: config.OutwardDependsOn},
	}
}

// loaded is the snapshot decoded once per test process, or why the export
// cannot be read here.
var loaded struct {
	sync.Mutex
	snap *radar.Snapshot
	skip string
}

// Load returns the export as a snapshot, decoding it on the first call of
// the test process (about five seconds) and from memory after. It skips tb
// when the export or xz is absent, and fails it when the export cannot be
// read.
//
// Each call gets its own top-level slices; the issues' own slices (fix
// versions, labels) are shared, so a test must not modify them.
func Load(tb testing.TB) radar.Snapshot {
	tb.Helper()
	loaded.Lock()
	defer loaded.Unlock()
	if loaded.snap == nil && loaded.skip == "" {
		file, err := locate()
		if err != nil {
			loaded.skip = fmt.Sprintf("real Jira export not readable here: %v (it lives beside the repository at %s from the module root, not in a clone, and needs xz)", err, File)
		} else {
			snap := decompress(tb, file)
			loaded.snap = &snap
		}
	}
	if loaded.skip != "" {
		tb.Skip(loaded.skip)
	}
	s := *loaded.snap
	return radar.Snapshot{
		Issues: slices.Clone(s.Issues), Dependencies: slices.Clone(s.Dependencies), Changes: slices.Clone(s.Changes),
		Sprints: slices.Clone(s.Sprints), Versions: slices.Clone(s.Versions), VersionDates: slices.Clone(s.VersionDates),
		Statuses: slices.Clone(s.Statuses),
	}
}

// LastUpdated is when anything in the snapshot was last updated: the end
// of the site's life, where a test of "now" stands.
func LastUpdated(snap radar.Snapshot) time.Time {
	var last time.Time
	for i := range snap.Issues {
		if u := snap.Issues[i].Updated; u.After(last) {
			last = u
		}
	}
	return last
}

// locate finds the export from the module root above the working
// directory, and xz to read it.
func locate() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		up := filepath.Dir(dir)
		if up == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = up
	}
	file := filepath.Join(dir, filepath.FromSlash(File))
	if _, err := os.Stat(file); err != nil {
		return "", err
	}
	if _, err := exec.LookPath("xz"); err != nil {
		return "", err
	}
	return file, nil
}

// decompress reads the xz-compressed export with xz -dc.
func decompress(tb testing.TB, file string) radar.Snapshot {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel() // stops xz if the read fails half way
	cmd := exec.CommandContext(ctx, "xz", "-dc", file)
	out, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatalf("xz -dc %s: %v", file, err)
	}
	snap := Read(tb, out)
	if err := cmd.Wait(); err != nil {
		tb.Fatalf("xz -dc %s: %v", file, err)
	}
	return snap
}

// Read maps an export, JSON lines of issues in Jira's REST shape, through
// the connector into a store in tb.TempDir() and returns the snapshot the
// analysis would read. Versions and statuses are those the issues name;
// "Blocks" and "Depends" links are dependencies. It fails tb on a line it cannot
// decode or map.
func Read(tb testing.TB, r io.Reader) radar.Snapshot {
	tb.Helper()
	ctx := context.Background()
	st := storetest.Open(tb)
	m := connector.NewExportMapper(dependencies())
	versions := map[string][]radar.Version{}
	seenVersion := map[string]bool{}
	seenStatus := map[string]bool{}
	var statuses []radar.Status
	var batch []store.IssueRecord
	var latest time.Time
	flush := func() {
		if err := st.WriteBatch(ctx, store.Batch{Issues: batch}); err != nil {
			tb.Fatalf("write the export's issues: %v", err)
		}
		batch = batch[:0]
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for line := 1; sc.Scan(); line++ {
		is, err := m.Issue(sc.Bytes())
		if err != nil {
			tb.Fatalf("export line %d: %v", line, err)
		}
		for _, v := range is.FixVersions {
			if !seenVersion[v.ID] {
				seenVersion[v.ID] = true
				versions[v.Project] = append(versions[v.Project], v)
			}
		}
		if s := is.Status; s.ID != "" && !seenStatus[s.ID] {
			seenStatus[s.ID] = true
			statuses = append(statuses, s)
		}
		if u := is.Record.Issue.Updated; u.After(latest) {
			latest = u
		}
		batch = append(batch, is.Record)
		if len(batch) == 1000 {
			flush()
		}
	}
	if err := sc.Err(); err != nil {
		tb.Fatalf("read the export: %v", err)
	}
	flush()
	if err := st.PutStatuses(ctx, statuses); err != nil {
		tb.Fatal(err)
	}
	for p, vs := range versions {
		if err := st.PutVersions(ctx, p, vs, latest); err != nil {
			tb.Fatal(err)
		}
	}
	snap, err := st.LoadSnapshot(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	return snap
}
