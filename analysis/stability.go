package analysis

import (
	"cmp"
	"slices"
	"strings"
)

// jumpDaysPerWeek is the P85 move per week above which a step counts as a
// jump: two weeks of forecast per week of real time.
const jumpDaysPerWeek = 14

// p85Stability measures how far the P85 of the same version moved between
// its consecutive replays, in days per week of real time that passed
// between them: a perfect forecast's P85 stays put while time passes, so
// any move is the forecast changing its mind. The steps pair each
// version's cases with a forecast in as-of order (a horizon without a
// forecast is stepped over, and the move is spread over the longer time).
// It sets the summary's number of steps, the median and 85th percentile
// (nearest rank) of |ΔP85| in days ÷ weeks passed, and the share of steps
// above jumpDaysPerWeek.
func p85Stability(cases []BacktestCase, s *BacktestSummary) {
	fc := make([]BacktestCase, 0, len(cases))
	for _, c := range cases {
		if !c.P85.IsZero() {
			fc = append(fc, c)
		}
	}
	slices.SortStableFunc(fc, func(a, b BacktestCase) int {
		return cmp.Or(strings.Compare(a.Project, b.Project), strings.Compare(a.Version, b.Version), a.AsOf.Compare(b.AsOf))
	})
	var moves []float64
	jumps := 0
	for i := 1; i < len(fc); i++ {
		a, b := fc[i-1], fc[i]
		if a.Project != b.Project || a.Version != b.Version {
			continue
		}
		weeks := float64(b.AsOf.Sub(a.AsOf)) / float64(week)
		if weeks <= 0 {
			continue
		}
		d := dayOf(b.P85.Time()) - dayOf(a.P85.Time())
		m := float64(max(d, -d)) / weeks
		moves = append(moves, m)
		if m > jumpDaysPerWeek {
			jumps++
		}
	}
	if len(moves) == 0 {
		return
	}
	slices.Sort(moves)
	s.StabilitySteps = len(moves)
	s.P85MoveMedian, s.P85MoveP85 = round(median(moves), 2), round(percentile(moves, 0.85), 2)
	s.P85JumpShare = round(float64(jumps)/float64(len(moves)), 3)
}
