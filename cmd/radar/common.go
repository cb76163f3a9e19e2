package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"time"

	"github.com/radarhq/radar"
	"github.com/radarhq/radar/config"
	"github.com/radarhq/radar/store"
)

// loadConfig is the one way a command gets its configuration: it loads the
// file at path (defaults when empty), reading environment variables through
// e, so the YAML is decoded and defaulted in one place; logs what should be
// fixed (secrets in files other users can read) as warnings; and validates
// the sections the command uses (and log, which every command uses), so a
// bad setting gets the same message from every command that reads it and a
// setting a command never reads cannot stop it.
func loadConfig(e *env, path string, sections ...config.Section) (*config.Config, error) {
	cfg, warnings, err := config.LoadWithWarnings(path, e.getenv)
	if err != nil {
		return nil, err
	}
	log := newLogger(e, cfg)
	for _, w := range warnings {
		if w.Key != "" {
			log.Warn(w.Message, "component", "config", "key", w.Key)
			continue
		}
		log.Warn("secret file readable by other users", "component", "config", "path", w.Path,
			"mode", fmt.Sprintf("%04o", w.Mode), "fix", "chmod 600 "+w.Path)
	}
	if err := validate(cfg, path, append(slices.Clip(sections), config.SectionLog)...); err != nil {
		return nil, err
	}
	return cfg, nil
}

// validate validates the sections of cfg, saying when no configuration
// file was given.
func validate(cfg *config.Config, path string, sections ...config.Section) error {
	err := cfg.Validate(sections...)
	if err != nil && path == "" {
		return fmt.Errorf("no --config given, so only defaults and RADAR_* variables apply; %w", err)
	}
	return err
}

// The sections the commands use, beside log: every command that analyses
// reads store and analysis; everything is what serve, sync and check use.
var (
	analysed   = []config.Section{config.SectionStore, config.SectionAnalysis}
	everything = config.Sections
)

// needSlack refuses, for the commands that only talk to Slack, a
// configuration that runs without it, with config's reason.
func needSlack(cfg *config.Config) error {
	if off := cfg.Slack.Off(); off != "" {
		return fmt.Errorf("slack is %s", off)
	}
	return nil
}

// openStore opens the database the configuration names.
func openStore(ctx context.Context, cfg *config.Config) (*store.Store, error) {
	return store.Open(ctx, cfg.Store.Path)
}

// newLogger builds the process logger from cfg.Log, writing to stderr.
func newLogger(e *env, cfg *config.Config) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.Log.Level))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.Log.Format == "json" {
		return slog.New(slog.NewJSONHandler(e.stderr, opts))
	}
	return slog.New(slog.NewTextHandler(e.stderr, opts))
}

// openSyncedStore opens the database for commands that read synced data
// (analyze, graph, alert): a missing file or one never synced is an error
// that says so, rather than an empty report.
func openSyncedStore(ctx context.Context, cfg *config.Config) (*store.Store, error) {
	if _, err := os.Stat(cfg.Store.Path); errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("no database at %s (store.path); run radar sync first, or check --config", cfg.Store.Path)
	}
	st, err := store.Open(ctx, cfg.Store.Path)
	if err != nil {
		return nil, err
	}
	if _, ok, err := st.LastSuccessfulSync(ctx); err != nil {
		st.Close()
		return nil, err
	} else if !ok {
		st.Close()
		return nil, fmt.Errorf("%s (store.path) holds no successful sync yet; run radar sync first", cfg.Store.Path)
	}
	return st, nil
}

// loadSynced loads the configuration at path and the synced snapshot from
// its database, for the commands that analyse it. The caller closes st.
func loadSynced(ctx context.Context, e *env, path string) (*config.Config, *store.Store, radar.Snapshot, error) {
	cfg, err := loadConfig(e, path, analysed...)
	if err != nil {
		return nil, nil, radar.Snapshot{}, err
	}
	st, err := openSyncedStore(ctx, cfg)
	if err != nil {
		return nil, nil, radar.Snapshot{}, err
	}
	snap, err := st.LoadSnapshot(ctx)
	if err != nil {
		st.Close()
		return nil, nil, radar.Snapshot{}, err
	}
	return cfg, st, snap, nil
}

// synced is what an analysing command works on: the configuration, the
// open store (the caller closes it) and the snapshot, as it was at now
// when --now was given (replay says what the replay could not know).
type synced struct {
	cfg    *config.Config
	st     *store.Store
	snap   radar.Snapshot
	now    time.Time
	replay *radar.Replay
	// present is the snapshot as synced, before any replay.
	present radar.Snapshot
}

// loadSyncedAt reads --now (empty: the wall clock), then the configuration
// and the synced snapshot, replayed as of --now when it was given.
func loadSyncedAt(ctx context.Context, e *env, path, nowFlag string) (synced, error) {
	now, err := parseNow(nowFlag)
	if err != nil {
		return synced{}, err
	}
	cfg, st, snap, err := loadSynced(ctx, e, path)
	if err != nil {
		return synced{}, err
	}
	past, replay, err := replayAt(snap, nowFlag, now)
	if err != nil {
		st.Close()
		return synced{}, err
	}
	return synced{cfg: cfg, st: st, snap: past, now: now, replay: replay, present: snap}, nil
}

// flagValue names a bad value as the flag that set it, for the shared
// parsers' errors: `--kind "blockr"`, `--min-severity "loud"` (the
// filter's severity is analyze's minimum).
func flagValue(field, value string) string {
	if field == "severity" {
		field = "min-severity"
	}
	return fmt.Sprintf("--%s %q", field, value)
}
