package analysis

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/radarhq/radar"
)

// DefaultHorizons are how long before each version's actual finish the
// backtest replays the forecast: 2, 4, 8 and 12 weeks.
var DefaultHorizons = []time.Duration{2 * week, 4 * week, 8 * week, 12 * week}

const week = 7 * 24 * time.Hour

// BacktestOptions tune a backtest. Analysis.Now is the clock the report is
// generated at; the other Analysis fields tune every replayed forecast.
type BacktestOptions struct {
	Horizons []time.Duration // default DefaultHorizons
	Analysis Options
}

// BacktestCase is one replayed forecast: a version, as seen some weeks
// before its work actually finished, against what happened. P50, P85 and
// P95 are zero when there was no forecast.
type BacktestCase struct {
	Project           string     `json:"project"`
	Version           string     `json:"version"`
	Horizon           string     `json:"horizon"` // e.g. "4w": as_of is this long before the actual finish
	AsOf              time.Time  `json:"as_of"`
	Actual            radar.Date `json:"actual"`
	OpenItems         int        `json:"open_items"`
	P50               radar.Date `json:"p50"`
	P85               radar.Date `json:"p85"`
	P95               radar.Date `json:"p95"`
	ReleaseDate       radar.Date `json:"release_date"` // as known at as_of
	OnTimeProbability float64    `json:"on_time_probability"`
	AtRisk            bool       `json:"at_risk"`        // release_at_risk was reported at as_of
	Note              string     `json:"note,omitempty"` // why there was no forecast
}

// BacktestSummary scores the cases. Coverages count the cases with a
// forecast; the at-risk scores count the cases whose release date was
// still ahead at as_of.
type BacktestSummary struct {
	Cases               int     `json:"cases"`
	ForecastCases       int     `json:"forecast_cases"`
	P50Coverage         float64 `json:"p50_coverage"`
	P85Coverage         float64 `json:"p85_coverage"`
	P95Coverage         float64 `json:"p95_coverage"`
	MedianRelativeError float64 `json:"median_relative_error"`
	AtRiskPrecision     float64 `json:"at_risk_precision"`
	AtRiskRecall        float64 `json:"at_risk_recall"`
	AtRiskReported      int     `json:"at_risk_reported"` // cases flagged release_at_risk
	LateCases           int     `json:"late_cases"`       // cases with a future release date finished after it
	MaxYearsAhead       float64 `json:"max_years_ahead"`  // the furthest P95 from its as_of
	// Stability (see p85Stability): how far a version's P85 moved between
	// its consecutive replays, in days per week of real time passed.
	StabilitySteps int     `json:"stability_steps"`               // pairs of consecutive replays measured
	P85MoveMedian  float64 `json:"p85_move_median_days_per_week"` // median |ΔP85| per week
	P85MoveP85     float64 `json:"p85_move_p85_days_per_week"`    // its 85th percentile
	P85JumpShare   float64 `json:"p85_jump_share"`                // share of steps moving more than 14 days per week
}

// BacktestReport is the outcome of a backtest: its JSON form is the
// contract of `radar backtest --format json`.
type BacktestReport struct {
	GeneratedAt time.Time       `json:"generated_at"`
	Horizons    []string        `json:"horizons"`
	Cases       []BacktestCase  `json:"cases"`
	Summary     BacktestSummary `json:"summary"`
	Notes       []string        `json:"notes"`
}

// TrackRecord is the summary as the forecasts carry it.
func (r BacktestReport) TrackRecord() radar.TrackRecord {
	return radar.TrackRecord{Cases: r.Summary.ForecastCases, P50Coverage: r.Summary.P50Coverage,
		P85Coverage: r.Summary.P85Coverage, P95Coverage: r.Summary.P95Coverage}
}

// HorizonLabel names a horizon in weeks ("4w") or days ("10d").
func HorizonLabel(d time.Duration) string {
	if d%week == 0 {
		return fmt.Sprintf("%dw", d/week)
	}
	return fmt.Sprintf("%dd", (d+23*time.Hour)/(24*time.Hour))
}

// finishedVersion is a version whose work finished inside the history.
type finishedVersion struct {
	v      *radar.Version
	actual time.Time // the moment its last issue last entered done
}

