package store

import "io/fs"

// EmbeddedMigrations is the migrations directory compiled into the binary.
var EmbeddedMigrations = embeddedMigrations

// WithMigrations makes Open apply the migrations in fsys (NNNN_name.sql at
// its root) instead of the embedded ones: tests build databases at earlier
// schema versions, or with a migration that fails.
func WithMigrations(fsys fs.FS) Option { return func(s *Store) { s.migrations = fsys } }

// FileURI is the SQLite URI the store opens a path with.
var FileURI = fileURI
