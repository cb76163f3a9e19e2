-- Slack alerting state: the outbox of notifications, the thread each finding
-- has in each route, the email -> Slack user cache and the last digest per
-- route. A route is named by a stable key the alerter derives from its
-- channel and audience, so reordering routes in the config keeps threads.

-- Every notification is recorded here before it is sent and marked sent with
-- Slack's ts after; nothing is ever deleted by the sender, so a restart
-- resumes where it stopped and a permanent error keeps the row pending.
CREATE TABLE slack_outbox (
    id          INTEGER PRIMARY KEY AUTOINCREMENT, -- send order
    key         TEXT NOT NULL UNIQUE,  -- idempotency key: route, finding id, transition, run
    route       TEXT NOT NULL,
    channel     TEXT NOT NULL,
    op          TEXT NOT NULL,         -- parent | post | reply | update
    finding_id  TEXT NOT NULL DEFAULT '', -- the thread a parent, reply or update belongs to
    payload     TEXT NOT NULL,         -- JSON {text, blocks}
    created_at  INTEGER NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT NOT NULL DEFAULT '',
    sent_at     INTEGER,               -- NULL while pending
    ts          TEXT NOT NULL DEFAULT '' -- Slack's message ts ('' for webhooks and skipped updates)
);
CREATE INDEX slack_outbox_pending ON slack_outbox(sent_at, id);
CREATE INDEX slack_outbox_route ON slack_outbox(route);

-- One row per finding a route has reported: where its thread is and what the
-- channel was last told about it.
CREATE TABLE slack_threads (
    route           TEXT NOT NULL,
    finding_id      TEXT NOT NULL,
    channel         TEXT NOT NULL,
    parent_ts       TEXT NOT NULL DEFAULT '', -- '' until its own message is sent
    parent_channel  TEXT NOT NULL DEFAULT '', -- channel id Slack answered for the parent (chat.update needs the id)
    in_summary      INTEGER NOT NULL DEFAULT 0, -- first reported in a backlog summary
    kind            TEXT NOT NULL DEFAULT '',
    issue           TEXT NOT NULL DEFAULT '', -- the finding's subject (issue key, version...)
    severity        TEXT NOT NULL DEFAULT '', -- last severity the channel was told
    open            INTEGER NOT NULL DEFAULT 1,
    last_transition TEXT NOT NULL DEFAULT '',
    first_at        INTEGER NOT NULL,
    changed_at      INTEGER NOT NULL,
    PRIMARY KEY (route, finding_id)
) WITHOUT ROWID;

-- users.lookupByEmail answers; user_id '' records "not found".
CREATE TABLE slack_users (
    email      TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL,
    looked_up  INTEGER NOT NULL
) WITHOUT ROWID;

-- Routes that have planned a delivery: a route's first run sends a summary.
CREATE TABLE slack_routes (
    route      TEXT PRIMARY KEY,
    first_run  INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE slack_digests (
    route   TEXT PRIMARY KEY,
    sent_at INTEGER NOT NULL
) WITHOUT ROWID;
