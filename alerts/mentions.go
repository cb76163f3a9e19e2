package alerts

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/radarhq/radar"
)

// How long cached users.lookupByEmail answers stay valid.
const (
	userFoundTTL    = 30 * 24 * time.Hour
	userNotFoundTTL = 24 * time.Hour
)

var slackUserIDRE = regexp.MustCompile(`^[UW][A-Z0-9]+$`)

// mentioner turns a finding's assignee into mrkdwn: a <@U…> mention when
// Slack knows the Jira email, else the escaped display name.
type mentioner struct {
	a      *Alerter
	online bool              // may call users.lookupByEmail
	memo   map[string]string // email -> user id ('' not found) for this run
	warned bool
}

func (a *Alerter) mentions(online bool) *mentioner {
	return &mentioner{a: a, online: online && a.api != nil, memo: map[string]string{}}
}

// owner returns the mrkdwn naming who owns the finding. Only store errors
// are returned; Slack trouble falls back to the display name.
func (m *mentioner) owner(ctx context.Context, f radar.Finding) (string, error) {
	name, email := f.Assignee()
	email = strings.ToLower(strings.TrimSpace(email))
	fallback := "_unassigned_"
	if name != "" {
		fallback = Escape(name)
	}
	if email == "" || m.a.api == nil {
		return fallback, nil
	}
	id, err := m.userID(ctx, email)
	if err != nil {
		return "", err
	}
	if id == "" {
		return fallback, nil
	}
	return "<@" + id + ">", nil
}

func (m *mentioner) userID(ctx context.Context, email string) (string, error) {
	if id, ok := m.memo[email]; ok {
		return id, nil
	}
	id, at, ok, err := m.a.st.SlackUser(ctx, email)
	if err != nil {
		return "", err
	}
	now := m.a.now()
	fresh := ok && ((id != "" && now.Sub(at) < userFoundTTL) || (id == "" && now.Sub(at) < userNotFoundTTL))
	if fresh || !m.online {
		m.memo[email] = id
		return id, nil
	}
	u, err := m.a.api.GetUserByEmailContext(ctx, email)
	var se slack.SlackErrorResponse
	switch {
	case err == nil && slackUserIDRE.MatchString(u.ID):
		id = u.ID
	case errors.As(err, &se) && se.Err == "users_not_found":
		id = ""
	case err != nil:
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		if !m.warned {
			m.warned = true
			m.a.log.Warn("slack user lookup failed; using display names", "err", m.a.redact(err),
				"hint", hintFor(errorCode(err), ""))
		}
		m.memo[email] = id // keep any stale answer for this run
		return id, nil
	}
	if err := m.a.st.PutSlackUser(ctx, email, id, now); err != nil {
		return "", err
	}
	m.memo[email] = id
	return id, nil
}
