package jirasim

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ScenarioConfig configures Generate.
type ScenarioConfig struct {
	// Seed makes the scenario: the same config gives the same scenario.
	Seed uint64
	// Projects are the keys of the projects in the synced scope; the first
	// holds the planted findings.
	Projects []string
	// IssuesPerProject is the number of issues per project (the first
	// project needs 60 or more for everything to be planted).
	IssuesPerProject int
	// Now anchors all times: issues were created in the 400 days before
	// it, and sprints and releases are placed around it.
	Now time.Time
	// OutsideProject, when set, is one more project, outside the synced
	// scope, with a fifth as many issues, that some links point to.
	OutsideProject string
	// Years, when positive, makes the site long-lived (see Realistic):
	// issues created over that many years, cleanup days, zombie work in
	// progress, dormant, empty, never-released and past-due versions, old
	// sprints and a one-sample issue type. Zero keeps the 400-day shape.
	Years int
}

// Demo is a realistic scenario for the demo: three projects of 150 issues
// plus an outside project.
func Demo(now time.Time) ScenarioConfig {
	return ScenarioConfig{Seed: 7, Projects: []string{"PAY", "WEB", "OPS"}, IssuesPerProject: 150, Now: now, OutsideProject: "LEGACY"}
}

var (
	stTodo     = Status{"10000", "To Do", CategoryNew}
	stOpen     = Status{"1", "Open", CategoryNew}
	stReceived = Status{"10001", "Received", CategoryNew}
	stVolNeed  = Status{"10002", "Volunteer Needed", CategoryNew}
	stReopened = Status{"4", "Reopened", CategoryNew}
	stProgress = Status{"3", "In Progress", CategoryIndeterminate}
	stReview   = Status{"10003", "In Review", CategoryIndeterminate}
	stEnCours  = Status{"10004", "En cours", CategoryIndeterminate}
	stResolved = Status{"5", "Resolved", CategoryDone}
	stClosed   = Status{"6", "Closed", CategoryDone}
	stDone     = Status{"10005", "Done", CategoryDone}
	stTermine  = Status{"10006", "Terminé", CategoryDone}
)

// workflow is the statuses a project uses per category.
type workflow struct{ todo, doing, done []Status }

var workflows = []workflow{
	{[]Status{stTodo}, []Status{stProgress, stReview}, []Status{stDone}},
	{[]Status{stOpen, stReceived}, []Status{stProgress}, []Status{stResolved, stClosed}},
	{[]Status{stVolNeed, stOpen}, []Status{stEnCours, stReview}, []Status{stTermine, stClosed}},
}

var (
	firstNames = []string{"Ada", "Bruno", "Chloé", "Dmitri", "Esther", "Farid", "Greta", "Hiro", "Ines", "Jonas", "Kemal", "Lena", "Mateo", "Nora", "Oskar", "Priya", "Quentin", "Rosa", "Sven", "Tamar", "Umar", "Vera", "Wei", "Yara"}
	lastNames  = []string{"Lovelace", "Alves", "Martin", "Volkov", "Okafor", "Haddad", "Nilsson", "Tanaka", "García", "Weber", "Yilmaz", "Novak", "Rossi", "Berg", "Lund", "Shah", "Dubois", "Costa", "Holm", "Levi", "Aziz", "Kovač", "Zhang", "Haddad"}
	verbs      = []string{"Fix", "Add", "Remove", "Refactor", "Investigate", "Migrate", "Document", "Speed up", "Handle", "Support", "Retry", "Validate"}
	objects    = []string{"checkout flow", "invoice export", "login page", "search index", "webhook delivery", "nightly backup", "session cache", "payment retries", "CSV import", "rate limiter", "audit log", "mobile layout", "currency rounding", "feature flags", "SSO callback", "email templates"}
	contexts   = []string{"on Safari", "for EU customers", "after upgrade", "under load", "in staging", "when offline", "for large accounts", "on first login", "in the admin UI", "with 2FA enabled"}
	labelPool  = []string{"backend", "frontend", "tech-debt", "customer", "security", "perf", "regression", "ux"}
	compPool   = []string{"API", "Web", "Billing", "Infra", "Mobile", "Data"}
	projNames  = map[string]string{"PAY": "Payments", "WEB": "Web Storefront", "OPS": "Operations", "LEGACY": "Legacy Platform"}
)

// gen holds the generator's working state.
type gen struct {
	ctx    context.Context // generation stops when it ends
	c      ScenarioConfig
	rng    *rand.Rand
	now    time.Time
	sc     *Scenario
	wf     map[string]workflow
	sprint map[string][]*Sprint // by project: closed..., active, future
	vers   map[string][]Version
	// per issue (index into sc.Issues) generation hints
	hint      []issueHint
	byProject map[string][]int
	keyIdx    map[string]int
	nextHist  int64
	// oldSprints are each board's closed sprints of years ago (Years > 0).
	oldSprints map[string][]*Sprint
}

type issueHint struct {
	reopen    int      // times the issue was reopened
	dueSlips  []string // earlier due dates, oldest first
	stale     bool
	heavy     bool
	leaveOpen bool // reopened and left open
	// lastTouch, when set, is when an open issue was last changed (zombie
	// and dormant work of a long-lived site).
	lastTouch time.Time
}

