package alerts

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/radarhq/radar/store"
)

// lostSends finds messages whose send was cut off: posted, but Slack's
// answer never came (a kill, a timeout, a dropped connection, a 5xx). It
// owns what that needs, behind its own lock: the channel ids the reading
// methods take, when this process last sent each such message (it is left
// to settle that long before it is looked for), and how many lookups of
// each failed (to give up, and post again, after maxLookFails).
//
// A message is recognised by the outbox key in the metadata every post
// carries (metadataEventType). Webhooks cannot be read back: with one,
// api is nil and nothing is looked for.
type lostSends struct {
	api     *slack.Client
	now     func() time.Time
	log     *slog.Logger
	health  *health
	secrets redactor
	// settle is how long after an unanswered send its message is left alone
	// before it is looked for (and perhaps sent again): Slack may still be
	// processing the post, and its history may lag.
	settle time.Duration

	mu         sync.Mutex
	channelIDs map[string]string   // channel as configured (#name or id) -> id
	warned     map[string]bool     // lookup problems already logged, by code
	lastTry    map[int64]time.Time // outbox id -> this process's last unanswered send
	fails      map[int64]int       // outbox id -> failed lookups in this process
}

func newLostSends(api *slack.Client, now func() time.Time, log *slog.Logger, h *health, secrets redactor, settle time.Duration) *lostSends {
	return &lostSends{api: api, now: now, log: log, health: h, secrets: secrets, settle: settle,
		channelIDs: map[string]string{}, warned: map[string]bool{}, lastTry: map[int64]time.Time{}, fails: map[int64]int{}}
}

// metadataEventType names the metadata every posted message carries; its
// payload's "key" is the outbox key, so a message whose send was cut off
// can be recognised in the channel.
const metadataEventType = "radar_notification"

// lookBack widens a search for a message whose send was cut off on both
// sides of the unanswered attempts: room for a clock that differs from
// Slack's, and for a post Slack stamps late.
const lookBack = 15 * time.Minute

// lookPages bounds a search, at 200 messages a page.
const lookPages = 50

// After maxLookFails flushes whose lookups failed in a process, or once a
// message has been in flight for lookGiveUp, a message whose send was cut
// off is posted again without knowing whether Slack has it
// (at-least-once): a lookup that keeps failing must not hold its thread
// for ever. Each lookup episode (from the send whose answer never came)
// gives up at most once; a repost that goes unanswered starts a new one.
const (
	maxLookFails = 5
	lookGiveUp   = time.Hour
)

// lookCodes are lookup errors that leave nothing to do but post again:
// the app cannot read the channel.
var lookCodes = map[string]string{
	"missing_scope":     "add the channels:history scope (groups:history for private channels; channels:read and groups:read to find a channel by #name), reinstall the app and update the token",
	"no_permission":     "add the channels:history scope (groups:history for private channels), reinstall the app and update the token",
	"not_in_channel":    "invite the app to the channel (/invite @YourApp): it can post there but not read it",
	"channel_not_found": "set the route's channel to its id (C…): the app cannot find the channel by name",
	"thread_not_found":  "the thread's parent message is gone",
	"access_denied":     "the workspace does not let the app read the channel",
}

// lookupError is a failed request of a search for a message whose send was
// cut off. It holds only that message (and its thread), never the channel
// or the other channels, whatever the code.
type lookupError struct {
	method  string // conversations.history, conversations.replies or users.conversations
	channel string
	detail  string // the error, secrets removed
	err     error
	down    bool // Slack did not answer (set when the flush's retries are used up): the channel waits too
}

func (e *lookupError) Error() string {
	scope := "channels:history (groups:history for private channels)"
	if e.method == "users.conversations" {
		scope = "channels:read (groups:read for private channels)"
	}
	return fmt.Sprintf("look in %s for a message whose send was cut off: %s (needs the %s scope): %s; it is looked for again on the next flush, and posted again after %d failed lookups or %s in flight",
		e.channel, e.method, scope, e.detail, maxLookFails, lookGiveUp)
}

func (e *lookupError) Unwrap() error { return e.err }

// errSearchExhausted says a search read lookPages pages without reaching
// the start of its window: the message may be there, further back.
var errSearchExhausted = errors.New("search exhausted")

var errNotMember = errors.New("the app is not a member of the channel")

// settlingError says a message whose send went unanswered is left pending
// until its settle delay has passed.
type settlingError struct {
	channel, key string
	until        time.Time
	fresh        bool // a send went unanswered just now, rather than in an earlier flush
}

func (e *settlingError) Error() string {
	return fmt.Sprintf("send to %s: Slack did not answer; the message is looked for in Slack after %s, before it is sent again",
		e.channel, e.until.UTC().Format(time.RFC3339))
}

// unanswered records that a send of message id went unanswered now: it
// is left to settle, and searched for around this send.
func (l *lostSends) unanswered(id int64) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lastTry[id] = now
}

