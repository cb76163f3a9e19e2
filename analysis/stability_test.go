package analysis

import (
	"testing"
	"time"

	"github.com/radarhq/radar"
)

// TestP85Stability pins the stability measure on known forecasts: each
// step is |ΔP85| in days over the weeks between consecutive replays of the
// same version, a replay without a forecast is stepped over, and versions
// (and projects) are never paired with each other.
func TestP85Stability(t *testing.T) {
	finish := time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC)
	p85 := radar.DateOf(time.Date(2026, 6, 10, 0, 0, 0, 0, time.UTC))
	at := func(project, version string, weeksBefore int, moveDays int) BacktestCase {
		c := BacktestCase{Project: project, Version: version, Horizon: HorizonLabel(time.Duration(weeksBefore) * week),
			AsOf: finish.Add(-time.Duration(weeksBefore) * week), Actual: radar.DateOf(finish)}
		if moveDays >= 0 {
			d := radar.DateOf(p85.Time().AddDate(0, 0, moveDays-100))
			c.P50, c.P85, c.P95 = d, d, d
		}
		return c
	}
	const none = -1 // no forecast at that replay
	for _, tt := range []struct {
		name          string
		cases         []BacktestCase
		steps         int
		median, p85th float64
		jumps         float64
	}{
		{name: "no cases"},
		{name: "one replay per version", cases: []BacktestCase{at("P", "1.0", 4, 100), at("Q", "1.0", 2, 130)}},
		{name: "a perfect forecast stays put", steps: 3,
			cases: []BacktestCase{at("P", "1.0", 12, 100), at("P", "1.0", 8, 100), at("P", "1.0", 4, 100), at("P", "1.0", 2, 100)}},
		{
			// 1.0: 0 days in 4 weeks, 28 in 4 weeks (7/week), 40 back in
			// 2 weeks (20/week); 2.0: 16 days over the 8 weeks from 12w
			// to 4w (2/week), 8w had no forecast; Q's 1.0 has one replay.
			name: "moves per week", steps: 4, median: 4.5, p85th: 20, jumps: 0.25,
			cases: []BacktestCase{
				at("P", "1.0", 2, 88), at("P", "1.0", 12, 100), at("P", "1.0", 8, 100), at("P", "1.0", 4, 128),
				at("P", "2.0", 12, 100), at("P", "2.0", 8, none), at("P", "2.0", 4, 116),
				at("Q", "1.0", 4, 300),
			},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := summarise(tt.cases)
			if s.StabilitySteps != tt.steps || s.P85MoveMedian != tt.median || s.P85MoveP85 != tt.p85th || s.P85JumpShare != tt.jumps {
				t.Errorf("steps %d, median %v, 85th %v, jump share %v; want %d, %v, %v, %v",
					s.StabilitySteps, s.P85MoveMedian, s.P85MoveP85, s.P85JumpShare, tt.steps, tt.median, tt.p85th, tt.jumps)
			}
		})
	}
}