// Generate builds a scenario from c, deterministically.
func Generate(c ScenarioConfig) *Scenario {
	sc, _ := GenerateContext(context.Background(), c)
	return sc
}

// GenerateContext is Generate, giving up with ctx's error when ctx ends
// first: a large scenario takes seconds to build.
func GenerateContext(ctx context.Context, c ScenarioConfig) (*Scenario, error) {
	if c.Now.IsZero() {
		c.Now = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	}
	g := &gen{
		ctx:       ctx,
		c:         c,
		rng:       rand.New(rand.NewPCG(c.Seed, c.Seed^0x5eed5eed5eed5eed)),
		now:       c.Now.Truncate(time.Second),
		wf:        map[string]workflow{},
		sprint:    map[string][]*Sprint{},
		vers:      map[string][]Version{},
		byProject: map[string][]int{},
		keyIdx:    map[string]int{},
		nextHist:  10000,

		oldSprints: map[string][]*Sprint{},
	}
	g.sc = &Scenario{
		Now:        g.now,
		Priorities: []Priority{{"1", "Critical"}, {"2", "High"}, {"3", "Medium"}, {"4", "Low"}, {"5", "Trivial"}},
		IssueTypes: []IssueType{
			{"10000", "Epic", false, 1}, {"10001", "Bug", false, 0}, {"10002", "Story", false, 0}, {"10003", "Task", false, 0},
			{"10004", "Improvement", false, 0}, {"10005", "New Feature", false, 0}, {"10006", "Sub-task", true, -1},
		},
		LinkTypes: []LinkType{
			{"10000", "Blocks", "is blocked by", "blocks"},
			{"10001", "Cloners", "is cloned by", "clones"},
			{"10002", "Duplicate", "is duplicated by", "duplicates"},
			{"10003", "Relates", "relates to", "relates to"},
			{"10004", "Depends", "is dependent of", "depends on"},
		},
		Statuses:   []Status{stOpen, stProgress, stReopened, stResolved, stClosed, stTodo, stReceived, stVolNeed, stReview, stEnCours, stDone, stTermine},
		Changelogs: map[string][]History{},
	}
	g.users()
	g.projects()
	for i, key := range c.Projects {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		g.project(key, i, c.IssuesPerProject, true)
	}
	if c.OutsideProject != "" {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		g.project(c.OutsideProject, len(c.Projects), max(20, c.IssuesPerProject/5), false)
	}
	steps := []func(){g.assignIDs, g.plant}
	if c.Years > 0 {
		steps = append(steps, g.age)
	}
	steps = append(steps, g.randomLinks, g.changelogs)
	for _, step := range steps {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		step()
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return g.sc, nil
}

func (g *gen) users() {
	for i := 0; i < 24; i++ {
		first, last := firstNames[i], lastNames[(i*7)%len(lastNames)]
		login := strings.ToLower(first + "." + strings.ReplaceAll(last, "ç", "c"))
		u := User{AccountID: fmt.Sprintf("5b10ac8d82e05b22cc7d4%03x", i+0x100), Name: login, DisplayName: first + " " + last}
		if i%7 != 3 { // some users hide their email
			u.Email = login + "@example.com"
		}
		g.sc.Users = append(g.sc.Users, u)
	}
	g.sc.Users = append(g.sc.Users, User{AccountID: "712020:radar-bot", Name: "radar", DisplayName: "Radar Bot", Email: "radar@example.com"})
}

func (g *gen) projects() {
	all := slices.Clone(g.c.Projects)
	if g.c.OutsideProject != "" {
		all = append(all, g.c.OutsideProject)
	}
	vid := 10100
	for i, key := range all {
		name := projNames[key]
		if name == "" {
			name = "Project " + key
		}
		g.sc.Projects = append(g.sc.Projects, Project{ID: strconv.Itoa(10000 + i), Key: key, Name: name})
		g.wf[key] = workflows[i%len(workflows)]
		day := func(d int) string { return g.now.AddDate(0, 0, d).Format(dateLayout) }
		vs := []Version{
			{Name: "1.0", Released: true, Archived: true, StartDate: day(-360), ReleaseDate: day(-300)},
			{Name: "1.1", Released: true, StartDate: day(-300), ReleaseDate: day(-200)},
			{Name: "1.2", Released: true, StartDate: day(-200), ReleaseDate: day(-100)},
			{Name: "1.3", Released: true, StartDate: day(-100), ReleaseDate: day(-30)},
			{Name: "2.0", Description: "Next major release", StartDate: day(-30), ReleaseDate: day(10)},
			{Name: "2.1", StartDate: day(10), ReleaseDate: day(60)},
			{Name: "Backlog", Description: "Someday"},
		}
		if g.c.Years > 0 {
			vs = append(vs, longLivedVersions(day)...)
		}
		for j := range vs {
			vs[j].ID, vs[j].Project = strconv.Itoa(vid), key
			vid++
		}
		g.vers[key] = vs
		g.sc.Versions = append(g.sc.Versions, vs...)
		if i >= len(g.c.Projects) {
			continue // the outside project has no board here
		}
		b := Board{ID: i + 1, Name: key + " board", Project: key}
		g.sc.Boards = append(g.sc.Boards, b)
		// 8 closed sprints, one active (started 5 days ago), one future.
		activeStart := time.Date(g.now.Year(), g.now.Month(), g.now.Day(), 9, 0, 0, 0, time.UTC).AddDate(0, 0, -5)
		for k := 0; k < 10; k++ {
			sp := &Sprint{ID: len(g.sc.Sprints) + 1, BoardID: b.ID, Name: fmt.Sprintf("%s Sprint %d", key, k+1)}
			sp.StartDate = activeStart.AddDate(0, 0, (k-8)*14)
			sp.EndDate = sp.StartDate.AddDate(0, 0, 14)
			switch {
			case k < 8:
				sp.State, sp.CompleteDate = SprintClosed, sp.EndDate.Add(2*time.Hour)
			case k == 8:
				sp.State, sp.Goal = SprintActive, "Ship "+key+" 2.0 release candidate"
			default:
				sp.State, sp.StartDate, sp.EndDate = SprintFuture, time.Time{}, time.Time{}
			}
			g.sc.Sprints = append(g.sc.Sprints, *sp)
			g.sprint[key] = append(g.sprint[key], sp)
		}
		if g.c.Years > 0 {
			g.addOldSprints(key, b.ID, activeStart)
		}
	}
}

func (g *gen) pick(xs []string) string { return xs[g.rng.IntN(len(xs))] }

func (g *gen) chance(p float64) bool { return g.rng.Float64() < p }

func (g *gen) user() string { return g.sc.Users[g.rng.IntN(len(g.sc.Users)-1)].AccountID }

func (g *gen) summary() string {
	s := g.pick(verbs) + " " + g.pick(objects)
	if g.chance(0.6) {
		s += " " + g.pick(contexts)
	}
	return s
}

func (g *gen) description() string {
	switch g.rng.IntN(4) {
	case 0:
		return ""
	case 1:
		return "Steps to reproduce:\r\n# Open the page\r\n# Click *Save*\r\n\r\nExpected: saved.\r\nActual: {{HTTP 500}}"
	case 2:
		return "See the log below.\r\n{code}\r\nERROR <main> failed & retried\r\n{code}"
	}
	return "h3. Context\r\nCustomers report this since the last release. _Urgent_ for [~" + g.pick(firstNames) + "]."
}

func (g *gen) day(t time.Time) string { return t.Format(dateLayout) }

// project generates the issues of one project with their final state.
func (g *gen) project(key string, pi, n int, inScope bool) {
	wf := g.wf[key]
	span := 395 * 24 * time.Hour
	if g.c.Years > 0 {
		span = time.Duration(g.c.Years)*365*24*time.Hour - 5*24*time.Hour
	}
	offsets := make([]time.Duration, n)
	for i := range offsets {
		offsets[i] = time.Duration(g.rng.Int64N(int64(span)))
	}
	slices.Sort(offsets)
	start := g.now.Add(-span - 5*24*time.Hour)
	sprints := g.sprint[key]
	vers := g.vers[key]
	var epics, standard, epicSize []int
	nEpics := 0
	if n >= 20 {
		nEpics = max(1, n/30)
	}
	for i := 0; i < n; i++ {
		if i%1000 == 999 && g.ctx.Err() != nil {
			return // GenerateContext returns the error
		}
		created := start.Add(offsets[i]).Truncate(time.Second)
		is := Issue{Project: key, Key: fmt.Sprintf("%s-%d", key, i+1), Created: created, Reporter: g.user(), Summary: g.summary(), Description: g.description()}
		switch {
		case len(epics) < nEpics && (i%max(1, n/nEpics/2) == 0 || n-i <= nEpics-len(epics)):
			is.Type = "Epic"
			o := g.pick(objects)
			is.Summary = strings.ToUpper(o[:1]) + o[1:] + " overhaul"
		case len(standard) > 3 && g.chance(0.055):
			is.Type = "Sub-task"
		default:
			is.Type = pickWeighted(g.rng, []string{"Bug", "Story", "Task", "Improvement", "New Feature"}, []float64{40, 30, 12, 10, 8})
		}
		age := g.now.Sub(created)
		open := g.chance(0.08)
		if age < 60*24*time.Hour {
			open = g.chance(0.55)
		}
		if is.Type == "Sub-task" {
			parent := g.sc.Issues[standard[g.rng.IntN(len(standard))]]
			is.Parent = parent.Key
		} else if is.Type != "Epic" && len(epics) > 0 && g.chance(0.6) {
			// Epics hold 5 to 50 issues: fill the smallest now and then.
			e := g.rng.IntN(len(epics))
			if g.chance(0.3) {
				for k := range epics {
					if epicSize[k] < epicSize[e] {
						e = k
					}
				}
			}
			if epicSize[e] < 50 {
				epicSize[e]++
				is.Parent = g.sc.Issues[epics[e]].Key
			}
		}
		is.Priority = pickWeighted(g.rng, []string{"3", "2", "4", "1", "5", ""}, []float64{40, 22, 15, 8, 5, 10})
		if open {
			if g.chance(0.55) {
				is.Status = wf.todo[g.rng.IntN(len(wf.todo))].ID
				if g.chance(0.6) {
					is.Assignee = g.user()
				}
			} else {
				is.Status = wf.doing[g.rng.IntN(len(wf.doing))].ID
				is.Assignee = g.user()
			}
		} else {
			is.Status = wf.done[g.rng.IntN(len(wf.done))].ID
			maxRes := min(age, 120*24*time.Hour)
			if g.c.Years > 0 && g.chance(0.12) {
				maxRes = age // a long-lived site's heavy tail: closed years later
			}
			is.Resolved = created.Add(time.Hour + time.Duration(g.rng.Int64N(int64(maxRes)))).Truncate(time.Second)
			if is.Resolved.After(g.now) {
				is.Resolved = g.now.Add(-time.Hour)
			}
			if g.chance(0.9) {
				is.Assignee = g.user()
			}
		}
		if g.chance(0.3) {
			is.Labels = []string{g.pick(labelPool)}
			if g.chance(0.3) {
				if l := g.pick(labelPool); l != is.Labels[0] {
					is.Labels = append(is.Labels, l)
				}
			}
		}
		if g.chance(0.5) {
			is.Components = []string{compPool[(pi+g.rng.IntN(3))%len(compPool)]}
		}
		// Fix versions: done issues get the release after resolution.
		if g.chance(0.6) && is.Type != "Epic" {
			if open {
				is.FixVersions = []string{vers[4+g.rng.IntN(3)].ID}
			} else {
				for _, v := range vers[:4] {
					if rd, _ := time.Parse(dateLayout, v.ReleaseDate); !rd.Before(is.Resolved) {
						is.FixVersions = []string{v.ID}
						break
					}
				}
				if is.FixVersions == nil && is.Resolved.After(g.now.AddDate(0, 0, -30)) {
					is.FixVersions = []string{vers[4].ID}
				}
			}
		}
		if inScope && is.Type != "Epic" {
			is.Sprints = g.sprintsFor(&is, open, sprints)
		}
		if g.chance(0.12) {
			if open {
				is.DueDate = g.day(g.now.AddDate(0, 0, g.rng.IntN(40)-10))
			} else {
				is.DueDate = g.day(is.Resolved.AddDate(0, 0, g.rng.IntN(14)-4))
			}
		}
		if g.chance(0.1) {
			is.StartDate = g.day(created.AddDate(0, 0, g.rng.IntN(10)))
		}
		if is.Type != "Epic" && is.Type != "Sub-task" && g.chance(0.5) {
			sp := []float64{1, 2, 3, 5, 8, 13}[g.rng.IntN(6)]
			is.StoryPoints = &sp
		}
		if g.chance(0.35) {
			orig := int64(1+g.rng.IntN(40)) * 3600
			is.OriginalEstimate = &orig
			spent := int64(float64(orig) * (0.3 + 1.3*g.rng.Float64()))
			if open {
				spent /= 2
			}
			rem := max(orig-spent, 0)
			if !open {
				rem = 0
			}
			is.TimeSpent, is.RemainingEstimate = &spent, &rem
		}
		if open && g.chance(0.04) {
			is.Flagged = true
		}
		idx := len(g.sc.Issues)
		g.sc.Issues = append(g.sc.Issues, is)
		g.hint = append(g.hint, issueHint{heavy: g.chance(0.02)})
		if !open && g.chance(0.04) {
			g.hint[idx].reopen = 1
		}
		g.byProject[key] = append(g.byProject[key], idx)
		g.keyIdx[is.Key] = idx
		switch is.Type {
		case "Epic":
			epics = append(epics, idx)
			epicSize = append(epicSize, 0)
		case "Sub-task":
		default:
			standard = append(standard, idx)
		}
	}
}

// sprintsFor places an issue in the sprints of its time, with carry-over.
func (g *gen) sprintsFor(is *Issue, open bool, sprints []*Sprint) []int {
	active := sprints[8]
	if open {
		switch {
		case is.Created.After(active.StartDate) || g.chance(0.45):
			if g.chance(0.25) && is.Created.Before(sprints[7].StartDate) {
				return []int{sprints[7].ID, active.ID}
			}
			if is.Created.Before(active.EndDate) && g.chance(0.8) {
				return []int{active.ID}
			}
		case g.chance(0.15):
			return []int{sprints[9].ID}
		}
		return nil
	}
	for k := 0; k < 9; k++ {
		sp := sprints[k]
		if is.Resolved.Before(sp.StartDate) || !is.Resolved.Before(sp.EndDate) {
			continue
		}
		if !g.chance(0.7) {
			return nil
		}
		ids := []int{sp.ID}
		if k > 0 && is.Created.Before(sprints[k-1].EndDate) && g.chance(0.15) {
			ids = []int{sprints[k-1].ID, sp.ID}
			if k > 1 && is.Created.Before(sprints[k-2].EndDate) && g.chance(0.3) {
				ids = []int{sprints[k-2].ID, sprints[k-1].ID, sp.ID}
			}
		}
		return ids
	}
	return nil
}

func pickWeighted(rng *rand.Rand, xs []string, ws []float64) string {
	total := 0.0
	for _, w := range ws {
		total += w
	}
	u := rng.Float64() * total
	for i, w := range ws {
		if u < w {
			return xs[i]
		}
		u -= w
	}
	return xs[len(xs)-1]
}

// assignIDs numbers issues by creation time across projects, as Jira's
// global issue ids are.
func (g *gen) assignIDs() {
	order := make([]int, len(g.sc.Issues))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return g.sc.Issues[a].Created.Compare(g.sc.Issues[b].Created) })
	for n, i := range order {
		g.sc.Issues[i].ID = strconv.Itoa(10000 + n)
	}
}

