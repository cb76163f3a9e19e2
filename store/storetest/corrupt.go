// Package storetest is what tests in several packages need of Radar's
// store: a store in a temp dir (Open); its canonical dump, rows and
// migrations read without SQL of the test's own (Dump, DumpFile, Rows,
// Count, Migrations); the simulated Jira and Slack that feed it, served on
// loopback (ServeJira, ServeSlack); and databases damaged the way failing
// disks do (CorruptTable, FailInserts). Tests only: nothing outside
// _test.go files imports it.
package storetest

import (
	"bytes"
	"database/sql"
	"fmt"
	"os"
	"strings"
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

// FailInserts makes every insert into table in the SQLite file at path fail
// with message (e.g. "disk is full"), as a disk that fills up mid-write
// does, from then on. Stores already open see it on their next write.
func FailInserts(t testing.TB, path, table, message string) {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	quote := func(s, q string) string { return q + strings.ReplaceAll(s, q, q+q) + q }
	trigger := quote("storetest_fail_"+table, `"`)
	if _, err := db.Exec(fmt.Sprintf(`CREATE TRIGGER %s BEFORE INSERT ON %s BEGIN SELECT RAISE(ABORT, %s); END`,
		trigger, quote(table, `"`), quote(message, "'"))); err != nil {
		t.Fatalf("fail inserts into %s: %v", table, err)
	}
}
