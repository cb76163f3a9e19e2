package main

import (
	"bytes"
	"testing"
	"time"

	"github.com/radarhq/radar/connector"
)

func TestLiveLine(t *testing.T) {
	var b bytes.Buffer
	show := liveLine(&b)
	show(connector.Progress{Issues: 1000, Total: 4000, Requests: 12, RequestsPerSecond: 6, Elapsed: 2 * time.Second, ETA: 6 * time.Second})
	show(connector.Progress{Issues: 4000, Total: 4000, Requests: 45, RequestsPerSecond: 9, Retries: 1, Elapsed: 5 * time.Second, Done: true})
	want := "\r\x1b[Ksyncing: 1000 of 4000 issues (25%), 12 requests (6.0/s), 0 retries, 2s elapsed, about 6s left" +
		"\r\x1b[Ksyncing: 4000 of 4000 issues (100%), 45 requests (9.0/s), 1 retries, 5s elapsed\n"
	if got := b.String(); got != want {
		t.Errorf("live line =\n%q\nwant\n%q", got, want)
	}
	if opts := progressOptions(&b); opts != nil {
		t.Errorf("a buffer is not a terminal, yet got %d progress options", len(opts))
	}
}
