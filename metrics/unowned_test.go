package metrics

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/radarhq/radar"
)

func TestSetUnowned(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := New(reg)
	f := func(project string, sev radar.Severity, ack *radar.Ack) radar.Finding {
		return radar.Finding{Project: project, Severity: sev, Ack: ack}
	}
	m.SetUnowned([]radar.Finding{
		f("PAY", radar.SeverityCritical, nil),
		f("PAY", radar.SeverityCritical, &radar.Ack{State: radar.AckAcknowledged}),
		f("PAY", radar.SeverityWarning, &radar.Ack{State: radar.AckSnoozed}),
		f("PAY", radar.SeverityWarning, &radar.Ack{State: radar.AckDismissed}),
		f("WEB", radar.SeverityInfo, &radar.Ack{State: radar.AckAcknowledged}),
	})
	want := `
# HELP radar_findings_unowned Open findings nobody has acknowledged (owned), by project and severity; findings marked not a risk do not count.
# TYPE radar_findings_unowned gauge
radar_findings_unowned{project="PAY",severity="critical"} 1
radar_findings_unowned{project="PAY",severity="info"} 0
radar_findings_unowned{project="PAY",severity="warning"} 1
radar_findings_unowned{project="WEB",severity="critical"} 0
radar_findings_unowned{project="WEB",severity="info"} 0
radar_findings_unowned{project="WEB",severity="warning"} 0
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "radar_findings_unowned"); err != nil {
		t.Error(err)
	}
	// A project whose findings all resolved leaves the metric.
	m.SetUnowned([]radar.Finding{f("WEB", radar.SeverityWarning, nil)})
	if n := testutil.CollectAndCount(m.unowned); n != 3 {
		t.Errorf("%d series after PAY's findings resolved, want WEB's 3", n)
	}
}
