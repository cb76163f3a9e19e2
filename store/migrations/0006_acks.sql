-- What people said about findings (the risk register), and the Slack
-- requests already acted on. Conventions as in 0001: times are Unix
-- milliseconds, NULL when unset.

-- One row per finding someone acknowledged, snoozed or dismissed. The row
-- goes when the finding resolves: a finding that comes back is news again.
CREATE TABLE finding_acks (
    finding_id   TEXT PRIMARY KEY,
    state        TEXT NOT NULL,          -- acknowledged | snoozed | dismissed
    by_name      TEXT NOT NULL,
    slack_user   TEXT NOT NULL DEFAULT '', -- Slack user id when acted on from Slack
    at           INTEGER NOT NULL,
    until        INTEGER,                -- end of a timed snooze
    until_worse  INTEGER NOT NULL DEFAULT 0, -- snoozed until it gets worse
    note         TEXT NOT NULL DEFAULT '',
    kind         TEXT NOT NULL,          -- the finding's kind, severity and blast radius when acknowledged
    severity     TEXT NOT NULL,          -- or last re-alerted: escalation is measured from them
    blast_radius INTEGER NOT NULL DEFAULT 0,
    reminded_at  INTEGER                 -- when its owner was reminded it is still open
);

-- Signatures of Slack interaction requests already acted on, kept for a
-- little longer than the 5 minutes a request's timestamp is accepted: a
-- replayed request is refused.
CREATE TABLE slack_requests_seen (
    signature TEXT PRIMARY KEY,
    seen_at   INTEGER NOT NULL
);

-- What each status report saw (release scopes, forecasts, blockers,
-- throughput), as JSON, so the next report can say what changed since and
-- why forecasts moved. scope names the report's project ('' for all).
CREATE TABLE status_reports (
    scope TEXT NOT NULL,
    at    INTEGER NOT NULL,
    body  TEXT NOT NULL,
    PRIMARY KEY (scope, at)
);
