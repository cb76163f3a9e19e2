package analysis

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/radarhq/radar"
)

// siteNow is the end of the synthetic site's history.
var siteNow = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// yearsOfSite builds a synthetic multi-year site whose throughput is known:
// one team resolves 3–7 versioned items a week (uniformly), working through
// versions in order, each version planned (its items created, its date
// recorded) when work on the one before it starts. It has what real sites
// have: heavy-tailed cycle times (a log-normal with a one-in-twenty tail of
// years), cleanup days closing hundreds of years-old unversioned tickets at
// once, dormant versions past their date with open work, an empty version,
// and zombie work in progress.
func yearsOfSite(years int, seed uint64) radar.Snapshot {
	rng := rand.New(rand.NewPCG(seed, 7))
	start := siteNow.AddDate(-years, 0, 0)
	var s radar.Snapshot
	s.Statuses = []radar.Status{{ID: "1", Name: "Open", Category: radar.CategoryNew}, {ID: "3", Name: "In Progress", Category: radar.CategoryInProgress},
		{ID: "5", Name: "Closed", Category: radar.CategoryDone}}
	n := 0
	// Issues are referred to by index: s.Issues grows as the site does.
	issue := func(created time.Time, versions ...string) int {
		n++
		s.Issues = append(s.Issues, radar.Issue{ID: fmt.Sprint(10000 + n), Key: fmt.Sprintf("SIM-%d", n), Project: "SIM", Type: "Bug",
			Status: "Open", StatusID: "1", StatusCategory: radar.CategoryNew, Created: created, Updated: created, FixVersions: versions,
			Summary: "synthetic"})
		return len(s.Issues) - 1
	}
	move := func(i int, at time.Time, from, to string) {
		is := &s.Issues[i]
		names := map[string]string{"1": "Open", "3": "In Progress", "5": "Closed"}
		s.Changes = append(s.Changes, radar.Change{IssueKey: is.Key, HistoryID: fmt.Sprintf("%s-%d", is.Key, at.Unix()), Created: at,
			Field: "status", FieldID: "status", From: from, FromString: names[from], To: to, ToString: names[to]})
		is.StatusID, is.Status, is.Updated = to, names[to], at
		is.StatusCategory = map[string]radar.StatusCategory{"1": radar.CategoryNew, "3": radar.CategoryInProgress, "5": radar.CategoryDone}[to]
		if to == "5" {
			is.Resolved = at
		}
	}
	resolve := func(i int, at time.Time) {
		is := &s.Issues[i]
		// Heavy-tailed cycle: log-normal around 6 days, one in twenty
		// waited years before anyone picked it up.
		cycle := math.Exp(math.Log(6) + 0.9*rng.NormFloat64())
		if rng.IntN(20) == 0 {
			cycle = 200 + rng.Float64()*900
		}
		began := at.Add(-time.Duration(cycle * float64(24*time.Hour)))
		if began.Before(is.Created) {
			began = is.Created.Add(time.Hour)
		}
		move(i, began, "1", "3")
		move(i, at, "3", "5")
	}

	// Old unversioned backlog, closed in bulk on cleanup days, and zombie
	// work in progress nobody touches again.
	var backlog []int
	for k := 0; k < 600; k++ {
		backlog = append(backlog, issue(start.Add(time.Duration(rng.IntN(years*300))*24*time.Hour)))
	}
	for k := 0; k < 20; k++ {
		z := issue(start.Add(time.Duration(rng.IntN(200)) * 24 * time.Hour))
		move(z, s.Issues[z].Created.AddDate(0, 0, 3), "1", "3")
	}
	// Dormant versions: past their date a year or more, work left open.
	for d := 0; d < 2; d++ {
		id := fmt.Sprintf("d%d", d)
		rd := start.AddDate(0, 6+3*d, 0)
		s.Versions = append(s.Versions, radar.Version{ID: id, Project: "SIM", Name: fmt.Sprintf("legacy-%d", d), ReleaseDate: rd})
		for k := 0; k < 4; k++ {
			issue(rd.AddDate(0, -2, 0), id)
		}
	}
	s.Versions = append(s.Versions, radar.Version{ID: "empty", Project: "SIM", Name: "someday", ReleaseDate: siteNow.AddDate(0, 2, 0)})

	// The team: versions in order, 3–7 items a week.
	type plan struct {
		id    string
		items []int
	}
	mkVersion := func(k int, at time.Time, ahead int) plan {
		id := fmt.Sprintf("v%d", k)
		size := 12 + rng.IntN(25)
		// The planned date: this version's and the work ahead's items
		// at the team's mean pace of 5 a week, plus a little optimism.
		planned := at.Add(time.Duration(float64(size+ahead)/5*7*0.95) * 24 * time.Hour).Truncate(24 * time.Hour)
		s.Versions = append(s.Versions, radar.Version{ID: id, Project: "SIM", Name: fmt.Sprintf("1.%d", k), ReleaseDate: planned})
		s.VersionDates = append(s.VersionDates, radar.VersionDate{VersionID: id, ObservedAt: at, ReleaseDate: planned})
		p := plan{id: id}
		for range size {
			p.items = append(p.items, issue(at, id))
		}
		return p
	}
	k := 0
	cur := mkVersion(k, start, 0)
	next := mkVersion(k+1, start, len(cur.items))
	k += 2
	done := 0
	nextCleanup := start.AddDate(0, 5, 0)
	for day := start; day.Before(siteNow); day = day.AddDate(0, 0, 7) {
		capacity := 3 + rng.IntN(5)
		for c := 0; c < capacity; c++ {
			at := day.Add(time.Duration((float64(c) + 0.5) * 7 * 24 / float64(capacity) * float64(time.Hour)))
			if !at.Before(siteNow) {
				break
			}
			resolve(cur.items[done], at)
			done++
			if done == len(cur.items) {
				// Released when its work is done; the next is planned.
				for i := range s.Versions {
					if s.Versions[i].ID == cur.id {
						s.Versions[i].Released, s.Versions[i].ReleaseDate = true, at.Truncate(24*time.Hour)
						s.VersionDates = append(s.VersionDates, radar.VersionDate{VersionID: cur.id, ObservedAt: at, ReleaseDate: at.Truncate(24 * time.Hour)})
					}
				}
				cur, done = next, 0
				next = mkVersion(k, at, len(cur.items))
				k++
			}
		}
		if !day.Before(nextCleanup) && len(backlog) > 0 {
			m := min(len(backlog), 150+rng.IntN(100))
			for _, i := range backlog[:m] {
				if s.Issues[i].Created.Before(day) {
					move(i, day.Add(15*time.Hour), "1", "5")
				}
			}
			backlog = backlog[m:]
			nextCleanup = nextCleanup.AddDate(0, 6, 0)
		}
	}
	return s
}
