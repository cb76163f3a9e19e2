package alerts_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/radarhq/radar"
	"github.com/radarhq/radar/config"
	"github.com/radarhq/radar/slacksim"
)

// withSummary gives a finding the evidence the analysis gives every issue
// finding: the issue's summary, and a blocker's blast radius.
func withSummary(f radar.Finding, summary string, blast int) radar.Finding {
	x, _ := f.IssueFacts()
	x.Summary = summary
	switch f.Kind {
	case radar.KindBlocker:
		f.Evidence = radar.BlockerFacts{IssueFacts: x, BlastRadius: blast}
	case radar.KindOverdue:
		f.Evidence = radar.OverdueFacts{IssueFacts: x, BlastRadius: blast}
	case radar.KindStale:
		f.Evidence = radar.StaleFacts{IssueFacts: x, BlastRadius: blast}
	}
	return f
}

// dryRunText is the text of every block radar alert --dry-run would send
// for fs, with the route new to the channel (so the first report is a
// summary) or, with seen, as new findings in a channel already told.
func dryRunText(t *testing.T, audience string, seen bool, fs ...radar.Finding) string {
	t.Helper()
	h := newHarness(t, []config.Route{route("#pay", func(r *config.Route) { r.Audience = audience })})
	if seen {
		h.mustRun()
	}
	got, err := h.a.DryRun(context.Background(), radar.Report{GeneratedAt: h.now, Findings: fs})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, m := range got {
		var msg struct {
			Blocks json.RawMessage `json:"blocks"`
		}
		if err := json.Unmarshal(m.Message, &msg); err != nil {
			t.Fatal(err)
		}
		b.WriteString(strings.Join(slacksim.FlattenBlocks(msg.Blocks), "\n") + "\n")
	}
	return b.String()
}

// TestSummaryListsAreForPeople: the backlog summary names each issue once
// with its summary (escaped) and all its kinds, the biggest blocker first,
// and keys in the order people count.
func TestSummaryListsAreForPeople(t *testing.T) {
	const refunds = "Refunds <fail> & retry"
	text := dryRunText(t, "team", false,
		withSummary(finding(radar.KindBlocker, "PAY-132", radar.SeverityCritical), "Card vault", 9),
		withSummary(finding(radar.KindBlocker, "PAY-43", radar.SeverityCritical), refunds, 20),
		withSummary(finding(radar.KindStale, "PAY-43", radar.SeverityWarning), refunds, 0),
		withSummary(finding(radar.KindOverdue, "PAY-43", radar.SeverityWarning), refunds, 0),
		withSummary(finding(radar.KindBlocker, "PAY-7", radar.SeverityCritical), "Ledger", 2),
		withSummary(finding(radar.KindStale, "PAY-9", radar.SeverityWarning), "Payout report", 0),
		withSummary(finding(radar.KindStale, "PAY-10", radar.SeverityWarning), "Payout export", 0),
	)
	summary, _, _ := strings.Cut(text[strings.Index(text, "Radar found"):], "Radar · backlog summary")
	if n := strings.Count(summary, "browse/PAY-43|"); n != 1 {
		t.Errorf("PAY-43 is listed %d times, want once with all its kinds:\n%s", n, summary)
	}
	for _, want := range []string{"Refunds &lt;fail&gt; &amp; retry", "*Blocker*", "*Stale*", "*Overdue*", "Card vault"} {
		if !strings.Contains(summary, want) {
			t.Errorf("summary lacks %q:\n%s", want, summary)
		}
	}
	order := func(keys ...string) {
		t.Helper()
		last := -1
		for _, k := range keys {
			i := strings.Index(summary, "browse/"+k+"|")
			if i < last {
				t.Errorf("%v: %s comes too early:\n%s", keys, k, summary)
			}
			last = i
		}
	}
	order("PAY-43", "PAY-132", "PAY-7") // by blast radius, not key text
	order("PAY-9", "PAY-10")            // keys as people count
}

// TestFindingMessageShowsSummary: an issue finding's own message carries
// the issue's summary, escaped, for both audiences.
func TestFindingMessageShowsSummary(t *testing.T) {
	f := withSummary(finding(radar.KindBlocker, "PAY-95", radar.SeverityCritical), "Payment API <v2> & refunds", 3)
	f.Title = "PAY-95 blocks 3 open issues"
	for _, audience := range []string{"team", "exec"} {
		text := dryRunText(t, audience, true, f)
		if !strings.Contains(text, "blocks 3 open issues — _Payment API &lt;v2&gt; &amp; refunds_") || strings.Contains(text, "<v2>") {
			t.Errorf("%s message lacks the escaped summary after the title:\n%s", audience, text)
		}
	}
}
