package main

import (
	"context"

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
