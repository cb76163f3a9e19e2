package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/radarhq/radar/connector"
)

// withProgress shows a sync's progress as one live line on stderr when
// stderr is a terminal: it returns the env to run the sync with (its
// stderr keeps log lines off the live line) and the connector option.
// Elsewhere (a pipe, a log file, radar serve) it changes nothing, and the
// connector logs the progress at INFO every few seconds instead.
func withProgress(e *env) (*env, []connector.Option) {
	f, ok := e.stderr.(*os.File)
	if !ok {
		return e, nil
	}
	if fi, err := f.Stat(); err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return e, nil
	}
	l := &liveLine{w: e.stderr}
	te := *e
	te.stderr = l
	return &te, []connector.Option{connector.WithProgress(500*time.Millisecond, l.show)}
}

// liveLine is a terminal whose last line shows the progress: each report
// rewrites it, the last one ends it, and other output (log lines) clears it
// first and draws it again after.
type liveLine struct {
	mu   sync.Mutex
	w    io.Writer
	line string // the progress shown, "" when none
}

func (l *liveLine) show(p connector.Progress) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.line = p.String()
	fmt.Fprintf(l.w, "\r\x1b[K%s", l.line)
	if p.Done {
		fmt.Fprintln(l.w)
		l.line = ""
	}
}

// Write writes other output above the live line.
func (l *liveLine) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.line == "" {
		return l.w.Write(b)
	}
	fmt.Fprint(l.w, "\r\x1b[K")
	n, err := l.w.Write(b)
	fmt.Fprint(l.w, l.line)
	return n, err
}
