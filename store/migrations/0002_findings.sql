-- Findings history: what each analysis run found, so alerters can tell new,
-- escalated, unchanged and resolved findings apart. Conventions as in 0001.

-- One row per finding id ever seen, holding its latest state.
CREATE TABLE findings (
    id             TEXT PRIMARY KEY,  -- stable: same subject, same id across runs
    kind           TEXT NOT NULL,
    severity       TEXT NOT NULL,     -- info | warning | critical
    project        TEXT NOT NULL DEFAULT '',
    issue          TEXT NOT NULL DEFAULT '', -- issue key, or version/sprint/assignee subject
    title          TEXT NOT NULL DEFAULT '',
    detail         TEXT NOT NULL DEFAULT '',
    evidence       TEXT NOT NULL DEFAULT '{}', -- JSON object
    first_seen     INTEGER NOT NULL,
    last_seen      INTEGER NOT NULL,
    resolved_at    INTEGER,           -- NULL while open
    times_reopened INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX findings_open ON findings(resolved_at);

-- Every transition other than "unchanged", for digests ("what changed since").
CREATE TABLE finding_events (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    finding_id    TEXT NOT NULL REFERENCES findings(id),
    at            INTEGER NOT NULL,
    transition    TEXT NOT NULL,      -- new | escalated | deescalated | resolved | reopened
    severity      TEXT NOT NULL,
    prev_severity TEXT NOT NULL DEFAULT ''
);
CREATE INDEX finding_events_at ON finding_events(at);

-- One row per recorded analysis run.
CREATE TABLE analysis_runs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          INTEGER NOT NULL,  -- the analysis clock of the run
    recorded_at INTEGER NOT NULL,  -- the store's clock when it was recorded
    findings    INTEGER NOT NULL DEFAULT 0,
    changes     INTEGER NOT NULL DEFAULT 0  -- transitions other than unchanged
);
