package metrics

import (
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"

	"github.com/radarhq/radar"
)

// benchReport is 10,000 open findings across 20 projects and 50 unreleased
// versions, with the issues they name.
func benchReport() (radar.Report, []radar.Issue) {
	const projects, findings, versions = 20, 10000, 50
	sevs := []radar.Severity{radar.SeverityInfo, radar.SeverityWarning, radar.SeverityCritical}
	var r radar.Report
	var issues []radar.Issue
	for i := range findings {
		p := fmt.Sprintf("P%02d", i%projects)
		key := fmt.Sprintf("%s-%d", p, i)
		issues = append(issues, radar.Issue{Key: key, Project: p, StatusCategory: radar.CategoryInProgress})
		f := radar.Finding{ID: key, Kind: radar.Kinds[i%len(radar.Kinds)], Severity: sevs[i%3], Project: p, Issue: key}
		if f.Kind == radar.KindBlocker {
			f.Evidence = radar.BlockerFacts{BlastRadius: i % 40, DirectDependents: []string{fmt.Sprintf("%s-%d", p, i+1)}}
		}
		r.Findings = append(r.Findings, f)
	}
	due := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	for v := range versions {
		r.Versions = append(r.Versions, radar.VersionForecast{
			Project: fmt.Sprintf("P%02d", v%projects), Name: fmt.Sprintf("%d.%d.0", v/10, v%10),
			ReleaseDate: radar.DateOf(due), P50: radar.DateOf(due.AddDate(0, 0, -7)),
			P85: radar.DateOf(due), P95: radar.DateOf(due.AddDate(0, 0, 10)),
			OnTimeProbability: 0.8, CriticalPathRemaining: 40 * time.Hour,
		})
	}
	return r, issues
}

// BenchmarkScrape measures one full Gather of a populated registry (the
// analysis snapshot plus the Go and process collectors) and its encoding in
// the text format, as one scrape does.
func BenchmarkScrape(b *testing.B) {
	reg := prometheus.NewRegistry()
	m := New(reg)
	populate(m)
	m.SetAnalysis(FromReport(benchReport()))
	b.ReportAllocs()
	for b.Loop() {
		mfs, err := reg.Gather()
		if err != nil {
			b.Fatal(err)
		}
		enc := expfmt.NewEncoder(io.Discard, expfmt.NewFormat(expfmt.TypeTextPlain))
		for _, mf := range mfs {
			if err := enc.Encode(mf); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkFromReport measures deriving and installing a snapshot, done once
// per analysis run.
func BenchmarkFromReport(b *testing.B) {
	m := New(prometheus.NewRegistry())
	r, issues := benchReport()
	b.ReportAllocs()
	for b.Loop() {
		m.SetAnalysis(FromReport(r, issues))
	}
}
