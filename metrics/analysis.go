package metrics

import (
	"sort"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/radarhq/radar"
)

// AnalysisSnapshot is what the latest analysis run found, as plain data. The
// service fills it (usually through FromReport) and hands it to SetAnalysis.
type AnalysisSnapshot struct {
	Projects []ProjectStats
	// Versions holds unreleased versions only: released ones must not be
	// exported, to keep the version label bounded.
	Versions []VersionStats
}

// ProjectStats is one known project's state. Every known project appears,
// even with no findings, so its zero series are exported.
type ProjectStats struct {
	Project string
	// Issues counts issues by status category key (new, indeterminate,
	// done). Other keys are ignored; missing ones are exported as 0.
	Issues map[radar.StatusCategory]int
	// BlockedIssues counts distinct blocked issues (see FromReport).
	BlockedIssues int
	// MaxBlastRadius is the largest blast radius of the project's blockers.
	MaxBlastRadius int
	// Findings counts findings by kind and severity. Kinds outside
	// radar.Kinds and unknown severities are ignored; missing pairs are
	// exported as 0.
	Findings map[FindingClass]int
}

// FindingClass is a finding kind and severity, the labels of radar_findings.
type FindingClass struct {
	Kind     radar.Kind
	Severity radar.Severity
}

// VersionStats is one unreleased version's release forecast. Zero times are
// unknown and their series are not exported.
type VersionStats struct {
	Project string
	Name    string
	Due     time.Time // the version's release date
	P50     time.Time
	P85     time.Time
	P95     time.Time
	// OnTimeRatio is the probability (0–1) of finishing by Due; exported
	// only when Due is set and a forecast exists (P50 set): with no
	// throughput history there is no probability, not a zero one.
	OnTimeRatio float64
	// CriticalPathRemaining is the remaining work along the critical path.
	CriticalPathRemaining time.Duration
	// Trials and Mean describe the forecast's distribution: the summary's
	// _count and, times Trials, its _sum.
	Trials int
	Mean   time.Time
}

// severities lists the severities radar_findings exports, least urgent first.
var severities = []radar.Severity{radar.SeverityInfo, radar.SeverityWarning, radar.SeverityCritical}

// statusCategories lists the status categories radar_issues exports.
var statusCategories = []radar.StatusCategory{radar.CategoryNew, radar.CategoryInProgress, radar.CategoryDone}

// forecastQuantiles maps the known quantiles of v's forecast to Unix times.
func forecastQuantiles(v VersionStats) map[float64]float64 {
	qs := map[float64]float64{}
	for _, q := range []struct {
		q float64
		t time.Time
	}{{0.5, v.P50}, {0.85, v.P85}, {0.95, v.P95}} {
		if !q.t.IsZero() {
			qs[q.q] = seconds(q.t)
		}
	}
	return qs
}

// Quantiles are the values of radar_release_forecast_timestamp_seconds'
// quantile label.
const (
	QuantileP50 = "0.5"
	QuantileP85 = "0.85"
	QuantileP95 = "0.95"
)

// analysisCollector emits the latest AnalysisSnapshot. The snapshot is turned
// into immutable const metrics once, in set; Collect only sends them, so
// scrapes never see a half-updated snapshot and never race with an update.
type analysisCollector struct {
	findings, issues, blocked, blast, due, forecast, onTime, critical *prometheus.Desc

	mu      sync.RWMutex
	metrics []prometheus.Metric
}

func newAnalysisCollector() *analysisCollector {
	return &analysisCollector{
		findings: prometheus.NewDesc("radar_findings",
			"Open findings of the latest analysis, by project, kind and severity.",
			[]string{"project", "kind", "severity"}, nil),
		issues: prometheus.NewDesc("radar_issues",
			"Synced issues at the latest analysis, by project and status category (new, indeterminate, done).",
			[]string{"project", "status_category"}, nil),
		blocked: prometheus.NewDesc("radar_blocked_issues",
			"Distinct issues blocked by an unfinished blocker at the latest analysis.",
			[]string{"project"}, nil),
		blast: prometheus.NewDesc("radar_blocker_blast_radius_max",
			"Largest number of issues transitively waiting on one blocker of the project.",
			[]string{"project"}, nil),
		due: prometheus.NewDesc("radar_release_due_timestamp_seconds",
			"Release date of an unreleased version, as a Unix time.",
			[]string{"project", "version"}, nil),
		// A summary: the forecast is a distribution of trial finish times,
		// with quantile series (0.5, 0.85, 0.95), _count the trials and
		// _sum their finish times.
		forecast: prometheus.NewDesc("radar_release_forecast_timestamp_seconds",
			"Monte Carlo forecast of an unreleased version's completion, as Unix times: quantiles of the trials' finish dates; _count trials, _sum their finish times.",
			[]string{"project", "version"}, nil),
		onTime: prometheus.NewDesc("radar_release_on_time_ratio",
			"Forecast probability (0-1) that an unreleased version is done by its release date.",
			[]string{"project", "version"}, nil),
		critical: prometheus.NewDesc("radar_critical_path_remaining_seconds",
			"Remaining work along the critical path of an unreleased version.",
			[]string{"project", "version"}, nil),
	}
}

