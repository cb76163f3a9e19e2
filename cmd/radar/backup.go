package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/radarhq/radar/config"
	"github.com/radarhq/radar/store"
)

// runBackup writes a consistent, verified copy of the database while radar
// serve or radar sync may be writing to it, without migrating it. Restore by
// stopping Radar and pointing store.path at the copy (or copying it over the
// database file).
func runBackup(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "backup")
	cfgPath := fs.String("config", "", "configuration file (YAML)")
	to := fs.String("to", "", "file to write the backup to (must not exist unless --force)")
	force := fs.Bool("force", false, "replace an existing file at --to (it is kept until the new copy is verified)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *to == "" {
		return fmt.Errorf("%w: --to FILE is required, e.g. radar backup --to ./radar-backup.db", errUsage)
	}
	cfg, err := loadConfig(e, *cfgPath, config.SectionStore)
	if err != nil {
		return err
	}
	if _, err := os.Stat(cfg.Store.Path); errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("no database at %s (store.path); check --config", cfg.Store.Path)
	}
	// Read-only and unmigrated: the copy has the schema the database has, so
	// a new binary can back up before it upgrades the database, and an old
	// one can back up a database a newer Radar migrated.
	st, err := store.OpenForBackup(ctx, cfg.Store.Path)
	if err != nil {
		return err
	}
	defer st.Close()
	var opts []store.BackupOption
	if *force {
		opts = append(opts, store.Overwrite())
	}
	info, err := st.Backup(ctx, *to, opts...)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "backed up %s to %s (%s, schema %s, verified)\n", cfg.Store.Path, info.Path, byteSize(info.Size), info.SchemaVersion)
	return nil
}

// byteSize renders n bytes for people: 512 B, 3.4 MiB.
func byteSize(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
