package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/radarhq/radar/jirasim"
	"github.com/radarhq/radar/store"
	"github.com/radarhq/radar/store/storetest"
)

// sinceTemplate is how long ago the template's sync pretends to have run:
// past the default jira.reconcile_every (1h), so the incremental sync of
// every trial also reconciles deletions and moves.
const sinceTemplate = 2 * time.Hour

// incJira is one simulated Jira for the incremental crash trials: a
// template database that finished a clean full sync, and a Jira that has
// moved on since.
type incJira struct {
	*crashJira
	deleted []string // keys deleted in Jira after the template's sync
	moved   [2]string
}

// prepare makes the template, moves Jira on and measures an uninterrupted
// incremental sync of a copy of the template: its dump is what every trial
// must end with, its duration the span the kill moments cover.
func (j *incJira) prepare(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	url, _ := j.front(t)
	cfg, db := j.config(t, url)
	if out := runRadarProcess(t, "sync", "--config", cfg); !strings.Contains(out, "synced ("+j.name+", full)") {
		t.Fatalf("the %s template's sync printed no full summary:\n%s", j.name, out)
	}

	// Radar's process reads the real clock, which a test cannot move on by
	// an hour; the stored sync positions move back instead, as if the full
	// sync had finished sinceTemplate ago. Jira's history up to the sync
	// is in the database, so the wider updated window only refetches it.
	st, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	wms, err := st.Watermarks(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(wms) != 2 {
		t.Fatalf("the %s template holds %d watermarks, want one per project (2)", j.name, len(wms))
	}
	var b store.Batch
	for _, w := range wms {
		if w.ReconciledAt.IsZero() {
			t.Fatalf("the %s full sync left scope %s unreconciled", j.name, w.Scope)
		}
		w.SyncedUntil = w.SyncedUntil.Add(-sinceTemplate)
		w.ReconciledAt = w.ReconciledAt.Add(-sinceTemplate)
		b.Watermarks = append(b.Watermarks, w)
	}
	if err := st.WriteBatch(ctx, b); err != nil {
		t.Fatal(err)
	}
	// VACUUM INTO: one self-contained file, nothing left in a WAL.
	j.template = filepath.Join(t.TempDir(), "template.db")
	if _, err := st.Backup(ctx, j.template); err != nil {
		t.Fatal(err)
	}
	before := storetest.DumpFile(t, j.template, store.SyncVolatile())

	j.moveOn(t)

	url, n := j.front(t)
	cfg, db = j.config(t, url)
	copyTemplate(t, j.template, db)
	start := time.Now()
	out := runRadarProcess(t, "sync", "--config", cfg)
	j.span = time.Since(start)
	j.perSync = n.Load()
	if !strings.Contains(out, "synced ("+j.name+", incremental)") {
		t.Fatalf("the %s reference sync printed no incremental summary:\n%s", j.name, out)
	}
	if m := regexp.MustCompile(`(\d+) removed`).FindStringSubmatch(out); m == nil || m[1] == "0" {
		t.Fatalf("the %s reference sync removed nothing: it did not reconcile the deleted issues:\n%s", j.name, out)
	}
	j.clean = storetest.DumpFile(t, db, store.SyncVolatile())
	if j.clean == before {
		t.Fatalf("the %s reference sync changed nothing", j.name)
	}
	for _, key := range j.deleted {
		if !issueRemoved(j.clean, key) {
			t.Fatalf("the %s reference sync did not mark deleted %s removed", j.name, key)
		}
	}
	if !strings.Contains(j.clean, ` key="`+j.moved[1]+`" `) || strings.Contains(j.clean, ` key="`+j.moved[0]+`" `) {
		t.Fatalf("the %s reference sync did not rekey moved %s to %s", j.name, j.moved[0], j.moved[1])
	}
}

// issueRemoved reports whether the dump holds issue key marked removed.
func issueRemoved(dump, key string) bool {
	for _, l := range strings.Split(dump, "\n") {
		if strings.HasPrefix(l, "issues ") && strings.Contains(l, ` key="`+key+`" `) {
			return strings.Contains(l, " removed_at=*")
		}
	}
	return false
}

// moveOn changes Jira the way a working day does: summaries, statuses and
// due dates edited, links added and removed, issues deleted, created and
// moved between the synced projects. The picks are fixed positions in the
// seeded scenario, so every run moves on the same way.
func (j *incJira) moveOn(t *testing.T) {
	t.Helper()
	sim := j.sim
	var keys []string
	for _, is := range sim.Issues() {
		if is.Project == "PAY" || is.Project == "WEB" {
			keys = append(keys, is.Key)
		}
	}
	if len(keys) < 200 {
		t.Fatalf("the scenario has %d issues in PAY and WEB, want at least 200", len(keys))
	}
	must := func(op string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", op, err)
		}
	}
	statuses := sim.Statuses()
	category := map[string]string{}
	for _, s := range statuses {
		category[s.ID] = s.CategoryKey
	}
	for i, k := range []string{keys[3], keys[57], keys[131], keys[190]} {
		must("edit summary", sim.UpdateIssue(k, func(is *jirasim.Issue) {
			is.Summary = fmt.Sprintf("%s <rev %d> & more", is.Summary, i)
		}))
	}
	for _, k := range []string{keys[8], keys[64], keys[122], keys[177], keys[199]} {
		must("transition", sim.UpdateIssue(k, func(is *jirasim.Issue) {
			for _, s := range statuses { // the first status of another category
				if s.CategoryKey != category[is.Status] {
					is.Status = s.ID
					return
				}
			}
		}))
	}
	due := time.Now().UTC().AddDate(0, 0, 9).Format(time.DateOnly)
	for i, k := range []string{keys[12], keys[70], keys[140], keys[160]} {
		must("due date", sim.UpdateIssue(k, func(is *jirasim.Issue) {
			if i == 3 {
				is.DueDate = ""
				return
			}
			is.DueDate = due
		}))
	}
	removed := 0
	for _, l := range sim.Links() {
		if removed == 2 {
			break
		}
		if (l.Type == "Blocks" || l.Type == "Depends") && slices.Contains(keys, l.Inward) && slices.Contains(keys, l.Outward) {
			must("remove link", sim.RemoveLink(l.ID))
			removed++
		}
	}
	if removed != 2 {
		t.Fatalf("the scenario has %d dependency links between PAY and WEB to remove, want 2", removed)
	}
	_, err := sim.AddLink("Blocks", keys[20], keys[150])
	must("add link", err)
	_, err = sim.AddLink("Depends", keys[33], keys[44])
	must("add link", err)

	// Deleted: one in each project, from a stretch that holds linked issues.
	j.deleted = []string{keys[25], keys[180]}
	for _, k := range j.deleted {
		must("delete", sim.DeleteIssue(k))
	}
	created, err := sim.AddIssue(jirasim.Issue{Project: "PAY", Summary: "Retry the payout export after the outage", DueDate: due})
	must("create", err)
	_, err = sim.AddLink("Blocks", created, keys[100])
	must("link the created issue", err)
	_, err = sim.AddIssue(jirasim.Issue{Project: "WEB", Type: "Bug", Summary: "Checkout button overlaps the footer"})
	must("create", err)
	j.moved[0] = keys[90]
	j.moved[1], err = sim.MoveIssue(keys[90], "WEB")
	must("move", err)
}

