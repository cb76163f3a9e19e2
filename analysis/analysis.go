// Package analysis turns a synced snapshot into delivery-risk findings: the
// dependency network (blockers, cycles, blast radius), critical paths,
// Monte Carlo release forecasts, risk scores, and renderings of the network.
// Everything here is a pure function of a radar.Snapshot and Options (which
// carry the clock); the package does no I/O beyond writing to an io.Writer
// it is given, and knows nothing of Jira's wire format, SQLite or Slack.
package analysis

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/radarhq/radar"
)

// Options tune one analysis run. Zero values take the defaults.
type Options struct {
	Now            time.Time     // the analysis clock; zero means time.Now()
	StaleAfter     time.Duration // in progress and untouched this long is stale; default 7 days
	AbandonedAfter time.Duration // in progress and untouched this long is abandoned; default 180 days
	ReopenedWindow time.Duration // a done issue's reopen is reported this long; default 30 days
	WIPLimit       int           // work in progress per assignee; default 3
	OverrunRatio   float64       // time spent over original estimate; default 1.5
	Trials         int           // Monte Carlo trials; default 2000
	Seed           int64         // Monte Carlo seed; default 1
	History        time.Duration // throughput and cycle-time history; default 12 weeks
	// TrackRecord, when set, is carried by every version forecast and
	// release finding: how the forecasts did in the last backtest.
	TrackRecord *radar.TrackRecord
}

// Defaults used for zero Options fields.
const (
	DefaultStaleAfter     = 7 * 24 * time.Hour
	DefaultAbandonedAfter = 180 * 24 * time.Hour
	DefaultReopenedWindow = 30 * 24 * time.Hour
	DefaultWIPLimit       = 3
	DefaultOverrunRatio   = 1.5
	DefaultTrials         = 2000
	DefaultSeed           = 1
	DefaultHistory        = 12 * 7 * 24 * time.Hour
)

func (o Options) withDefaults() Options {
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	o.Now = o.Now.UTC()
	if o.StaleAfter <= 0 {
		o.StaleAfter = DefaultStaleAfter
	}
	if o.AbandonedAfter <= 0 {
		o.AbandonedAfter = max(DefaultAbandonedAfter, 2*o.StaleAfter)
	}
	if o.ReopenedWindow <= 0 {
		o.ReopenedWindow = DefaultReopenedWindow
	}
	if o.WIPLimit <= 0 {
		o.WIPLimit = DefaultWIPLimit
	}
	if o.OverrunRatio <= 0 {
		o.OverrunRatio = DefaultOverrunRatio
	}
	if o.Trials <= 0 {
		o.Trials = DefaultTrials
	}
	if o.Seed == 0 {
		o.Seed = DefaultSeed
	}
	if o.History < 7*24*time.Hour {
		o.History = DefaultHistory
	}
	return o
}

// Analyze analyses a snapshot: it builds the dependency network, finds
// blockers, cycles and the other finding kinds, forecasts every unreleased
// version and open epic, and scores risk. The same snapshot and Options give
// the same report, byte for byte once encoded.
func Analyze(snap radar.Snapshot, opts Options) radar.Report {
	_, rep := analyze(&snap, opts)
	return rep
}

func analyze(snap *radar.Snapshot, opts Options) (*model, radar.Report) {
	m := newModel(snap, opts.withDefaults())
	m.readHistory()
	m.buildNetwork()
	m.computeDurations()
	m.computeCriticalPaths()
	m.findBlockers()
	m.findIssueFindings()
	m.findAbandoned()
	m.findCycles()
	m.findOffTrack()
	m.forecastVersions()
	m.forecastEpics()
	m.findScopeCreep()
	m.findOverloaded()
	m.findVersionSlips()
	sortFindings(m.findings)
	rep := radar.Report{
		GeneratedAt: m.now,
		Findings:    m.findings,
		Versions:    m.versionsOut,
		Epics:       m.epicsOut,
	}
	rep.Risks, rep.Projects = m.scoreRisks()
	rep.TrackRecord = opts.TrackRecord
	if rep.Findings == nil {
		rep.Findings = []radar.Finding{}
	}
	if rep.Versions == nil {
		rep.Versions = []radar.VersionForecast{}
	}
	if rep.Epics == nil {
		rep.Epics = []radar.EpicForecast{}
	}
	return m, rep
}

