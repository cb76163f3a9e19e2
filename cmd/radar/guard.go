package main

import (
	"errors"
	"fmt"

	"github.com/radarhq/radar/store"
)

// serveRunning reports whether a radar serve (or demo) holds the database
// at path: it holds the serve lock for its lifetime. The lock is only
// tested, never kept.
func serveRunning(path string) (bool, error) {
	l, err := store.TryLockPath(path, store.LockServe)
	if errors.Is(err, store.ErrLocked) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	return false, l.Unlock()
}

// refuseBesideServe fails when a radar serve runs on the database at path:
// what serve records and alerts on, a second recorder would use up (a
// finding seen new here is no longer new to serve). what names the
// command; instead says what to do.
func refuseBesideServe(path, what, instead string) error {
	running, err := serveRunning(path)
	if err != nil {
		return err
	}
	if running {
		return fmt.Errorf("%s refused: radar serve is running on %s (store.path) and records the findings and delivers the alerts itself; a second run would use up the transitions (new, escalated, resolved) it alerts on, so Slack would miss them. %s", what, path, instead)
	}
	return nil
}