func (g *gen) link(typ, outward, inward string) string {
	id := strconv.Itoa(20000 + len(g.sc.Links))
	g.sc.Links = append(g.sc.Links, Link{ID: id, Type: typ, Outward: outward, Inward: inward})
	return id
}

// blocks links blocker → blocked with Blocks or, alternately, Depends
// (where the blocked issue depends on the prerequisite).
func (g *gen) blocks(blocker, blocked string, depends bool) string {
	if depends {
		return g.link("Depends", blocker, blocked)
	}
	return g.link("Blocks", blocked, blocker)
}

// makeOpen makes an issue open again, in progress or to do.
func (g *gen) makeOpen(idx int, doing bool) *Issue {
	is := &g.sc.Issues[idx]
	wf := g.wf[is.Project]
	is.Resolved = time.Time{}
	if doing {
		is.Status = wf.doing[0].ID
	} else {
		is.Status = wf.todo[0].ID
	}
	if is.Assignee == "" {
		is.Assignee = g.user()
	}
	if is.Created.After(g.now.AddDate(0, 0, -3)) {
		is.Created = g.now.AddDate(0, 0, -20)
	}
	if is.OriginalEstimate != nil {
		rem := *is.OriginalEstimate / 2
		is.RemainingEstimate = &rem
	}
	// Keep only the sprints a still open issue can be in.
	is.Sprints = slices.DeleteFunc(is.Sprints, func(id int) bool { return g.sc.Sprints[id-1].State == SprintClosed })
	g.hint[idx].reopen = 0
	return is
}