// leaveToSettle returns the *settlingError (fresh) that leaves m pending
// for the settle delay after the send that has just gone unanswered.
func (l *lostSends) leaveToSettle(m store.OutboxMessage) *settlingError {
	l.mu.Lock()
	defer l.mu.Unlock()
	return &settlingError{channel: m.Channel, key: m.Key, until: l.lastTry[m.ID].Add(l.settle), fresh: true}
}

// refused records that Slack answered a send of m with a refusal: nothing
// was posted, so this process has no unanswered send of m to wait for.
func (l *lostSends) refused(id int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.lastTry, id)
}

// forget drops what is remembered of a message now sent.
func (l *lostSends) forget(id int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.lastTry, id)
	delete(l.fails, id)
}

// newEpisode drops the failed lookups counted for a message about to be
// posted again: a new lookup episode begins with its send.
func (l *lostSends) newEpisode(id int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.fails, id)
}

// failures returns how many lookups of the message failed in this process.
func (l *lostSends) failures(id int64) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.fails[id]
}

// noteChannel remembers the id Slack answered for a channel given by name.
func (l *lostSends) noteChannel(channel, id string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.channelIDs[channel] = id
}

// forgetChannel drops a channel's remembered id, so the next lookup
// resolves its name again.
func (l *lostSends) forgetChannel(channel string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.channelIDs, channel)
}

// settling returns a *settlingError while m's last unanswered send in this
// process is more recent than the settle delay, nil once it may be looked
// for.
func (l *lostSends) settling(m store.OutboxMessage) error {
	l.mu.Lock()
	last, ok := l.lastTry[m.ID]
	l.mu.Unlock()
	if !ok || l.settle <= 0 {
		return nil
	}
	until := last.Add(l.settle)
	if !l.now().Before(until) {
		return nil
	}
	return &settlingError{channel: m.Channel, key: m.Key, until: until}
}

// giveUpLooking counts a flush whose lookup of m failed once its retries
// were used up (a rate limit not counted: it is waited out up to
// lookGiveUp) and reports whether to stop looking and post m again; if so
// it warns that m may show twice. It never gives up while Slack has
// answered nothing since m's episode began: that is an outage, which a
// repost cannot get through either, and when Slack answers again the lookup
// works. So a steady outage posts a message at most twice.
func (l *lostSends) giveUpLooking(m store.OutboxMessage, le *lookupError) bool {
	l.mu.Lock()
	if !rateLimited(le.err) {
		l.fails[m.ID]++
	}
	n := l.fails[m.ID]
	l.mu.Unlock()
	if n < maxLookFails && l.now().Sub(m.InFlightAt) < lookGiveUp {
		return false
	}
	if !l.health.answeredSince(m.InFlightAt) {
		return false
	}
	l.newEpisode(m.ID)
	l.log.Warn("cannot look in Slack for a notification whose send was cut off; posting it again, so it may show twice",
		"channel", m.Channel, "key", m.Key, "failed_lookups", n, "in_flight_since", m.InFlightAt, "err", le.detail)
	return true
}

// find looks in Slack for a message of m whose send was cut off and
// returns its channel id and ts, ts empty when it is not there. An error
// is the lookup's own failure (a *lookupError), to be retried; a channel
// the app cannot read, or a search that ran out of pages, is warned about
// and reported as not found, so the message is posted again
// (at-least-once).
func (l *lostSends) find(ctx context.Context, m store.OutboxMessage) (channelID, ts string, err error) {
	channelID, ts, err = l.lookFor(ctx, m)
	if errors.Is(err, errSearchExhausted) {
		l.log.Warn("searched Slack for a notification whose send was cut off without reaching the time it was sent; posting it again, so it may show twice",
			"channel", m.Channel, "key", m.Key, "pages", lookPages, "in_flight_since", m.InFlightAt)
		return "", "", nil
	}
	if err != nil {
		code := errorCode(err)
		hint, cannot := lookCodes[code]
		if errors.Is(err, errNotMember) {
			code, hint, cannot = "not_in_channel", lookCodes["not_in_channel"], true
		}
		if !cannot {
			return "", "", err
		}
		l.mu.Lock()
		first := !l.warned[code]
		l.warned[code] = true
		l.mu.Unlock()
		if first {
			l.log.Warn("cannot look in Slack for a notification whose send was cut off; posting it again, so it may show twice",
				"channel", m.Channel, "key", m.Key, "code", code, "hint", hint)
		}
		return "", "", nil
	}
	if ts == "" {
		l.log.Info("notification whose send was cut off is not in Slack; posting it", "channel", m.Channel, "key", m.Key)
	}
	return channelID, ts, nil
}

