package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/radarhq/radar/connector"
)

// progressOptions shows a sync's progress as one live line on stderr when
// stderr is a terminal. Elsewhere (a pipe, a log file, radar serve) the
// connector logs it at INFO every few seconds instead.
func progressOptions(stderr io.Writer) []connector.Option {
	f, ok := stderr.(*os.File)
	if !ok {
		return nil
	}
	if fi, err := f.Stat(); err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return nil
	}
	return []connector.Option{connector.WithProgress(500*time.Millisecond, liveLine(stderr))}
}

// liveLine rewrites one terminal line with each report and ends it with
// the last.
func liveLine(w io.Writer) func(connector.Progress) {
	return func(p connector.Progress) {
		fmt.Fprintf(w, "\r\x1b[K%s", p)
		if p.Done {
			fmt.Fprintln(w)
		}
	}
}