// Backtest replays the forecasts of the past and scores them. For every
// version whose issues are all done, the actual finish is the latest moment
// one of them last entered a done status (from the changelog; an issue
// without changelog uses its resolution date). At each horizon before that
// moment the snapshot is rebuilt as it was (AsOf) and analysed by Analyze
// with its clock at that moment, so the version is forecast exactly as
// Radar would have then; a case counts when the version had open work at
// that moment, had not been released yet, and the moment lies after the
// first synced issue was created. The same snapshot and options give the
// same report.
func Backtest(snap radar.Snapshot, opts BacktestOptions) BacktestReport {
	aopts := opts.Analysis.withDefaults()
	horizons := opts.Horizons
	if len(horizons) == 0 {
		horizons = DefaultHorizons
	}
	rep := BacktestReport{GeneratedAt: aopts.Now, Cases: []BacktestCase{}}
	for _, h := range horizons {
		rep.Horizons = append(rep.Horizons, HorizonLabel(h))
	}
	first := FirstCreated(snap)
	finished, noChangelog := finishedVersions(snap)
	dates := map[string][]radar.VersionDate{}
	for _, d := range snap.VersionDates {
		dates[d.VersionID] = append(dates[d.VersionID], d)
	}
	for _, ds := range dates {
		slices.SortStableFunc(ds, func(a, b radar.VersionDate) int { return a.ObservedAt.Compare(b.ObservedAt) })
	}
	byProject := map[string]*projectIssues{}
	for p, s := range splitByProject(snap) {
		byProject[p] = indexProject(s)
	}
	released, empty := 0, 0
	type replay struct {
		project string
		at      time.Time
	}
	cache := map[replay]map[string]versionOutcome{}
	for _, fv := range finished {
		for _, h := range horizons {
			at := fv.actual.Add(-h)
			if !at.After(first) || !at.Before(aopts.Now) {
				continue
			}
			if fv.v.Released {
				rd := fv.v.ReleaseDate
				if ds := dates[fv.v.ID]; len(ds) > 0 {
					rd = releaseDateAt(ds, at)
				}
				if !rd.IsZero() && !rd.After(at) {
					released++ // as AsOf would say: no need to replay
					continue
				}
			}
			key := replay{fv.v.Project, at}
			outs, ok := cache[key]
			if !ok {
				outs = forecastsAt(byProject[fv.v.Project], at, aopts)
				cache[key] = outs
			}
			o, ok := outs[fv.v.ID]
			switch {
			case !ok:
				empty++ // no open work at that moment
				continue
			case o.released:
				released++
				continue
			}
			c := BacktestCase{Project: fv.v.Project, Version: fv.v.Name, Horizon: HorizonLabel(h), AsOf: at,
				Actual: radar.DateOf(fv.actual), OpenItems: o.fc.OpenItems, P50: o.fc.P50, P85: o.fc.P85, P95: o.fc.P95,
				ReleaseDate: o.fc.ReleaseDate, OnTimeProbability: o.fc.OnTimeProbability, AtRisk: o.atRisk, Note: o.fc.Note}
			rep.Cases = append(rep.Cases, c)
		}
	}
	slices.SortFunc(rep.Cases, func(a, b BacktestCase) int {
		return cmp.Or(strings.Compare(a.Project, b.Project), a.AsOf.Compare(b.AsOf), strings.Compare(a.Version, b.Version))
	})
	rep.Summary = summarise(rep.Cases)
	rep.Notes = append(rep.Notes, fmt.Sprintf("%s finished inside the synced history; %s at %s before their finish",
		plural(len(finished), "version", "versions"), plural(len(rep.Cases), "case", "cases"), strings.Join(rep.Horizons, ", ")))
	if released+empty > 0 {
		rep.Notes = append(rep.Notes, fmt.Sprintf("%s skipped: %d where the version was already released (its last issues closed after the release), %d with no open work yet",
			plural(released+empty, "replay", "replays"), released, empty))
	}
	if noChangelog > 0 {
		rep.Notes = append(rep.Notes, fmt.Sprintf("%s no changelog: their finish is the resolution date, and their status, versions and links at each moment are taken from the present",
			plural(noChangelog, "issue has", "issues have")))
	}
	return rep
}