// lookFor returns the channel id and ts of m's message in Slack, ts empty
// when no message carries m's key. A reply is looked for in its thread,
// or in the channel when the thread is gone: a reply whose parent was
// deleted is sent to the channel instead.
func (l *lostSends) lookFor(ctx context.Context, m store.OutboxMessage) (channelID, ts string, err error) {
	if m.Op == store.OpReply && m.ParentTS != "" {
		if channelID = m.ParentChannel; channelID == "" {
			if channelID, err = l.channelID(ctx, m.Channel); err != nil {
				return "", "", err
			}
		}
		ts, err = l.search(ctx, m, channelID, m.ParentTS)
		if errorCode(err) != "thread_not_found" {
			return channelID, ts, err
		}
		l.log.Info("the thread of a reply whose send was cut off is gone; looking for the reply in the channel", "channel", m.Channel, "key", m.Key)
	}
	if channelID, err = l.channelID(ctx, m.Channel); err != nil {
		return "", "", err
	}
	ts, err = l.search(ctx, m, channelID, "")
	return channelID, ts, err
}

// search pages through a channel's history (or, with parentTS, a thread)
// around m's unanswered sends for a message carrying m's key, and returns
// its ts, empty when none does. The window runs from lookBack before the
// first unanswered send to lookBack after the last one this process made
// (to now for a send an earlier process made).
func (l *lostSends) search(ctx context.Context, m store.OutboxMessage, channelID, parentTS string) (string, error) {
	oldest := slackTS(m.InFlightAt.Add(-lookBack))
	latest := ""
	l.mu.Lock()
	last, ok := l.lastTry[m.ID]
	l.mu.Unlock()
	if ok {
		if last.Before(m.InFlightAt) {
			last = m.InFlightAt
		}
		latest = slackTS(last.Add(lookBack))
	}
	method := "conversations.history"
	if parentTS != "" {
		method = "conversations.replies"
	}
	cursor := ""
	for page := 0; page < lookPages; page++ {
		var msgs []slack.Message
		var err error
		if parentTS != "" {
			msgs, _, cursor, err = l.api.GetConversationRepliesContext(ctx, &slack.GetConversationRepliesParameters{
				ChannelID: channelID, Timestamp: parentTS, Oldest: oldest, Latest: latest, Limit: 200, Cursor: cursor, IncludeAllMetadata: true})
		} else {
			var r *slack.GetConversationHistoryResponse
			r, err = l.api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{
				ChannelID: channelID, Oldest: oldest, Latest: latest, Limit: 200, Cursor: cursor, IncludeAllMetadata: true})
			if r != nil {
				msgs, cursor = r.Messages, r.ResponseMetaData.NextCursor
			}
		}
		l.health.observeLookup(err)
		if err != nil {
			return "", &lookupError{method: method, channel: m.Channel, detail: l.secrets.redact(err), err: err}
		}
		for _, msg := range msgs {
			if msg.Metadata.EventType == metadataEventType && msg.Metadata.EventPayload["key"] == m.Key {
				return msg.Timestamp, nil
			}
		}
		if cursor == "" {
			return "", nil
		}
	}
	return "", fmt.Errorf("look for %s in %s with %s: %d pages read: %w", m.Key, m.Channel, method, lookPages, errSearchExhausted)
}

// slackTS renders t as a Slack timestamp.
func slackTS(t time.Time) string {
	return fmt.Sprintf("%d.%06d", t.Unix(), t.Nanosecond()/1000)
}

// channelID returns the id of a channel given as an id or a #name: the
// reading methods take ids only. A name is resolved from an earlier post's
// answer, or else among the channels the app is a member of.
func (l *lostSends) channelID(ctx context.Context, channel string) (string, error) {
	l.mu.Lock()
	id := l.channelIDs[channel]
	l.mu.Unlock()
	if id != "" {
		return id, nil
	}
	if isChannelID(channel) {
		return channel, nil
	}
	name := strings.TrimPrefix(channel, "#")
	cursor := ""
	for page := 0; page < 100; page++ {
		chans, next, err := l.api.GetConversationsForUserContext(ctx, &slack.GetConversationsForUserParameters{
			Types: []string{"public_channel", "private_channel"}, ExcludeArchived: true, Limit: 200, Cursor: cursor})
		l.health.observeLookup(err)
		if err != nil {
			return "", &lookupError{method: "users.conversations", channel: channel, detail: l.secrets.redact(err), err: err}
		}
		found := ""
		l.mu.Lock()
		for _, c := range chans {
			l.channelIDs["#"+c.Name] = c.ID
			if c.Name == name && found == "" {
				found = c.ID
			}
		}
		l.mu.Unlock()
		if found != "" {
			return found, nil
		}
		if cursor = next; cursor == "" {
			break
		}
	}
	return "", fmt.Errorf("find channel %s: %w", channel, errNotMember)
}

// isChannelID reports whether ch looks like a Slack conversation id.
func isChannelID(ch string) bool {
	if len(ch) < 2 || (ch[0] != 'C' && ch[0] != 'G' && ch[0] != 'D') {
		return false
	}
	for _, r := range ch[1:] {
		if (r < 'A' || r > 'Z') && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}
