package jirasim

import (
	"testing"
	"time"
)

// TestLongLivedShape checks that a long-lived scenario has what REALISM.md
// says years-old sites have, with changelogs consistent with each issue's
// dates.
func TestLongLivedShape(t *testing.T) {
	sc := Generate(Realistic(testNow))
	cat := map[string]string{}
	for _, s := range sc.Statuses {
		cat[s.ID] = s.CategoryKey
	}
	year := 365 * 24 * time.Hour
	oldest := testNow
	perDay := map[string]int{}
	inProgress, zombies, doneOpenTypes := 0, 0, map[string]int{}
	for _, is := range sc.Issues {
		if is.Project == "LEGACY" {
			continue
		}
		oldest = minTime(oldest, is.Created)
		switch cat[is.Status] {
		case CategoryDone:
			perDay[is.Resolved.Format(dateLayout)]++
			doneOpenTypes[is.Type]++
		case CategoryIndeterminate:
			inProgress++
			if testNow.Sub(is.Updated) > 180*24*time.Hour {
				zombies++
			}
		}
		hs := sc.Changelogs[is.Key]
		for k, h := range hs {
			if h.Created.Before(is.Created) || h.Created.After(testNow) || (k > 0 && h.Created.Before(hs[k-1].Created)) {
				t.Fatalf("%s: history %s at %v outside created %v .. now, or out of order", is.Key, h.ID, h.Created, is.Created)
			}
		}
		if n := len(hs); n > 0 && is.Updated.Before(hs[n-1].Created) {
			t.Errorf("%s: updated %v before its last history %v", is.Key, is.Updated, hs[n-1].Created)
		}
		if cat[is.Status] == CategoryDone && !lastDoneAt(hs, cat).IsZero() && !lastDoneAt(hs, cat).Equal(is.Resolved) {
			t.Errorf("%s: resolved %v but its changelog last entered done at %v", is.Key, is.Resolved, lastDoneAt(hs, cat))
		}
	}
	if got := testNow.Sub(oldest); got < 4*year {
		t.Errorf("history spans %v, want years", got)
	}
	ll := sc.Planted.LongLived
	for _, d := range ll.CleanupDays {
		if perDay[d] < 100 {
			t.Errorf("cleanup day %s closed %d issues, want 100 or more", d, perDay[d])
		}
	}
	t.Logf("oldest %v, cleanup days %v, in progress %d, zombies %d, old reopens %d, old carry-overs %v",
		oldest.Format(dateLayout), []int{perDay[ll.CleanupDays[0]], perDay[ll.CleanupDays[1]]}, inProgress, zombies, len(ll.OldReopened), ll.OldCarryOvers)
	if share := float64(zombies) / float64(inProgress); share < 0.5 {
		t.Errorf("%d of %d in-progress issues untouched for 180 days (%.2f), want most", zombies, inProgress, share)
	}
	if n := doneOpenTypes[ll.OneSampleType]; n != 1 {
		t.Errorf("%d resolved %s issues, want one sample", n, ll.OneSampleType)
	}

	members := map[string][]Issue{}
	for _, is := range sc.Issues {
		for _, v := range is.FixVersions {
			members[v] = append(members[v], is)
		}
	}
	open := func(v Version) (n int) {
		for _, is := range members[v.ID] {
			if cat[is.Status] != CategoryDone {
				n++
			}
		}
		return n
	}
	for _, v := range ll.NeverReleased {
		if v.Released || len(members[v.ID]) < 5 || open(v) != 0 {
			t.Errorf("never released %s %s: released %v, %d issues, %d open; want unreleased, all done", v.Project, v.Name, v.Released, len(members[v.ID]), open(v))
		}
	}
	for _, v := range ll.PastDue {
		if rd, _ := time.Parse(dateLayout, v.ReleaseDate); v.Released || testNow.Sub(rd) < 300*24*time.Hour || open(v) < 10 {
			t.Errorf("past due %s %s: released %v, date %s, %d open", v.Project, v.Name, v.Released, v.ReleaseDate, open(v))
		}
	}
	for _, v := range ll.Dormant {
		if open(v) != 1 {
			t.Errorf("dormant %s %s: %d open issues, want 1", v.Project, v.Name, open(v))
		}
	}
	for _, v := range ll.Empty {
		if len(members[v.ID]) != 0 {
			t.Errorf("empty %s %s holds %d issues", v.Project, v.Name, len(members[v.ID]))
		}
	}
	if len(ll.OldCarryOvers) < 3 || len(ll.OldReopened) < 10 || len(ll.Zombies["PAY"]) < 20 {
		t.Errorf("old carry-overs %d, old reopens %d, PAY zombies %d: too few", len(ll.OldCarryOvers), len(ll.OldReopened), len(ll.Zombies["PAY"]))
	}
	// The demo's planted findings are still there.
	if sc.Planted.Blocker == "" || len(sc.Planted.Cycle) != 3 || len(sc.Planted.CarryOvers) != 3 {
		t.Errorf("planted = %+v", sc.Planted)
	}
}

// lastDoneAt is when the changelog last moved the issue into a done status.
func lastDoneAt(hs []History, cat map[string]string) time.Time {
	var at time.Time
	for _, h := range hs {
		for _, it := range h.Items {
			if it.Field == "status" && cat[it.To] == CategoryDone && cat[it.From] != CategoryDone {
				at = h.Created
			}
		}
	}
	return at
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
