package connector

import (
	"os"
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
	f, _ := os.Create("/tmp/i11a_timob.txt")
	analysis.WriteBacktestTable(f, rep)
	f.Close()
}
