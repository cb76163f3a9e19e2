-- Core schema: what the connector syncs from Jira.
-- Conventions: times are INTEGER Unix milliseconds UTC, NULL when unset;
-- dates (due, start, release) are INTEGER Unix ms of 00:00 UTC that day;
-- durations are INTEGER seconds, NULL when unset; lists are JSON arrays.

CREATE TABLE issues (
    id                 TEXT PRIMARY KEY,     -- Jira's numeric id: stable across moves
    key                TEXT NOT NULL,        -- current key, e.g. PAY-12
    project            TEXT NOT NULL,        -- current project key
    scope              TEXT NOT NULL,        -- the sync scope that holds it (a project key)
    type               TEXT NOT NULL DEFAULT '',
    subtask            INTEGER NOT NULL DEFAULT 0,
    summary            TEXT NOT NULL DEFAULT '',
    status             TEXT NOT NULL DEFAULT '',
    status_id          TEXT NOT NULL DEFAULT '',
    status_category    TEXT NOT NULL DEFAULT '', -- new | indeterminate | done
    priority           TEXT NOT NULL DEFAULT '',
    assignee_id        TEXT NOT NULL DEFAULT '',
    assignee_name      TEXT NOT NULL DEFAULT '',
    assignee_email     TEXT NOT NULL DEFAULT '',
    created            INTEGER,
    updated            INTEGER,
    resolved           INTEGER,
    due                INTEGER,
    start_date         INTEGER,
    story_points       REAL,
    original_estimate  INTEGER,
    remaining_estimate INTEGER,
    time_spent         INTEGER,
    parent_key         TEXT NOT NULL DEFAULT '', -- parent of a sub-task
    epic_key           TEXT NOT NULL DEFAULT '', -- epic of a standard issue
    labels             TEXT NOT NULL DEFAULT '[]',
    components         TEXT NOT NULL DEFAULT '[]',
    fix_versions       TEXT NOT NULL DEFAULT '[]', -- version ids
    flagged            INTEGER NOT NULL DEFAULT 0,
    synced_at          INTEGER NOT NULL,
    removed_at         INTEGER               -- set when reconciliation found it gone from the scope
);
CREATE INDEX issues_key ON issues(key);
CREATE INDEX issues_scope ON issues(scope, removed_at);

-- Dependency links normalised to blocker -> blocked. One Jira link shows on
-- both issues with the same id: it is stored once. Keys and ids of issues
-- outside the scope are kept as Jira reported them.
CREATE TABLE links (
    id          TEXT PRIMARY KEY,  -- Jira's issue link id
    type        TEXT NOT NULL,     -- link type name
    blocker_id  TEXT NOT NULL,
    blocker_key TEXT NOT NULL,
    blocked_id  TEXT NOT NULL,
    blocked_key TEXT NOT NULL
);
CREATE INDEX links_blocker ON links(blocker_id);
CREATE INDEX links_blocked ON links(blocked_id);

-- Which synced issue reported which link; a link no issue reports any more is gone.
CREATE TABLE issue_links (
    issue_id TEXT NOT NULL,
    link_id  TEXT NOT NULL,
    PRIMARY KEY (issue_id, link_id)
) WITHOUT ROWID;
CREATE INDEX issue_links_link ON issue_links(link_id);

-- The full changelog, one row per changed field.
CREATE TABLE changelog (
    issue_id    TEXT NOT NULL,
    history_id  TEXT NOT NULL,
    seq         INTEGER NOT NULL,  -- item index within the history entry
    author      TEXT NOT NULL DEFAULT '',
    created     INTEGER NOT NULL,
    field       TEXT NOT NULL,
    field_id    TEXT NOT NULL DEFAULT '',
    from_value  TEXT NOT NULL DEFAULT '',
    from_string TEXT NOT NULL DEFAULT '',
    to_value    TEXT NOT NULL DEFAULT '',
    to_string   TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (issue_id, history_id, seq)
) WITHOUT ROWID;

CREATE TABLE sprints (
    id       INTEGER PRIMARY KEY,
    name     TEXT NOT NULL DEFAULT '',
    state    TEXT NOT NULL DEFAULT '', -- future | active | closed
    board_id INTEGER NOT NULL DEFAULT 0,
    goal     TEXT NOT NULL DEFAULT '',
    start    INTEGER,
    end      INTEGER,
    complete INTEGER
);

CREATE TABLE issue_sprints (
    issue_id  TEXT NOT NULL,
    sprint_id INTEGER NOT NULL,
    PRIMARY KEY (issue_id, sprint_id)
) WITHOUT ROWID;

CREATE TABLE versions (
    id           TEXT PRIMARY KEY,
    project      TEXT NOT NULL,
    name         TEXT NOT NULL,
    released     INTEGER NOT NULL DEFAULT 0,
    archived     INTEGER NOT NULL DEFAULT 0,
    release_date INTEGER,
    start_date   INTEGER,
    removed_at   INTEGER
);

-- Each version's release date as seen by each sync where it changed (Jira keeps no history).
CREATE TABLE version_dates (
    version_id   TEXT NOT NULL,
    observed_at  INTEGER NOT NULL,
    release_date INTEGER,
    PRIMARY KEY (version_id, observed_at)
) WITHOUT ROWID;

CREATE TABLE statuses (
    id       TEXT PRIMARY KEY,
    name     TEXT NOT NULL,
    category TEXT NOT NULL
);

CREATE TABLE sync_runs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at  INTEGER NOT NULL,
    finished_at INTEGER,
    mode        TEXT NOT NULL,     -- full | incremental
    issues      INTEGER NOT NULL DEFAULT 0,
    links       INTEGER NOT NULL DEFAULT 0,
    changes     INTEGER NOT NULL DEFAULT 0,
    removed     INTEGER NOT NULL DEFAULT 0,
    requests    INTEGER NOT NULL DEFAULT 0,
    retries     INTEGER NOT NULL DEFAULT 0,
    error       TEXT               -- NULL on success
);

-- One watermark per scope: everything updated before synced_until (by Jira's
-- clock, as reported in issues' updated field) has landed. Written in the same
-- transaction as the data it covers.
CREATE TABLE watermarks (
    scope         TEXT PRIMARY KEY,
    synced_until  INTEGER NOT NULL,
    reconciled_at INTEGER
);
