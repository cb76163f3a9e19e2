package jirasim

import (
	"fmt"
	"slices"
	"time"
)

// Realistic is a long-lived site shaped like the public sites REALISM.md
// measured: three projects of 600 issues created over five years, with
// cleanup days, zombie work in progress, dormant, empty, never-released and
// past-due versions, sprints closed years ago and a one-sample issue type,
// on top of everything the demo scenario plants.
func Realistic(now time.Time) ScenarioConfig {
	return ScenarioConfig{Seed: 11, Projects: []string{"PAY", "WEB", "OPS"}, IssuesPerProject: 600, Now: now,
		OutsideProject: "LEGACY", Years: 5}
}

// Positions of the long-lived versions, appended after the seven versions
// every project has.
const (
	verNeverReleased = 7 + iota
	verPastDue
	verDormant
	verEmptyDated
	verEmptyUndated
)

// longLivedVersions are the versions a years-old project accumulates.
func longLivedVersions(day func(int) string) []Version {
	return []Version{
		{Name: "1.4", Description: "Shipped, never marked released", StartDate: day(-560), ReleaseDate: day(-380)},
		{Name: "1.5", Description: "A year late", StartDate: day(-500), ReleaseDate: day(-365)},
		{Name: "Legacy cleanup", Description: "Nobody remembers", StartDate: day(-1500)},
		{Name: "3.0", StartDate: day(60), ReleaseDate: day(150)},
		{Name: "Ideas"},
	}
}

// addOldSprints gives a board four two-week sprints closed about two and a
// half years ago, from when the team last used the board.
func (g *gen) addOldSprints(key string, board int, activeStart time.Time) {
	first := activeStart.AddDate(-2, -6, 0)
	for k := 0; k < 4; k++ {
		sp := &Sprint{ID: len(g.sc.Sprints) + 1, BoardID: board, Name: fmt.Sprintf("%s %d Sprint %d", key, first.Year(), k+1), State: SprintClosed}
		sp.StartDate = first.AddDate(0, 0, 14*k)
		sp.EndDate = sp.StartDate.AddDate(0, 0, 14)
		sp.CompleteDate = sp.EndDate.Add(2 * time.Hour)
		g.sc.Sprints = append(g.sc.Sprints, *sp)
		g.oldSprints[key] = append(g.oldSprints[key], sp)
	}
}