// model is the working state of one analysis run. Issues in scope are
// interned to int32 indices in natural key order (PAY-9 before PAY-10).
type model struct {
	opts  Options
	now   time.Time
	today int64 // days since the Unix epoch, UTC
	snap  *radar.Snapshot

	iss  []*radar.Issue
	idx  map[string]int32
	open []bool
	epic []bool

	sprints  map[int64]*radar.Sprint
	versions map[string]*radar.Version
	statuses radar.StatusCategories

	// The active network: edges between open in-scope issues only.
	dep, depUp   csr // blocker → blocked
	down, up     csr // dependencies plus child → parent
	hasOpenChild []bool
	external     map[int32][]string // open blocked issue → blockers outside the scope
	selfLinks    int

	comp     []int32
	ncomp    int32
	members  csr
	dur      []float64 // remaining calendar days per issue
	longest  []float64
	pred     []int32
	critical []bool // on some version's or epic's critical path

	blast []int32 // blast radius of blockers, -1 for non-blockers

	hist  history
	teams map[string]*team

	findings    []radar.Finding
	versionsOut []radar.VersionForecast
	epicsOut    []radar.EpicForecast
	versionRisk map[string]versionRisk      // by version id
	lateDeps    map[string][]lateDependency // by version id: off-track on a passed release date
}

func newModel(snap *radar.Snapshot, opts Options) *model {
	m := &model{opts: opts, now: opts.Now, today: dayOf(opts.Now), snap: snap}
	type sortKey struct {
		prefix string
		num    int64
		key    string
		i      int32
	}
	keys := make([]sortKey, len(snap.Issues))
	for i := range snap.Issues {
		p, n := radar.SplitKey(snap.Issues[i].Key)
		keys[i] = sortKey{p, n, snap.Issues[i].Key, int32(i)}
	}
	slices.SortFunc(keys, func(a, b sortKey) int {
		if c := strings.Compare(a.prefix, b.prefix); c != 0 {
			return c
		}
		if c := cmp.Compare(a.num, b.num); c != 0 {
			return c
		}
		if c := strings.Compare(a.key, b.key); c != 0 {
			return c
		}
		return cmp.Compare(a.i, b.i)
	})
	m.iss = make([]*radar.Issue, 0, len(keys))
	m.idx = make(map[string]int32, len(keys))
	for _, k := range keys {
		if _, dup := m.idx[k.key]; dup || k.key == "" {
			continue
		}
		m.idx[k.key] = int32(len(m.iss))
		m.iss = append(m.iss, &snap.Issues[k.i])
	}
	n := len(m.iss)
	m.open = make([]bool, n)
	m.epic = make([]bool, n)
	for i, is := range m.iss {
		m.open[i] = !is.Done()
		m.epic[i] = strings.EqualFold(is.Type, "Epic")
	}
	m.sprints = make(map[int64]*radar.Sprint, len(snap.Sprints))
	for i := range snap.Sprints {
		m.sprints[snap.Sprints[i].ID] = &snap.Sprints[i]
	}
	m.versions = make(map[string]*radar.Version, len(snap.Versions))
	for i := range snap.Versions {
		m.versions[snap.Versions[i].ID] = &snap.Versions[i]
	}
	m.statuses = radar.NewStatusCategories(snap.Statuses)
	return m
}

// buildNetwork interns the dependency and hierarchy edges between open
// in-scope issues into CSR graphs. Links to issues outside the scope are
// kept aside as evidence; links from or to done issues block nothing;
// self-links are dropped.
func (m *model) buildNetwork() {
	n := len(m.iss)
	var from, to []int32
	m.external = map[int32][]string{}
	for _, d := range m.snap.Dependencies {
		b, okB := m.idx[d.Blocker]
		x, okX := m.idx[d.Blocked]
		switch {
		case okB && okX && b == x:
			m.selfLinks++
		case okB && okX:
			if m.open[b] && m.open[x] {
				from = append(from, b)
				to = append(to, x)
			}
		case okX && !okB && m.open[x]:
			m.external[x] = append(m.external[x], d.Blocker)
		}
	}
	for x, ks := range m.external {
		slices.SortFunc(ks, radar.CompareKeys)
		m.external[x] = slices.Compact(ks)
	}
	m.dep = buildCSR(n, from, to)
	m.depUp = m.dep.reverse(n)
	m.hasOpenChild = make([]bool, n)
	for i, is := range m.iss {
		if !m.open[i] {
			continue
		}
		for _, pk := range [2]string{is.ParentKey, is.EpicKey} {
			if pk == "" {
				continue
			}
			if p, ok := m.idx[pk]; ok && p != int32(i) && m.open[p] {
				from = append(from, int32(i))
				to = append(to, p)
				m.hasOpenChild[p] = true
			}
		}
	}
	m.down = buildCSR(n, from, to)
	m.up = m.down.reverse(n)
	m.comp, m.ncomp = sccs(&m.down, m.open)
	m.members = groupMembers(m.comp, m.ncomp)
}