// copyTemplate copies the template database to db.
func copyTemplate(t *testing.T, template, db string) {
	t.Helper()
	body, err := os.ReadFile(template)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(db, body, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestCrashIncrementalSyncAtRandomMoments kills `radar sync` at random
// moments of an incremental sync that also reconciles: each trial starts
// from a copy of a database that finished a full sync, Jira has moved on
// since (edits, links, deletions, new and moved issues), and after the kill
// a rerun must leave the database an uninterrupted incremental sync leaves.
func TestCrashIncrementalSyncAtRandomMoments(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills processes")
	}
	seed := crashSeed(t)
	t.Logf("kill moments seeded with %d (RADAR_CRASH_SEED=%d replays them)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	now := time.Now().UTC()
	jiras := []*incJira{
		{crashJira: newCrashJira(t, "cloud", jirasim.Cloud, 4, now)},
		{crashJira: newCrashJira(t, "datacenter", jirasim.DataCenter, 4, now)},
	}
	for _, j := range jiras {
		j.prepare(t)
		t.Logf("%s: an uninterrupted incremental sync takes %s and %d requests", j.name, j.span.Round(time.Millisecond), j.perSync)
	}
	var kills atomic.Int64
	t.Run("trials", func(t *testing.T) {
		for _, j := range jiras {
			for i, d := range killMoments(rng, j.trials, j.span) {
				t.Run(j.name+"/"+strconv.Itoa(i), func(t *testing.T) {
					t.Parallel()
					if j.killAndRerun(t, d) {
						kills.Add(1)
					}
				})
			}
		}
	})
	if got, want := kills.Load(), int64(8); got != want {
		t.Errorf("%d incremental syncs killed mid-run, want %d", got, want)
	}
}