// finishedVersions lists the versions whose issues are all done, with when
// the last of them last entered a done status, ordered by project, finish
// and name. It also counts the issues whose finish had no changelog.
func finishedVersions(snap radar.Snapshot) ([]finishedVersion, int) {
	statuses := radar.NewStatusCategories(snap.Statuses)
	doneAt := map[string]time.Time{}
	for i := range snap.Changes {
		c := &snap.Changes[i]
		if c.FieldName() == "status" && statuses.Of(c.To, c.ToString) == radar.CategoryDone && c.Created.After(doneAt[c.IssueKey]) {
			doneAt[c.IssueKey] = c.Created
		}
	}
	finish := map[string]time.Time{}
	open := map[string]bool{}
	noChangelog := 0
	for i := range snap.Issues {
		is := &snap.Issues[i]
		if len(is.FixVersions) == 0 {
			continue
		}
		at, ok := doneAt[is.Key]
		if is.Done() && !ok {
			at = is.Resolved
			noChangelog++
		}
		for _, id := range is.FixVersions {
			if !is.Done() || at.IsZero() {
				open[id] = true
				continue
			}
			if at.After(finish[id]) {
				finish[id] = at
			}
		}
	}
	var out []finishedVersion
	for i := range snap.Versions {
		v := &snap.Versions[i]
		if at, ok := finish[v.ID]; ok && !open[v.ID] {
			out = append(out, finishedVersion{v, at})
		}
	}
	slices.SortFunc(out, func(a, b finishedVersion) int {
		return cmp.Or(strings.Compare(a.v.Project, b.v.Project), a.actual.Compare(b.actual), strings.Compare(a.v.Name, b.v.Name))
	})
	return out, noChangelog
}

// splitByProject returns each project's part of the snapshot: its issues,
// their changes and links, its versions and their recorded dates.
func splitByProject(snap radar.Snapshot) map[string]radar.Snapshot {
	out := map[string]radar.Snapshot{}
	add := func(p string, put func(*radar.Snapshot)) {
		s := out[p]
		put(&s)
		out[p] = s
	}
	project := map[string]string{}
	for _, is := range snap.Issues {
		add(is.Project, func(s *radar.Snapshot) { s.Issues = append(s.Issues, is) })
		project[is.Key] = is.Project
	}
	for _, c := range snap.Changes {
		if p, ok := project[c.IssueKey]; ok {
			add(p, func(s *radar.Snapshot) { s.Changes = append(s.Changes, c) })
		}
	}
	for _, d := range snap.Dependencies {
		if p, ok := project[d.Blocked]; ok {
			add(p, func(s *radar.Snapshot) { s.Dependencies = append(s.Dependencies, d) })
		}
	}
	vproject := map[string]string{}
	for _, v := range snap.Versions {
		add(v.Project, func(s *radar.Snapshot) { s.Versions = append(s.Versions, v) })
		vproject[v.ID] = v.Project
	}
	for _, d := range snap.VersionDates {
		if p, ok := vproject[d.VersionID]; ok {
			add(p, func(s *radar.Snapshot) { s.VersionDates = append(s.VersionDates, d) })
		}
	}
	for p := range out {
		add(p, func(s *radar.Snapshot) { s.Sprints, s.Statuses = snap.Sprints, snap.Statuses })
	}
	return out
}

// versionOutcome is what the analysis said of one version at a moment.
type versionOutcome struct {
	fc       radar.VersionForecast
	atRisk   bool
	released bool
}

// forecastsAt replays the snapshot at t and returns what the analysis said
// of its versions then, by version id. The replay is Analyze itself, run
// on the past snapshot with the clock at t: whatever decides a forecast
// today decides it in the backtest too, so the backtest measures the
// forecasts `radar analyze` makes.
func forecastsAt(p *projectIssues, t time.Time, opts Options) map[string]versionOutcome {
	past, _ := AsOf(p.at(t, opts), t)
	opts.Now = t
	rep := Analyze(past, opts)
	byName := map[string]radar.VersionForecast{}
	for _, fc := range rep.Versions {
		byName[fc.Project+"\x00"+fc.Name] = fc
	}
	atRisk := map[string]bool{}
	for _, f := range rep.Findings {
		if f.Kind == radar.KindReleaseAtRisk {
			atRisk[f.Project+"\x00"+f.Issue] = true
		}
	}
	out := map[string]versionOutcome{}
	for _, v := range past.Versions {
		k := v.Project + "\x00" + v.Name
		fc, ok := byName[k]
		switch {
		case v.Released || v.Archived:
			out[v.ID] = versionOutcome{released: true}
		case ok && fc.OpenItems+len(fc.CriticalPath) > 0:
			out[v.ID] = versionOutcome{fc: fc, atRisk: atRisk[k]}
		}
	}
	return out
}

// projectIssues indexes one project's issues for replays: the issues
// done now by resolution time, and the others.
type projectIssues struct {
	snap     radar.Snapshot
	done     []radar.Issue   // done now, by resolution time
	rest     []radar.Issue   // open now, or done with no resolution date
	firstKey string          // the project's first created issue, which dates it
	keys     map[string]bool // every issue of the project
}

