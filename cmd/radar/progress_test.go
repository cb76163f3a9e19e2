package main

import (
	"bytes"
	"testing"
	"time"

	"github.com/radarhq/radar/connector"
)

func TestLiveLine(t *testing.T) {
	var b bytes.Buffer
	l := &liveLine{w: &b}
	l.Write([]byte("before\n"))
	l.show(connector.Progress{Issues: 1000, Total: 4000, Requests: 12, RequestsPerSecond: 6, Elapsed: 2 * time.Second, ETA: 6 * time.Second})
	l.Write([]byte("level=WARN msg=retrying\n"))
	l.show(connector.Progress{Issues: 4000, Total: 4000, Requests: 45, RequestsPerSecond: 9, Retries: 1, Elapsed: 5 * time.Second, Done: true})
	l.Write([]byte("after\n"))
	line1 := "syncing: 1000 of 4000 issues (25%), 12 requests (6.0/s), 0 retries, 2s elapsed, about 6s left"
	want := "before\n" +
		"\r\x1b[K" + line1 +
		"\r\x1b[Klevel=WARN msg=retrying\n" + line1 +
		"\r\x1b[Ksyncing: 4000 of 4000 issues (100%), 45 requests (9.0/s), 1 retries, 5s elapsed\n" +
		"after\n"
	if got := b.String(); got != want {
		t.Errorf("terminal =\n%q\nwant\n%q", got, want)
	}
	e := &env{stderr: &b}
	if got, opts := withProgress(e); got != e || opts != nil {
		t.Errorf("a buffer is not a terminal, yet got %d progress options", len(opts))
	}
}
