// Package storetest damages Radar databases the way failing disks do, for
// tests of how Radar reports and survives it. Tests only.
package storetest

import (
	"bytes"
	"database/sql"
	"os"
	"testing"

	_ "github.com/mattn/go-sqlite3" // the SQLite driver
)

// CorruptTable overwrites the root page of table in the SQLite file at path
// with garbage: the file still opens, and every read of that table fails
// with "database disk image is malformed". No connection may hold the file.
func CorruptTable(t testing.TB, path, table string) {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	var root, pageSize int64
	if _, err := db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`SELECT rootpage FROM sqlite_master WHERE type = 'table' AND name = ?`, table).Scan(&root); err != nil {
		t.Fatalf("root page of %s: %v", table, err)
	}
	if err := db.QueryRow(`PRAGMA page_size`).Scan(&pageSize); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt(bytes.Repeat([]byte{0xff}, 64), (root-1)*pageSize); err != nil {
		t.Fatal(err)
	}
}