// plant places the findings an analysis should make in the first project.
func (g *gen) plant() {
	if len(g.c.Projects) == 0 {
		return
	}
	p0 := g.c.Projects[0]
	var pool []int
	for _, i := range g.byProject[p0] {
		if t := g.sc.Issues[i].Type; t != "Epic" && t != "Sub-task" {
			pool = append(pool, i)
		}
	}
	if len(pool) < 50 {
		return
	}
	g.rng.Shuffle(len(pool), func(i, j int) { pool[i], pool[j] = pool[j], pool[i] })
	take := func() int { i := pool[0]; pool = pool[1:]; return i }
	pl := &g.sc.Planted
	vers := g.vers[p0]
	sprints := g.sprint[p0]
	release := vers[4]
	pl.AtRiskRelease = release
	inRelease := func(is *Issue) { is.FixVersions = []string{release.ID} }

	// The blocker and its blast radius: 3 direct dependants, each holding
	// up two more, plus one issue in another project when there is one.
	b := g.makeOpen(take(), true)
	b.Priority, b.Summary, b.Flagged = "1", "Upgrade payment gateway SDK before certificate expiry", false
	inRelease(b)
	pl.Blocker = b.Key
	for d := 0; d < 3; d++ {
		di := g.makeOpen(take(), false)
		inRelease(di)
		g.blocks(b.Key, di.Key, d == 1)
		pl.BlastRadius = append(pl.BlastRadius, di.Key)
		for e := 0; e < 2; e++ {
			ei := g.makeOpen(take(), false)
			if e == 0 {
				inRelease(ei)
			}
			g.blocks(di.Key, ei.Key, e == 1)
			pl.BlastRadius = append(pl.BlastRadius, ei.Key)
		}
	}
	if len(g.c.Projects) > 1 {
		idxs := g.byProject[g.c.Projects[1]]
		for _, i := range idxs[len(idxs)/2:] {
			if t := g.sc.Issues[i].Type; t != "Epic" && t != "Sub-task" {
				x := g.makeOpen(i, false)
				g.blocks(pl.BlastRadius[0], x.Key, true)
				pl.BlastRadius = append(pl.BlastRadius, x.Key)
				break
			}
		}
	}

	// A dependency cycle of three open issues.
	for k := 0; k < 3; k++ {
		pl.Cycle = append(pl.Cycle, g.makeOpen(take(), k == 0).Key)
	}
	g.blocks(pl.Cycle[0], pl.Cycle[1], false)
	g.blocks(pl.Cycle[1], pl.Cycle[2], false)
	g.blocks(pl.Cycle[2], pl.Cycle[0], true)

	// The at-risk release: more open work in it.
	for k := 0; k < 6; k++ {
		inRelease(g.makeOpen(take(), k%2 == 0))
	}

	// Carry-overs: open issues that went through 3 and 4 sprints.
	for k := 0; k < 3; k++ {
		is := g.makeOpen(take(), true)
		n := 3 + k%2
		is.Created = sprints[8-n+1].StartDate.AddDate(0, 0, -3)
		is.Sprints = nil
		for _, sp := range sprints[9-n : 9] {
			is.Sprints = append(is.Sprints, sp.ID)
		}
		pl.CarryOvers = append(pl.CarryOvers, is.Key)
	}

	// Slipped due dates: moved later three times.
	for k := 0; k < 3; k++ {
		i := take()
		is := g.makeOpen(i, true)
		is.Created = g.now.AddDate(0, 0, -70)
		base := g.now.AddDate(0, 0, -40+k)
		var slips []string
		for s := 0; s < 3; s++ {
			slips = append(slips, g.day(base.AddDate(0, 0, 14*s)))
		}
		is.DueDate = g.day(base.AddDate(0, 0, 14*3+k))
		g.hint[i].dueSlips = slips
		pl.Slipped = append(pl.Slipped, is.Key)
	}

	// Reopened: two left open, one done again (reopened recently: an old
	// reopen of finished work is no news).
	for k := 0; k < 3; k++ {
		i := take()
		is := &g.sc.Issues[i]
		if k < 2 {
			is = g.makeOpen(i, false)
			is.Status = stReopened.ID
			g.hint[i].leaveOpen = true
		} else {
			is.Status = g.wf[is.Project].done[0].ID
			is.Created, is.Resolved = g.now.AddDate(0, 0, -20), g.now.AddDate(0, 0, -2)
			is.Sprints, is.FixVersions, is.DueDate = nil, nil, ""
		}
		g.hint[i].reopen = 1
		pl.Reopened = append(pl.Reopened, is.Key)
	}

	// Stale in-progress issues.
	for k := 0; k < 3; k++ {
		i := take()
		is := g.makeOpen(i, true)
		is.Created = g.now.AddDate(0, 0, -90)
		is.Sprints = nil
		g.hint[i].stale = true
		pl.Stale = append(pl.Stale, is.Key)
	}

	// Flagged impediments.
	for k := 0; k < 2; k++ {
		is := g.makeOpen(take(), true)
		is.Flagged = true
		pl.Flagged = append(pl.Flagged, is.Key)
	}

	esc := &g.sc.Issues[take()]
	esc.Summary = "Fix <!channel> & <b>bold</b> escaping in release notes\r\n(see \"notes\")"
	pl.Escaping = esc.Key

	// An in-scope open issue blocked from outside the scope, and a relates
	// link to the outside project.
	if g.c.OutsideProject != "" {
		out := g.byProject[g.c.OutsideProject]
		x := &g.sc.Issues[out[len(out)-1]]
		x.Status, x.Resolved = g.wf[x.Project].doing[0].ID, time.Time{}
		y := g.makeOpen(take(), false)
		pl.OutsideLinks = append(pl.OutsideLinks, g.blocks(x.Key, y.Key, false))
		pl.OutsideLinks = append(pl.OutsideLinks, g.link("Relates", g.sc.Issues[out[0]].Key, g.sc.Issues[take()].Key))
	}
}

