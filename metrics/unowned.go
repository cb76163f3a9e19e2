package metrics

import "github.com/radarhq/radar"

// SetUnowned replaces radar_findings_unowned with the counts of the open
// findings fs (their Ack attached) that nobody owns: not acknowledged, and
// not marked "not a risk". Every severity of every project with an open
// finding is exported, zero included, so a dashboard sees a project's
// risks become owned rather than its series vanish.
func (m *Metrics) SetUnowned(fs []radar.Finding) {
	counts := map[[2]string]int{}
	for _, f := range fs {
		for _, s := range severities {
			counts[[2]string{f.Project, string(s)}] += 0
		}
		if f.Severity.Rank() == 0 || (f.Ack != nil && (f.Ack.Owned() || f.Ack.State == radar.AckDismissed)) {
			continue
		}
		counts[[2]string{f.Project, string(f.Severity)}]++
	}
	m.unowned.Reset()
	for k, n := range counts {
		m.unowned.WithLabelValues(k[0], k[1]).Set(float64(n))
	}
}