func indexProject(snap radar.Snapshot) *projectIssues {
	p := &projectIssues{snap: snap, keys: make(map[string]bool, len(snap.Issues))}
	first := FirstCreated(snap)
	for _, is := range snap.Issues {
		p.keys[is.Key] = true
		switch {
		case is.Created.Equal(first) && p.firstKey == "":
			p.firstKey = is.Key
			p.rest = append(p.rest, is)
		case is.Done() && !is.Resolved.IsZero():
			p.done = append(p.done, is)
		default:
			p.rest = append(p.rest, is)
		}
	}
	slices.SortStableFunc(p.done, func(a, b radar.Issue) int { return a.Resolved.Compare(b.Resolved) })
	return p
}

// at returns the project's snapshot without the issues no forecast at t
// can read: those done now and resolved (for the last time) more than a
// year of pace before t, and those created after t. The project's first
// issue stays, to date it.
func (p *projectIssues) at(t time.Time, opts Options) radar.Snapshot {
	cutoff := t.Add(-max(opts.History, maxPaceWeeks*week) - week)
	k, _ := slices.BinarySearchFunc(p.done, cutoff, func(is radar.Issue, c time.Time) int { return is.Resolved.Compare(c) })
	out := p.snap
	out.Issues = make([]radar.Issue, 0, len(p.rest)+len(p.done)-k)
	kept := map[string]bool{}
	for _, part := range [][]radar.Issue{p.rest, p.done[k:]} {
		for i := range part {
			if !part[i].Created.After(t) { // later issues did not exist yet
				out.Issues = append(out.Issues, part[i])
				kept[part[i].Key] = true
			}
		}
	}
	// The changelog of an issue left out is read by nobody: AsOf would
	// regroup it on every replay.
	out.Changes = nil
	for _, c := range p.snap.Changes {
		if kept[c.IssueKey] {
			out.Changes = append(out.Changes, c)
		}
	}
	// A link to an issue left out is no link to something outside the
	// scope: it goes too.
	out.Dependencies = nil
	for _, d := range p.snap.Dependencies {
		if (kept[d.Blocker] || !p.keys[d.Blocker]) && (kept[d.Blocked] || !p.keys[d.Blocked]) {
			out.Dependencies = append(out.Dependencies, d)
		}
	}
	return out
}

// summarise scores the cases.
func summarise(cases []BacktestCase) BacktestSummary {
	s := BacktestSummary{Cases: len(cases)}
	var errs []float64
	p50, p85, p95 := 0, 0, 0
	tp, fp, fn := 0, 0, 0
	for _, c := range cases {
		asOf, actual := dayOf(c.AsOf), dayOf(c.Actual.Time())
		if !c.ReleaseDate.IsZero() && dayOf(c.ReleaseDate.Time()) >= asOf {
			late := c.Actual.After(c.ReleaseDate)
			switch {
			case c.AtRisk && late:
				tp++
			case c.AtRisk:
				fp++
			case late:
				fn++
			}
			if c.AtRisk {
				s.AtRiskReported++
			}
			if late {
				s.LateCases++
			}
		}
		if c.P50.IsZero() {
			continue
		}
		s.ForecastCases++
		for _, q := range []struct {
			date radar.Date
			n    *int
		}{{c.P50, &p50}, {c.P85, &p85}, {c.P95, &p95}} {
			if !c.Actual.After(q.date) {
				*q.n++
			}
		}
		if span := actual - asOf; span > 0 {
			d := dayOf(c.P50.Time()) - actual
			errs = append(errs, float64(max(d, -d))/float64(span))
		}
		s.MaxYearsAhead = max(s.MaxYearsAhead, round(float64(dayOf(c.P95.Time())-asOf)/365.25, 2))
	}
	if s.ForecastCases > 0 {
		n := float64(s.ForecastCases)
		s.P50Coverage, s.P85Coverage, s.P95Coverage = round(float64(p50)/n, 3), round(float64(p85)/n, 3), round(float64(p95)/n, 3)
	}
	if len(errs) > 0 {
		slices.Sort(errs)
		s.MedianRelativeError = round(median(errs), 3)
	}
	p85Stability(cases, &s)
	if tp+fp > 0 {
		s.AtRiskPrecision = round(float64(tp)/float64(tp+fp), 3)
	}
	if tp+fn > 0 {
		s.AtRiskRecall = round(float64(tp)/float64(tp+fn), 3)
	}
	return s
}

// median of sorted xs: the mean of the middle two for an even count.
func median(xs []float64) float64 {
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}
