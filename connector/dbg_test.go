package connector

import (
	"testing"
	"time"

	"github.com/radarhq/radar/analysis"
)

func TestDbgReal(t *testing.T) {
	snap := loadRealExport(t)
	var now time.Time
	for _, is := range snap.Issues {
		if is.Updated.After(now) {
			now = is.Updated
		}
	}
	rep := analysis.Backtest(snap, analysis.BacktestOptions{Analysis: analysis.Options{Now: now.Add(24 * time.Hour), Trials: 500}})
	t.Logf("%+v", rep.Summary)
}