// randomLinks adds the background links so that about a third of the
// issues carry 0.6 link entries on average.
func (g *gen) randomLinks() {
	all := len(g.sc.Issues)
	if all < 2 {
		return
	}
	target := int(0.3*float64(all)) - len(g.sc.Links)
	// Links concentrate on a subset of issues, as on real sites.
	linky := make([]int, 0, all/4)
	for i := 0; i < all; i++ {
		if g.chance(0.25) {
			linky = append(linky, i)
		}
	}
	if len(linky) < 2 {
		return
	}
	seen := map[[2]int]bool{}
	outside := g.byProject[g.c.OutsideProject]
	inScope := func(i int) bool { return g.sc.Issues[i].Project != g.c.OutsideProject || g.c.OutsideProject == "" }
	for made, tries := 0, 0; made < target && tries < target*5; tries++ {
		if tries%1000 == 999 && g.ctx.Err() != nil {
			return // GenerateContext returns the error
		}
		a := linky[g.rng.IntN(len(linky))]
		if g.chance(0.12) {
			a = g.rng.IntN(all)
		}
		pa := g.byProject[g.sc.Issues[a].Project]
		var b int
		switch u := g.rng.Float64(); {
		case u < 0.06 && len(outside) > 0 && inScope(a):
			b = outside[g.rng.IntN(len(outside))]
		case u < 0.2:
			b = linky[g.rng.IntN(len(linky))]
		default:
			// A nearby issue of the same project.
			pos, _ := slices.BinarySearch(pa, a)
			j := pos + g.rng.IntN(61) - 30
			if j < 0 || j >= len(pa) {
				continue
			}
			b = pa[j]
		}
		if a == b || seen[[2]int{a, b}] || seen[[2]int{b, a}] {
			continue
		}
		typ := pickWeighted(g.rng, []string{"Relates", "Duplicate", "Cloners", "Depends", "Blocks"}, []float64{35, 13, 12, 21, 19})
		if typ == "Depends" || typ == "Blocks" {
			// Background dependencies almost always involve done work.
			if g.open(a) && g.open(b) && !g.chance(0.05) {
				continue
			}
		}
		seen[[2]int{a, b}] = true
		g.link(typ, g.sc.Issues[a].Key, g.sc.Issues[b].Key)
		made++
	}
}

