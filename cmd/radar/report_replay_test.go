package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/radarhq/radar"
	"github.com/radarhq/radar/analysis"
	"github.com/radarhq/radar/store"
	"github.com/radarhq/radar/store/storetest"
)

// TestReportReplaysThePast: radar report --now T is the report as it would
// have been written at T, from the snapshot replayed from the changelogs:
// work done after T is still open, findings that appeared after T are
// absent, the track record is a backtest of the past, acks made since are
// unknown, and what changed is the replayed change from T minus --since to
// T. It records nothing, so the next real report still compares with the
// last real one.
func TestReportReplaysThePast(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	now := time.Now().UTC()
	cfgPath, sc := syncedDemoAt(t, now)
	at := now.AddDate(0, 0, -14)
	stamp := at.Format(time.RFC3339)
	report := func(args ...string) string {
		return runCmd(t, simTokenEnv, append([]string{"report", "--config", cfgPath, "--project", "PAY"}, args...)...)
	}
	analyse := func(args ...string) radar.Report {
		var rep radar.Report
		js := runCmd(t, simTokenEnv, append([]string{"analyze", "--config", cfgPath, "--format", "json"}, args...)...)
		if err := json.Unmarshal([]byte(js), &rep); err != nil {
			t.Fatal(err)
		}
		return rep
	}

	// Today: a recorded backtest, a recorded analysis, the planted blocker
	// acknowledged, and a real report, recorded.
	runCmd(t, simTokenEnv, "backtest", "--config", cfgPath)
	runCmd(t, simTokenEnv, "analyze", "--config", cfgPath, "--record")
	blocker := string(radar.KindBlocker) + ":" + sc.Planted.Blocker
	runCmd(t, simTokenEnv, "ack", blocker, "--config", cfgPath, "--by", "ada")
	today := report()
	if !strings.Contains(today, "- **"+sc.Planted.Blocker+":** ") || !strings.Contains(today, "owner ada") {
		t.Fatalf("today's report does not give the planted blocker %s with its owner:\n%s", sc.Planted.Blocker, today)
	}
	reports := countReports(t, cfgPath)

	past := report("--now", stamp, "--since", "7d")
	if again := report("--now", stamp, "--since", "7d"); again != past {
		t.Error("a second report as of the same moment differs")
	}
	if !strings.Contains(past, "as of "+at.Format("2006-01-02 15:04")+" UTC, replayed") || !strings.Contains(past, "## Replay") {
		t.Errorf("the replayed report does not say it was replayed:\n%s", past)
	}

	t.Run("work done after T is open at T", func(t *testing.T) {
		snap := loadSnapshot(t, cfgPath)
		then, _ := analysis.AsOf(snap, at)
		var checked int
		for _, v := range then.Versions {
			if v.Project != "PAY" {
				continue
			}
			doneThen, totalThen := progressOf(then, v.ID)
			doneNow, _ := progressOf(snap, v.ID)
			line := fmt.Sprintf("**Progress:** %d of %d done", doneThen, totalThen)
			if doneNow <= doneThen || !strings.Contains(past, "**"+v.Project+" "+v.Name+":**") {
				continue // nothing done since, or not in the report at T
			}
			checked++
			if !strings.Contains(past, line) {
				t.Errorf("%s %s: the report at T lacks %q (%d done today):\n%s", v.Project, v.Name, line, doneNow, past)
			}
		}
		if checked == 0 {
			t.Fatal("scenario: no release of PAY in the report at T had work done since")
		}
	})

	t.Run("the risks are those at T", func(t *testing.T) {
		// Every warning or worse finding of PAY counts as an unowned risk
		// (the one ack was made after T): those at T, not today's.
		risks := func(rep radar.Report) (n int) {
			for _, f := range rep.Findings {
				if f.Project == "PAY" && f.Severity.Rank() >= radar.SeverityWarning.Rank() {
					n++
				}
			}
			return n
		}
		then := analyse("--now", stamp)
		if n, today := risks(then), risks(analyse()); n == today {
			t.Fatalf("scenario: %d risks of PAY at T and today; want a difference", n)
		}
		if want := fmt.Sprintf("**Unowned:** %d open risks nobody has acknowledged", risks(then)); !strings.Contains(past, want) {
			t.Errorf("the report at T lacks %q:\n%s", want, past)
		}
	})

	t.Run("the track record is the replayed one", func(t *testing.T) {
		stamp := now.AddDate(0, 0, -60).Format(time.RFC3339) // before releases finished
		past := report("--now", stamp)
		tr := analyse("--now", stamp).TrackRecord
		recorded := analyse().TrackRecord
		if tr == nil || recorded == nil || tr.Text() == recorded.Text() {
			t.Fatalf("scenario: track record at T %v, recorded %v; want two different ones", tr, recorded)
		}
		if !strings.Contains(past, tr.Text()) || strings.Contains(past, recorded.Text()) {
			t.Errorf("the report at T quotes the recorded track record (%s), not the one at T (%s):\n%s", recorded.Text(), tr.Text(), past)
		}
	})

	t.Run("acks made after T are unknown", func(t *testing.T) {
		want := regexp.MustCompile(`- \*\*` + regexp.QuoteMeta(sc.Planted.Blocker) + `:\*\* .* — unowned\n`)
		if !want.MatchString(past) || strings.Contains(past, "owner ada") {
			t.Errorf("the report at T does not give blocker %s as unowned (acknowledged only today):\n%s", sc.Planted.Blocker, past)
		}
	})

	t.Run("what changed is replayed", func(t *testing.T) {
		then := analyse("--now", stamp)
		before := findingsByID(analyse("--now", at.AddDate(0, 0, -7).Format(time.RFC3339)))
		var want []string
		for _, f := range then.Findings {
			if _, ok := before[f.ID]; !ok && f.Project == "PAY" && f.Severity.Rank() >= radar.SeverityWarning.Rank() {
				want = append(want, "- **New:** "+analysis.MarkdownText(f.Title, 1000))
			}
		}
		if len(want) == 0 || len(want) > 10 {
			t.Fatalf("scenario: %d findings of PAY new in the week before T; want 1 to 10", len(want))
		}
		var got []string
		for _, l := range strings.Split(past, "\n") {
			if strings.HasPrefix(l, "- **New:** ") {
				got = append(got, l)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("what changed lists as new\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		since := at.AddDate(0, 0, -7).Format("2006-01-02 15:04")
		if !strings.Contains(past, "changes since "+since+" UTC, replayed too") {
			t.Errorf("the replayed report's window does not start at %s:\n%s", since, past)
		}
	})

	t.Run("a window before the first issue starts at it", func(t *testing.T) {
		out := report("--now", stamp, "--since", "3650d")
		if !strings.Contains(out, "what changed covers from ") || !strings.Contains(out, "when the first synced issue was created") {
			t.Errorf("a window reaching before the first issue does not say where it starts:\n%s", out)
		}
	})

	t.Run("nothing is recorded", func(t *testing.T) {
		report("--now", now.Add(time.Hour).Format(time.RFC3339))
		if got := countReports(t, cfgPath); got != reports {
			t.Errorf("%d reports recorded after the replays, want %d", got, reports)
		}
		generated := regexp.MustCompile(`generated (\d{4}-\d\d-\d\d \d\d:\d\d UTC)`).FindStringSubmatch(today)
		if next := report("--dry-run"); generated == nil || !strings.Contains(next, "changes since "+generated[1]+" (the last report)") {
			t.Errorf("the next real report does not compare with the last real one (%v):\n%s", generated, next)
		}
	})

	t.Run("moments the data cannot answer for are refused as analyze refuses them", func(t *testing.T) {
		for _, bad := range []string{"1990-01-01T00:00:00Z", "9999-01-01T00:00:00Z"} {
			var o, rep, an bytes.Buffer
			code := run(context.Background(), []string{"report", "--config", cfgPath, "--now", bad}, &o, &rep, simTokenEnv)
			run(context.Background(), []string{"analyze", "--config", cfgPath, "--now", bad}, &o, &an, simTokenEnv)
			// The same words but the command's name, and the clock's second.
			clock := regexp.MustCompile(`\d\d:\d\dZ`)
			got := clock.ReplaceAllString(strings.TrimPrefix(rep.String(), "radar report: "), "")
			want := clock.ReplaceAllString(strings.TrimPrefix(an.String(), "radar analyze: "), "")
			if code != 2 || got != want || !strings.Contains(got, "use a") {
				t.Errorf("report --now %s: exit %d, %q; want 2 and analyze's %q", bad, code, rep.String(), an.String())
			}
		}
	})
}

// countReports counts the status reports recorded in the database of the
// configuration at cfgPath.
func countReports(t *testing.T, cfgPath string) (n int) {
	t.Helper()
	withDB(t, cfgPath, func(st *store.Store) { n = storetest.Count(t, st, "status_reports", nil) })
	return n
}

// loadSnapshot loads the synced snapshot of the configuration at cfgPath.
func loadSnapshot(t *testing.T, cfgPath string) (snap radar.Snapshot) {
	t.Helper()
	withDB(t, cfgPath, func(st *store.Store) {
		var err error
		if snap, err = st.LoadSnapshot(context.Background()); err != nil {
			t.Fatal(err)
		}
	})
	return snap
}

// withDB calls f with the database of the configuration at cfgPath (as
// syncedDemo writes it) open, and closes it.
func withDB(t *testing.T, cfgPath string, f func(*store.Store)) {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(filepath.Dir(cfgPath), "radar.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	f(st)
}

// progressOf counts a version's issues (not sub-tasks) and the done ones,
// as a status report does.
func progressOf(snap radar.Snapshot, version string) (done, total int) {
	for _, is := range snap.Issues {
		if !is.Subtask && slices.Contains(is.FixVersions, version) {
			total++
			if is.Done() {
				done++
			}
		}
	}
	return done, total
}

func findingsByID(rep radar.Report) map[string]radar.Finding {
	out := make(map[string]radar.Finding, len(rep.Findings))
	for _, f := range rep.Findings {
		out[f.ID] = f
	}
	return out
}
