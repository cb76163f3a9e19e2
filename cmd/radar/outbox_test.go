package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/radarhq/radar/store"
)

func TestOutboxCommand(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "radar.db")
	cfg := filepath.Join(dir, "radar.yaml")
	os.WriteFile(cfg, []byte("store:\n  path: "+db+"\n"), 0o600)
	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	_, err = st.EnqueueSlack(context.Background(), "r", []store.OutboxMessage{
		{Key: "a", Route: "r", Channel: "#nobot", Op: store.OpParent, FindingID: "blocker:PAY-1", Payload: []byte(`{}`)},
		{Key: "b", Route: "r", Channel: "#nobot", Op: store.OpReply, FindingID: "blocker:PAY-1", Payload: []byte(`{}`)},
		{Key: "c", Route: "r", Channel: "#ok", Op: store.OpPost, Payload: []byte(`{}`)},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	pending, _ := st.PendingOutbox(context.Background())
	st.MarkOutboxFailed(context.Background(), pending[0].ID, "not_in_channel\nsecond line")
	st.Close()

	out := runCmd(t, nil, "outbox", "--config", cfg)
	for _, want := range []string{"#nobot", "parent", "blocker:PAY-1", "not_in_channel second line", "3 pending"} {
		if !strings.Contains(out, want) {
			t.Errorf("outbox listing lacks %q:\n%s", want, out)
		}
	}
	if out := runCmd(t, nil, "outbox", "--config", cfg, "--drop", fmt.Sprint(pending[0].ID)); !strings.Contains(out, "dropped 2") {
		t.Errorf("drop parent: %q; want it and its reply dropped", out)
	}
	if msg := runFail(t, 1, "outbox", "--config", cfg, "--drop-channel", "#elsewhere"); !strings.Contains(msg, "nothing was dropped") {
		t.Errorf("drop a channel with nothing pending: %q; want it to say nothing matched", msg)
	}
	if out := runCmd(t, nil, "outbox", "--config", cfg, "--drop-channel", "ok"); !strings.Contains(out, "dropped 1") {
		t.Errorf("drop channel named without its #: %q", out)
	}
	if out := runCmd(t, nil, "outbox", "--config", cfg); !strings.Contains(out, "no Slack notifications pending") {
		t.Errorf("after dropping everything: %q", out)
	}
}

func TestDemoStartsFreshButSparesOtherFiles(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "radar.db")
	if err := freshDemoDB(db); err != nil { // nothing there yet
		t.Fatal(err)
	}
	os.WriteFile(db, []byte("an earlier demo's data"), 0o600)
	os.WriteFile(db+"-wal", []byte("wal"), 0o600)
	if err := freshDemoDB(db); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{db, db + "-wal"} {
		if _, err := os.Stat(f); err == nil {
			t.Errorf("%s of the earlier demo survived", f)
		}
	}
	// A database another Radar holds is left alone.
	os.WriteFile(db, []byte("a running demo's data"), 0o600)
	held, err := store.TryLockPath(db, store.LockServe)
	if err != nil {
		t.Fatal(err)
	}
	if err := freshDemoDB(db); err == nil || !strings.Contains(err.Error(), "in use by another radar") {
		t.Errorf("freshDemoDB on a database in use: %v", err)
	}
	if _, err := os.Stat(db); err != nil {
		t.Errorf("a database in use was removed")
	}
	held.Unlock()

	mine := filepath.Join(dir, "prod.db")
	os.WriteFile(mine, []byte("precious"), 0o600)
	if err := freshDemoDB(mine); err == nil || !strings.Contains(err.Error(), "not made by radar demo") {
		t.Errorf("freshDemoDB on a foreign file: %v", err)
	}
	if b, _ := os.ReadFile(mine); string(b) != "precious" {
		t.Errorf("a foreign database was touched")
	}
}

// TestOutboxInFlightBesideServe: a message in flight while radar serve runs
// is being sent by it, not left behind by a sender that stopped.
func TestOutboxInFlightBesideServe(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "radar.db")
	cfg := filepath.Join(dir, "radar.yaml")
	os.WriteFile(cfg, []byte("store:\n  path: "+db+"\n"), 0o600)
	ctx := context.Background()
	st, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.EnqueueSlack(ctx, "r", []store.OutboxMessage{{Key: "a", Route: "r", Channel: "#pay", Op: store.OpPost, Payload: []byte(`{}`)}}, nil); err != nil {
		t.Fatal(err)
	}
	pending, _ := st.PendingOutbox(ctx)
	if err := st.MarkOutboxInFlight(ctx, pending[0].ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	st.Close()
	if out := runCmd(t, nil, "outbox", "--config", cfg); !strings.Contains(out, "when the last sender stopped") {
		t.Errorf("in flight with no serve running: %q", out)
	}
	lock, err := store.TryLockPath(db, store.LockServe)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Unlock()
	if out := runCmd(t, nil, "outbox", "--config", cfg); strings.Contains(out, "stopped") || !strings.Contains(out, "being sent by the radar serve") {
		t.Errorf("in flight while serve runs: %q", out)
	}
}