func (g *gen) open(i int) bool { return g.sc.Issues[i].Resolved.IsZero() }

func (g *gen) statusByID(id string) Status {
	for _, s := range g.sc.Statuses {
		if s.ID == id {
			return s
		}
	}
	return Status{}
}

// event is one field change before grouping into histories.
type event struct {
	at   time.Time
	item Item
}

// changelogs writes each issue's history consistent with its final state
// and sets updated from it.
func (g *gen) changelogs() {
	// Issues get history ids in id order.
	order := make([]int, len(g.sc.Issues))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return cmp.Compare(atoi64(g.sc.Issues[a].ID), atoi64(g.sc.Issues[b].ID)) })
	for n, i := range order {
		if n%1000 == 999 && g.ctx.Err() != nil {
			return // GenerateContext returns the error
		}
		g.issueChangelog(i)
	}
}

func (g *gen) issueChangelog(idx int) {
	is := &g.sc.Issues[idx]
	h := g.hint[idx]
	wf := g.wf[is.Project]
	open := is.Resolved.IsZero()
	// end is when the issue was last touched.
	end := is.Resolved
	if open {
		end = g.now.Add(-time.Duration(g.rng.Int64N(int64(20 * 24 * time.Hour))))
		if h.stale {
			end = g.now.AddDate(0, 0, -35-g.rng.IntN(25))
		}
		if !h.lastTouch.IsZero() {
			end = h.lastTouch
		}
	} else if g.chance(0.2) {
		end = end.Add(time.Duration(g.rng.Int64N(int64(5 * 24 * time.Hour))))
	}
	if end.After(g.now) {
		end = g.now.Add(-time.Minute)
	}
	if !end.After(is.Created) {
		end = is.Created.Add(time.Hour)
		if end.After(g.now) {
			is.Created = g.now.Add(-2 * time.Hour)
			end = g.now.Add(-time.Hour)
		}
	}
	span := end.Sub(is.Created)
	at := func(f float64) time.Time {
		return is.Created.Add(time.Duration(f * float64(span))).Truncate(time.Second)
	}
	var evs []event
	add := func(t time.Time, it Item) { evs = append(evs, event{t, it}) }
	status := func(t time.Time, from, to Status) {
		add(t, Item{Field: "status", FieldID: "status", FieldType: "jira", From: from.ID, FromString: from.Name, To: to.ID, ToString: to.Name})
	}
	resolution := func(t time.Time, set bool) {
		if set {
			add(t, Item{Field: "resolution", FieldID: "resolution", FieldType: "jira", To: "10000", ToString: "Done"})
		} else {
			add(t, Item{Field: "resolution", FieldID: "resolution", FieldType: "jira", From: "10000", FromString: "Done"})
		}
	}

	// The status path ends at the resolution for done issues.
	atS := at
	if !open {
		rspan := is.Resolved.Sub(is.Created)
		atS = func(f float64) time.Time {
			return is.Created.Add(time.Duration(f * float64(rspan))).Truncate(time.Second)
		}
	}
	final := g.statusByID(is.Status)
	cur := wf.todo[0]
	if final.CategoryKey == CategoryNew && !h.leaveOpen && h.reopen == 0 {
		cur = final
	}
	step := func(t time.Time, to Status) {
		if to.ID == cur.ID {
			return
		}
		status(t, cur, to)
		if (to.CategoryKey == CategoryDone) != (cur.CategoryKey == CategoryDone) {
			resolution(t, to.CategoryKey == CategoryDone)
		}
		cur = to
	}
	switch {
	case h.reopen > 0:
		doneAt := atS(0.3)
		step(atS(0.1), wf.doing[0])
		step(doneAt, wf.done[0])
		step(atS(0.5), stReopened)
		if !h.leaveOpen {
			step(atS(0.7), wf.doing[0])
			if final.CategoryKey == CategoryDone {
				step(is.Resolved, final)
			} else {
				step(atS(0.9), final)
			}
		} else if final.ID != stReopened.ID {
			step(atS(0.9), final)
		}
	case final.CategoryKey == CategoryDone:
		if g.chance(0.8) {
			step(atS(0.2+0.3*g.rng.Float64()), wf.doing[0])
			if len(wf.doing) > 1 && g.chance(0.5) {
				step(atS(0.7), wf.doing[1])
			}
		}
		step(is.Resolved, final)
	case final.CategoryKey == CategoryIndeterminate:
		if final.ID != wf.doing[0].ID && g.chance(0.7) {
			step(atS(0.4), wf.doing[0])
		}
		step(atS(0.6), final)
		if h.stale || !h.lastTouch.IsZero() {
			// A stale issue's last touch is its move to in progress.
			evs[len(evs)-1].at = end
		}
	default:
		step(atS(0.5), final)
	}
	// Assignment.
	if is.Assignee != "" && g.chance(0.6) {
		from := ""
		if g.chance(0.2) {
			from = g.user()
		}
		add(at(0.05+0.1*g.rng.Float64()), Item{Field: "assignee", FieldID: "assignee", FieldType: "jira", From: from, FromString: g.userName(from), To: is.Assignee, ToString: g.userName(is.Assignee)})
	}
	if is.Priority != "" && g.chance(0.1) {
		add(at(0.3), Item{Field: "priority", FieldID: "priority", FieldType: "jira", From: "3", FromString: "Medium", To: is.Priority, ToString: g.priorityName(is.Priority)})
	}
	for _, v := range is.FixVersions {
		if g.chance(0.7) {
			add(at(0.15), Item{Field: "Fix Version", FieldID: "fixVersions", FieldType: "jira", To: v, ToString: g.versionName(v)})
		}
	}
	// Sprints: one item per sprint the issue entered, listing all so far.
	var ids, names []string
	for k, id := range is.Sprints {
		sp := g.sc.Sprints[id-1]
		from, fromS := strings.Join(ids, ", "), strings.Join(names, ", ")
		ids, names = append(ids, strconv.Itoa(id)), append(names, sp.Name)
		t := sp.StartDate.Add(-time.Hour)
		if sp.StartDate.IsZero() || t.Before(is.Created) || t.After(end) {
			t = at(0.02 + 0.05*float64(k))
		}
		add(t, Item{Field: "Sprint", FieldType: "custom", From: from, FromString: fromS, To: strings.Join(ids, ", "), ToString: strings.Join(names, ", ")})
	}
	// Due dates, with slips.
	if is.DueDate != "" {
		prev := ""
		dates := append(slices.Clone(h.dueSlips), is.DueDate)
		for k, d := range dates {
			t := at(0.1 + 0.8*float64(k)/float64(len(dates)))
			add(t, Item{Field: "duedate", FieldID: "duedate", FieldType: "jira", From: prev, FromString: dueString(prev), To: d, ToString: dueString(d)})
			prev = d
		}
	}
	if is.StoryPoints != nil && g.chance(0.4) {
		add(at(0.1), Item{Field: "Story Points", FieldType: "custom", ToString: floatString(is.StoryPoints)})
	}
	if is.Flagged {
		add(at(0.8), Item{Field: "Flagged", FieldType: "custom", To: "[10019]", ToString: "Impediment"})
	}
	if len(is.Labels) > 0 && g.chance(0.3) {
		add(at(0.05), Item{Field: "labels", FieldID: "labels", FieldType: "jira", ToString: strings.Join(is.Labels, " ")})
	}
	if is.TimeSpent != nil && *is.TimeSpent > 0 {
		add(at(0.6), Item{Field: "timespent", FieldID: "timespent", FieldType: "jira", To: strconv.FormatInt(*is.TimeSpent, 10), ToString: strconv.FormatInt(*is.TimeSpent, 10)})
	}
	// Background noise: rank moves and edits.
	noise := 0
	for g.chance(0.45) && noise < 20 {
		noise++
	}
	if h.heavy {
		noise += 10 + g.rng.IntN(20)
	}
	for k := 0; k < noise; k++ {
		t := at(g.rng.Float64() * 0.95)
		if g.chance(0.7) {
			add(t, Item{Field: "Rank", FieldType: "custom", ToString: "Ranked higher"})
		} else {
			add(t, Item{Field: "description", FieldID: "description", FieldType: "jira", FromString: "(edited)", ToString: is.Description})
		}
	}
	slices.SortStableFunc(evs, func(a, b event) int { return a.at.Compare(b.at) })
	var hs []History
	for _, e := range evs {
		if n := len(hs); n > 0 && hs[n-1].Created.Equal(e.at) {
			hs[n-1].Items = append(hs[n-1].Items, e.item)
			continue
		}
		author := is.Assignee
		if author == "" || g.chance(0.3) {
			author = g.user()
		}
		hs = append(hs, History{ID: strconv.FormatInt(g.nextHist, 10), Author: author, Created: e.at, Items: []Item{e.item}})
		g.nextHist++
	}
	if len(hs) > 40 {
		hs = hs[len(hs)-40:]
	}
	is.Updated = is.Created
	if len(hs) > 0 {
		is.Updated = hs[len(hs)-1].Created
	}
	if is.Updated.Before(is.Resolved) {
		is.Updated = is.Resolved
	}
	if len(hs) > 0 {
		g.sc.Changelogs[is.Key] = hs
	}
}

func (g *gen) userName(id string) string {
	for _, u := range g.sc.Users {
		if u.AccountID == id {
			return u.DisplayName
		}
	}
	return ""
}

func (g *gen) priorityName(id string) string {
	for _, p := range g.sc.Priorities {
		if p.ID == id {
			return p.Name
		}
	}
	return ""
}

func (g *gen) versionName(id string) string {
	for _, v := range g.sc.Versions {
		if v.ID == id {
			return v.Name
		}
	}
	return ""
}
