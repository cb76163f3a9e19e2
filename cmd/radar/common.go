package main

import (
	"context"
	"log/slog"

	"github.com/radarhq/radar/config"
	"github.com/radarhq/radar/store"
)

// loadConfig loads the configuration file at path (defaults when empty),
// reading environment variables through e.
func loadConfig(e *env, path string) (*config.Config, error) {
	return config.Load(path, e.getenv)
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
