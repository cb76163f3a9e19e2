-- Sends whose outcome is unknown. Conventions as in 0001.

-- inflight_at is written, in its own commit, right before the Slack call
-- that posts the message, and cleared when the answer is known: set to
-- NULL with sent_at when Slack took it, or when Slack answered an error
-- (nothing was posted). A kill, a timeout or a dropped connection leaves it
-- set: the message may be in Slack already, so before posting it again the
-- sender looks for it (its outbox key rides in the message's metadata) in
-- the channel's history from inflight_at on. Kept at the first unanswered
-- attempt, so the search covers every attempt since.
ALTER TABLE slack_outbox ADD COLUMN inflight_at INTEGER; -- NULL when no send is unanswered
