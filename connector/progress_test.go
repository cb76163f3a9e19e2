package connector_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/radarhq/radar/connector"
	"github.com/radarhq/radar/jirasim"
)

// A sync reports where it is, last of all with what it did; at debug
// level it logs every request.
func TestSyncReportsProgress(t *testing.T) {
	r := newRig(t, jirasim.Cloud)
	var mu sync.Mutex
	var reports []connector.Progress
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := r.connector(connector.WithLogger(log), connector.WithProgress(time.Hour, func(p connector.Progress) {
		mu.Lock()
		defer mu.Unlock()
		reports = append(reports, p)
	}))
	res, err := c.Sync(context.Background(), true)
	if err != nil {
		t.Fatal(err)
	}
	if len(reports) != 1 {
		t.Fatalf("%d reports, want the final one only (the interval is an hour)", len(reports))
	}
	last := reports[0]
	if !last.Done || last.Issues != int64(res.Issues) || last.Total != int64(res.Issues) ||
		last.Requests != int64(res.Requests) || last.Retries != int64(res.Retries) {
		t.Errorf("final report %+v; want done with %d of %d issues, %d requests, %d retries",
			last, res.Issues, res.Issues, res.Requests, res.Retries)
	}
	if n := strings.Count(logs.String(), `msg="jira request"`); n != res.Requests {
		t.Errorf("%d debug lines for %d requests", n, res.Requests)
	}
	if strings.Contains(logs.String(), "s3cret-token") {
		t.Error("the token is in the log")
	}
}
