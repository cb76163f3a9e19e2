package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"
)

// ErrLocked reports that another Radar process (or another part of this one)
// holds the lock asked for.
var ErrLocked = errors.New("locked by another radar")

// Lock names: one sync at a time per database; one Slack planner and sender;
// one service.
const (
	LockSync  = "sync"
	LockSlack = "slack"
	LockServe = "serve" // held by radar serve (and the demo) for its lifetime
)

// Lock is a held lock; Unlock releases it.
type Lock struct{ f *os.File }

// Unlock releases the lock.
func (l *Lock) Unlock() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := unlockFile(l.f)
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	l.f = nil
	return err
}

// TryLock takes the named lock if it is free, else returns ErrLocked. The
// lock is an advisory file lock beside the database (path.name.lock): it
// holds across processes sharing the database (a `radar sync` beside a
// `radar serve`), and the kernel releases it when the holder dies, so a
// crash leaves nothing stale behind.
func (s *Store) TryLock(name string) (*Lock, error) { return TryLockPath(s.path, name) }

// TryLockPath takes the named lock of the database at path without opening
// it (for tools that must not touch a database in use).
func TryLockPath(path, name string) (*Lock, error) {
	f, err := os.OpenFile(path+"."+name+".lock", os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", name, err)
	}
	if err := lockFile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", name, err)
	}
	return &Lock{f: f}, nil
}

// WaitLock takes the named lock, waiting for it until ctx ends.
func (s *Store) WaitLock(ctx context.Context, name string) (*Lock, error) {
	for {
		l, err := s.TryLock(name)
		if !errors.Is(err, ErrLocked) {
			return l, err
		}
		t := time.NewTimer(50 * time.Millisecond)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("lock %s: %w", name, ctx.Err())
		case <-t.C:
		}
	}
}