// age gives the in-scope projects what years of use leave behind. It runs
// after plant and leaves planted issues alone: it only reshapes issues that
// were done with no planted role.
func (g *gen) age() {
	ll := &g.sc.Planted.LongLived
	ll.Zombies = map[string][]string{}
	ll.OneSampleType = "Spike"
	g.sc.IssueTypes = append(g.sc.IssueTypes, IssueType{"10007", "Spike", false, 0})
	// The zombie holder is the last user, whom random picks (user) never
	// choose: they get no live work.
	holder := "5b10ac8d82e05b22cc7d4fff"
	g.sc.Users = append(g.sc.Users, User{AccountID: holder, Name: "zora.legacy", DisplayName: "Zora Legacy", Email: "zora.legacy@example.com"})
	ll.ZombieHolder = holder
	midnight := g.now.Truncate(24 * time.Hour)
	cleanups := []time.Time{midnight.AddDate(-2, 0, 17).Add(10 * time.Hour), midnight.AddDate(0, 0, -40).Add(15 * time.Hour)}
	for _, c := range cleanups {
		ll.CleanupDays = append(ll.CleanupDays, g.day(c))
	}
	planted := g.plantedKeys()
	year := 365 * 24 * time.Hour
	for pi, key := range g.c.Projects {
		if g.ctx.Err() != nil {
			return // GenerateContext returns the error
		}
		var free []int
		for _, i := range g.byProject[key] {
			is := &g.sc.Issues[i]
			h := g.hint[i]
			if !is.Resolved.IsZero() && !planted[is.Key] && h.reopen == 0 && !h.stale && h.dueSlips == nil && is.Type != "Epic" && is.Type != "Sub-task" {
				free = append(free, i)
			}
		}
		g.rng.Shuffle(len(free), func(a, b int) { free[a], free[b] = free[b], free[a] })
		take := func(ok func(*Issue) bool) int {
			for k, i := range free {
				if ok(&g.sc.Issues[i]) {
					free = slices.Delete(free, k, k+1)
					return i
				}
			}
			return -1
		}
		createdBefore := func(t time.Time) func(*Issue) bool {
			return func(is *Issue) bool { return is.Created.Before(t) }
		}
		owner := func(first bool) string {
			if pi == 0 && first {
				return holder
			}
			return ""
		}
		vers := g.vers[key]

		// A version whose work all shipped but nobody marked released.
		nr := vers[verNeverReleased]
		nrDate, _ := time.Parse(dateLayout, nr.ReleaseDate)
		for k := 0; k < 10; k++ {
			i := take(func(is *Issue) bool {
				return is.Resolved.Before(nrDate) && is.Resolved.After(nrDate.AddDate(0, 0, -180)) && len(is.Sprints) == 0
			})
			if i < 0 {
				break
			}
			g.sc.Issues[i].FixVersions = []string{nr.ID}
		}
		ll.NeverReleased = append(ll.NeverReleased, nr)

		// A version a year past its date, unreleased, with 15 open items
		// mostly untouched since it was due.
		pd := vers[verPastDue]
		pdDate, _ := time.Parse(dateLayout, pd.ReleaseDate)
		for k := 0; k < 15; k++ {
			i := take(createdBefore(pdDate.AddDate(0, 0, -30)))
			if i < 0 {
				break
			}
			last := pdDate.AddDate(0, 0, -g.rng.IntN(30))
			if k < 2 {
				last = g.now.AddDate(0, 0, -2-g.rng.IntN(15))
			}
			is := g.reopenAs(i, k%3 == 0, last, owner(k == 2))
			is.FixVersions = []string{pd.ID}
		}
		ll.PastDue = append(ll.PastDue, pd)

		// A dormant version: done work from years ago and one open issue
		// untouched for three years.
		dv := vers[verDormant]
		if i := take(createdBefore(g.now.Add(-3*year - 30*24*time.Hour))); i >= 0 {
			g.reopenAs(i, false, g.now.Add(-3*year), owner(true)).FixVersions = []string{dv.ID}
		}
		for k := 0; k < 3; k++ {
			if i := take(func(is *Issue) bool { return is.Resolved.Before(g.now.Add(-3 * year)) }); i >= 0 {
				g.sc.Issues[i].FixVersions = []string{dv.ID}
			}
		}
		ll.Dormant = append(ll.Dormant, dv)
		ll.Empty = append(ll.Empty, vers[verEmptyDated], vers[verEmptyUndated])

		// Zombie work in progress: untouched for 181 days to five years.
		// The first two sat in two sprints closed years ago.
		old := g.oldSprints[key]
		zombies := len(g.byProject[key]) / 12
		for k := 0; k < zombies; k++ {
			if k < 2 && len(old) >= 2 {
				i := take(createdBefore(old[0].StartDate.AddDate(0, 0, -3)))
				if i < 0 {
					continue
				}
				is := g.reopenAs(i, true, old[1].EndDate.AddDate(0, 0, 5+g.rng.IntN(60)), owner(true))
				is.Sprints = []int{old[0].ID, old[1].ID}
				ll.OldCarryOvers = append(ll.OldCarryOvers, is.Key)
				ll.Zombies[key] = append(ll.Zombies[key], is.Key)
				continue
			}
			i := take(createdBefore(g.now.Add(-year)))
			if i < 0 {
				break
			}
			is := &g.sc.Issues[i]
			longest := min(g.now.Sub(is.Created)-48*time.Hour, 5*year)
			idle := 181*24*time.Hour + time.Duration(g.rng.Int64N(int64(longest-181*24*time.Hour)))
			g.reopenAs(i, true, g.now.Add(-idle), owner(k < 4))
			ll.Zombies[key] = append(ll.Zombies[key], is.Key)
		}

		// Cleanup days: years-old tickets closed in bulk.
		for _, c := range cleanups {
			for k := 0; k < len(g.byProject[key])/10; k++ {
				i := take(func(is *Issue) bool {
					return is.Created.Before(c.Add(-year)) && len(is.Sprints) == 0 && len(is.FixVersions) == 0 && is.DueDate == ""
				})
				if i < 0 {
					break
				}
				g.sc.Issues[i].Resolved = c.Add(time.Duration(g.rng.Int64N(int64(3 * time.Hour)))).Truncate(time.Second)
			}
		}

		// One issue type with a single resolved sample, years in the
		// making, and one open issue of it in the coming release.
		if pi == 0 {
			if i := take(createdBefore(g.now.Add(-3 * year))); i >= 0 {
				is := &g.sc.Issues[i]
				is.Type, is.Resolved, is.Sprints, is.FixVersions, is.DueDate = ll.OneSampleType, g.now.AddDate(0, 0, -20), nil, nil, ""
			}
			if i := take(createdBefore(g.now.AddDate(0, 0, -30))); i >= 0 {
				is := g.reopenAs(i, false, g.now.AddDate(0, 0, -3), "")
				is.Type, is.FixVersions = ll.OneSampleType, []string{vers[4].ID}
			}
		}

		for _, i := range g.byProject[key] {
			is := &g.sc.Issues[i]
			if g.hint[i].reopen > 0 && !is.Resolved.IsZero() && is.Resolved.Before(g.now.Add(-year)) {
				ll.OldReopened = append(ll.OldReopened, is.Key)
			}
		}
	}
}

// reopenAs turns a done issue into open work last touched at last: in
// progress or to do, out of sprints and versions, assigned to assignee when
// given.
func (g *gen) reopenAs(idx int, doing bool, last time.Time, assignee string) *Issue {
	is := g.makeOpen(idx, doing)
	if assignee != "" {
		is.Assignee = assignee
	}
	is.Sprints, is.FixVersions, is.DueDate, is.Flagged = nil, nil, "", false
	if !last.After(is.Created.Add(24 * time.Hour)) {
		last = is.Created.Add(48 * time.Hour)
	}
	g.hint[idx].lastTouch = last
	return is
}

// plantedKeys are the issues plant gave a role.
func (g *gen) plantedKeys() map[string]bool {
	pl := g.sc.Planted
	keys := map[string]bool{pl.Blocker: true, pl.Escaping: true}
	for _, ks := range [][]string{pl.BlastRadius, pl.Cycle, pl.CarryOvers, pl.Slipped, pl.Reopened, pl.Stale, pl.Flagged} {
		for _, k := range ks {
			keys[k] = true
		}
	}
	return keys
}
