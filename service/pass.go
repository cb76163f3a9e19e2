package service

import (
	"context"
	"fmt"

	"github.com/radarhq/radar"
	"github.com/radarhq/radar/alerts"
	"github.com/radarhq/radar/analysis"
	"github.com/radarhq/radar/store"
)

// Pass is the analyse → record → deliver part of a cycle, over a snapshot
// already synced: radar serve runs it after each sync, radar alert once.
type Pass struct {
	Store   *store.Store
	Alerter *alerts.Alerter // nil: analyse and record, deliver nothing
	// Analysed, Recorded and Delivered, when set, are called after their
	// stage: Analysed with the report before it is recorded, Recorded with
	// the recording's outcome (nil: recorded), Delivered once the alerter
	// has tried, whatever came of it.
	Analysed  func(radar.Report)
	Recorded  func(error)
	Delivered func()
}

// Run analyses snap with opts, records the findings' history and delivers
// the notifications their changes call for. The cycle it returns holds the
// report and changes it got to, and the error of the stage that failed:
// findings that could not be recorded are not delivered.
func (p Pass) Run(ctx context.Context, snap radar.Snapshot, opts analysis.Options) Cycle {
	var cyc Cycle
	cyc.Report = analysis.Analyze(snap, opts)
	if p.Analysed != nil {
		p.Analysed(cyc.Report)
	}
	changes, err := p.Store.RecordFindings(ctx, cyc.Report.GeneratedAt, cyc.Report.Findings)
	if err != nil {
		err = fmt.Errorf("record findings: %w", err)
	}
	if p.Recorded != nil {
		p.Recorded(err)
	}
	if err != nil {
		cyc.Err = err
		return cyc
	}
	cyc.Changes = changes
	if p.Alerter == nil {
		return cyc
	}
	err = p.Alerter.Deliver(ctx, cyc.Report, changes)
	if p.Delivered != nil {
		p.Delivered()
	}
	if err != nil {
		cyc.Err = fmt.Errorf("deliver alerts: %w", err)
	}
	return cyc
}