// computeCriticalPaths runs the longest-path programme over the condensed
// network.
func (m *model) computeCriticalPaths() {
	m.longest, m.pred = longestPaths(&m.up, m.comp, &m.members, m.ncomp, m.dur)
	m.critical = make([]bool, len(m.iss))
}

// chainKeys returns the keys of the critical chain ending with component c,
// marking them critical. A cycle on the chain contributes all its members.
func (m *model) chainKeys(c int32) []string {
	var keys []string
	for _, cc := range chain(m.pred, c) {
		for _, v := range m.members.neighbours(cc) {
			keys = append(keys, m.iss[v].Key)
			m.critical[v] = true
		}
	}
	return keys
}

// finishDay forecasts when open issue i finishes: its due date when set and
// not yet passed, else today plus the longest chain of work ending with it.
func (m *model) finishDay(i int32) (day int64, source string) {
	is := m.iss[i]
	if !is.Due.IsZero() && dayOf(is.Due) >= m.today {
		return dayOf(is.Due), "due"
	}
	return m.today + ceilDays(m.longest[m.comp[i]]), "forecast"
}

// deadline is the date by which issue i must be done: its due date, else the
// end of its active or future sprint, else the release date of its earliest
// unreleased version.
func (m *model) deadline(i int32) (day int64, source string, ok bool) {
	is := m.iss[i]
	if !is.Due.IsZero() {
		return dayOf(is.Due), "due", true
	}
	best := int64(0)
	for _, id := range is.SprintIDs {
		if sp := m.sprints[id]; sp != nil && sp.State != "closed" && !sp.End.IsZero() {
			if d := dayOf(sp.End); !ok || d < best {
				best, source, ok = d, "sprint", true
			}
		}
	}
	if ok {
		return best, source, true
	}
	for _, id := range is.FixVersions {
		if v := m.versions[id]; v != nil && !v.Released && !v.ReleaseDate.IsZero() {
			if d := dayOf(v.ReleaseDate); !ok || d < best {
				best, source, ok = d, "release", true
			}
		}
	}
	return best, source, ok
}

// sortFindings orders findings by severity (most urgent first), kind,
// project, subject and id.
func sortFindings(fs []radar.Finding) {
	slices.SortFunc(fs, func(a, b radar.Finding) int {
		if c := cmp.Compare(b.Severity.Rank(), a.Severity.Rank()); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Kind, b.Kind); c != 0 {
			return c
		}
		if c := strings.Compare(a.Project, b.Project); c != 0 {
			return c
		}
		if c := radar.CompareKeys(a.Issue, b.Issue); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
}

// dayOf returns the UTC day number of t (days since 1970-01-01).
func dayOf(t time.Time) int64 {
	s := t.Unix()
	d := s / 86400
	if s%86400 < 0 {
		d--
	}
	return d
}

// dateString formats a day number as "2006-01-02".
func dateString(day int64) string {
	return time.Unix(day*86400, 0).UTC().Format(time.DateOnly)
}

// dateOf returns a day number as a date.
func dateOf(day int64) radar.Date { return radar.DateOf(time.Unix(day*86400, 0)) }

// ceilDays rounds a number of days up to a whole day.
func ceilDays(d float64) int64 {
	c := int64(d)
	if float64(c) < d {
		c++
	}
	return c
}

// round rounds x to the given number of decimals, for stable evidence.
func round(x float64, decimals int) float64 {
	p := 1.0
	for range decimals {
		p *= 10
	}
	v := x * p
	if v < 0 {
		return -float64(int64(-v+0.5)) / p
	}
	return float64(int64(v+0.5)) / p
}
