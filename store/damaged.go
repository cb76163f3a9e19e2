package store

import (
	"errors"

	"github.com/mattn/go-sqlite3"
)

// IsDamaged reports whether err says the database file itself is damaged
// ("database disk image is malformed", "file is not a database"): retrying
// will not help, restoring a backup will.
func IsDamaged(err error) bool {
	var se sqlite3.Error
	if errors.As(err, &se) {
		return se.Code == sqlite3.ErrCorrupt || se.Code == sqlite3.ErrNotADB
	}
	return false
}

// DamagedHint is what to do about a damaged database, for errors a person
// reads.
const DamagedHint = "the database file is damaged: stop Radar, restore the latest `radar backup` copy (point store.path at it, or copy it over the database and delete the old -wal and -shm files), then run radar sync; with no backup, move the file away and run radar sync --full"