// Describe sends the fixed descriptors.
func (c *analysisCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.findings, c.issues, c.blocked, c.blast, c.due, c.forecast, c.onTime, c.critical} {
		ch <- d
	}
}

// Collect sends the metrics of the latest snapshot.
func (c *analysisCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.RLock()
	ms := c.metrics
	c.mu.RUnlock()
	for _, m := range ms {
		ch <- m
	}
}

func (c *analysisCollector) set(s AnalysisSnapshot) {
	ms := c.build(s)
	c.mu.Lock()
	c.metrics = ms
	c.mu.Unlock()
}

// build turns a snapshot into const metrics. Duplicate projects are
// merged (counts added, maxima kept); for duplicate versions the last wins.
// Output is sorted so the result does not depend on map order.
func (c *analysisCollector) build(s AnalysisSnapshot) []prometheus.Metric {
	projects := map[string]*ProjectStats{}
	for _, p := range s.Projects {
		if p.Project == "" {
			continue
		}
		acc, ok := projects[p.Project]
		if !ok {
			acc = &ProjectStats{Project: p.Project, Issues: map[radar.StatusCategory]int{}, Findings: map[FindingClass]int{}}
			projects[p.Project] = acc
		}
		for k, n := range p.Issues {
			acc.Issues[k] += n
		}
		for k, n := range p.Findings {
			acc.Findings[k] += n
		}
		acc.BlockedIssues += p.BlockedIssues
		acc.MaxBlastRadius = max(acc.MaxBlastRadius, p.MaxBlastRadius)
	}
	names := make([]string, 0, len(projects))
	for n := range projects {
		names = append(names, n)
	}
	sort.Strings(names)

	ms := make([]prometheus.Metric, 0, len(names)*(len(radar.Kinds)*len(severities)+len(statusCategories)+2)+len(s.Versions)*6)
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ms = append(ms, prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...))
	}
	for _, name := range names {
		p := projects[name]
		for _, kind := range radar.Kinds {
			for _, sev := range severities {
				gauge(c.findings, float64(p.Findings[FindingClass{Kind: kind, Severity: sev}]), name, string(kind), string(sev))
			}
		}
		for _, cat := range statusCategories {
			gauge(c.issues, float64(p.Issues[cat]), name, string(cat))
		}
		gauge(c.blocked, float64(p.BlockedIssues), name)
		gauge(c.blast, float64(p.MaxBlastRadius), name)
	}

	type versionKey struct{ project, name string }
	versions := map[versionKey]VersionStats{}
	for _, v := range s.Versions {
		if v.Project == "" || v.Name == "" {
			continue
		}
		versions[versionKey{v.Project, v.Name}] = v
	}
	keys := make([]versionKey, 0, len(versions))
	for k := range versions {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].project != keys[j].project {
			return keys[i].project < keys[j].project
		}
		return keys[i].name < keys[j].name
	})
	for _, k := range keys {
		v := versions[k]
		if !v.Due.IsZero() {
			gauge(c.due, seconds(v.Due), k.project, k.name)
			if !v.P50.IsZero() {
				gauge(c.onTime, v.OnTimeRatio, k.project, k.name)
			}
		}
		if qs := forecastQuantiles(v); len(qs) > 0 {
			sum := 0.0
			if !v.Mean.IsZero() && v.Trials > 0 {
				sum = seconds(v.Mean) * float64(v.Trials)
			}
			ms = append(ms, prometheus.MustNewConstSummary(c.forecast, uint64(v.Trials), sum, qs, k.project, k.name))
		}
		gauge(c.critical, v.CriticalPathRemaining.Seconds(), k.project, k.name)
	}
	return ms
}
