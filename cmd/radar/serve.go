package main

import (
	"context"

	"github.com/radarhq/radar/service"
)

// runServe runs Radar as a daemon until interrupted.
func runServe(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "serve")
	cfgPath := fs.String("config", "", "configuration file (YAML)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := loadConfig(e, *cfgPath, everything...)
	if err != nil {
		return err
	}
	log := newLogger(e, cfg)
	// The effective configuration, defaults and environment applied, with
	// every secret shown only as set or not (config.Config.LogValue).
	log.Info("radar starting", "component", "serve", "version", buildVersion(), "config_file", *cfgPath, "config", cfg)
	svc, err := service.New(ctx, cfg, service.Options{Logger: log})
	if err != nil {
		return err
	}
	defer svc.Close()
	return svc.Run(ctx)
}
