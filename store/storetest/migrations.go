package storetest

import (
	"database/sql"
	"testing"
)

// Migrations lists the migration versions recorded in the SQLite file at
// path, in order, read-only and without Radar's store so that reading
// migrates nothing; nil when the file records none.
func Migrations(tb testing.TB, path string) []string {
	tb.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro") // test paths are plain
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	var has int
	if err := db.QueryRow(`SELECT count(*) FROM sqlite_master WHERE name = 'schema_migrations'`).Scan(&has); err != nil {
		tb.Fatal(err)
	}
	if has == 0 {
		return nil
	}
	rows, err := db.Query(`SELECT version FROM schema_migrations ORDER BY version`)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var vs []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			tb.Fatal(err)
		}
		vs = append(vs, v)
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return vs
}
