package alerts

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/radarhq/radar"
	"github.com/radarhq/radar/store"
)

// MaxInteractionBytes caps a Slack interaction request's body: the
// payload carries the clicked message, well under this.
const MaxInteractionBytes = 256 << 10

// maxRequestAge is how far a request's X-Slack-Request-Timestamp may be
// from now, either way.
const maxRequestAge = 5 * time.Minute

// errNoSigningSecret says why Slack's buttons cannot be verified.
var errNoSigningSecret = errors.New("slack.signing_secret: not set; copy the Signing Secret from your Slack app's Basic Information page into RADAR_SLACK_SIGNING_SECRET or slack.signing_secret_file")

// Errors a Slack request is refused with (401).
var (
	errStaleRequest  = errors.New("X-Slack-Request-Timestamp missing or more than 5 minutes from now")
	errBadSignature  = errors.New("X-Slack-Signature does not match the body signed with slack.signing_secret")
	errReplayRequest = errors.New("request already handled (replayed)")
)

// Interactions returns the handler of POST /slack/interactions, where
// Slack sends button clicks; an error when no signing secret is set.
// recorded, when not nil, runs after each click's action is recorded (the
// service refreshes its risk-register metric there).
func (a *Alerter) Interactions(recorded func(context.Context)) (http.Handler, error) {
	if a.signingSecret == "" {
		return nil, errNoSigningSecret
	}
	if a.api == nil {
		return nil, errors.New("slack.signing_secret: buttons need a bot token (slack.token) to update messages")
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { a.serveInteraction(w, r, recorded) }), nil
}

// verifySlackRequest checks a request's timestamp and signature: v0= and
// the hex HMAC-SHA256 of "v0:timestamp:body" keyed by the signing secret,
// compared in constant time.
func verifySlackRequest(secret string, h http.Header, body []byte, now time.Time) error {
	raw := h.Get("X-Slack-Request-Timestamp")
	ts, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		return errStaleRequest
	}
	if d := now.Sub(time.Unix(ts, 0)); d > maxRequestAge || d < -maxRequestAge {
		return errStaleRequest
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("v0:" + raw + ":"))
	mac.Write(body)
	want := "v0=" + hex.EncodeToString(mac.Sum(nil))
	if !hmac.Equal([]byte(h.Get("X-Slack-Signature")), []byte(want)) {
		return errBadSignature
	}
	return nil
}

// serveInteraction verifies a Slack request, answers at once, and acts on
// the click after answering (Slack waits 3 seconds at most).
func (a *Alerter) serveInteraction(w http.ResponseWriter, r *http.Request, recorded func(context.Context)) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxInteractionBytes))
	if err != nil {
		http.Error(w, "request body too large or cut off", http.StatusRequestEntityTooLarge)
		return
	}
	now := a.now()
	if err := verifySlackRequest(a.signingSecret, r.Header, body, now); err != nil {
		a.log.Warn("refused a Slack interaction request", "reason", err.Error(), "remote", r.RemoteAddr)
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	replay, err := a.st.SeenSlackRequest(r.Context(), r.Header.Get("X-Slack-Signature"), now)
	if err != nil {
		a.log.Error("record a Slack interaction request", "err", err)
		http.Error(w, "database unavailable; try again", http.StatusServiceUnavailable)
		return
	}
	if replay {
		a.log.Warn("refused a Slack interaction request", "reason", errReplayRequest.Error(), "remote", r.RemoteAddr)
		http.Error(w, errReplayRequest.Error(), http.StatusUnauthorized)
		return
	}
	form, err := url.ParseQuery(string(body))
	var cb slack.InteractionCallback
	if err == nil {
		err = json.Unmarshal([]byte(form.Get("payload")), &cb)
	}
	if err != nil {
		http.Error(w, "body must be application/x-www-form-urlencoded with a JSON payload field", http.StatusBadRequest)
		return
	}
	w.WriteHeader(http.StatusOK)
	if cb.Type != slack.InteractionTypeBlockActions {
		return // nothing Radar sent asks for other interactions
	}
	a.background.Add(1)
	go func() {
		defer a.background.Done()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		if a.act(ctx, cb) && recorded != nil {
			recorded(ctx)
		}
	}()
}

// act carries out the buttons clicked in one interaction, and reports
// whether it recorded any.
func (a *Alerter) act(ctx context.Context, cb slack.InteractionCallback) (recorded bool) {
	for _, act := range cb.ActionCallback.BlockActions {
		req, ok := ackRequests[act.ActionID]
		if !ok {
			continue
		}
		req.By = cb.User.Name
		if req.By == "" {
			req.By = cb.User.ID
		}
		ack, err := req.Ack(a.now())
		if err == nil {
			ack.SlackUser = cb.User.ID
			if a.repeated(ctx, act.Value, ack) {
				a.log.Info("the same click again within a minute; already done", "finding", act.Value, "state", ack.State)
				continue
			}
			var k store.KnownFinding
			if k, err = a.st.PutAck(ctx, act.Value, ack); err == nil {
				recorded = true
				a.log.Info("finding acted on from Slack", "finding", act.Value, "state", ack.State, "by", ack.By)
				if err := a.TellAck(ctx, k); err != nil {
					a.log.Error("update the finding's Slack messages after a click", "finding", act.Value, "err", err)
				}
				continue
			}
		}
		text := "Radar could not record that: " + Escape(err.Error())
		switch {
		case errors.Is(err, store.ErrUnknownFinding):
			text = "Thanks! Radar does not know this finding any more, so there is nothing to record; the message may be from an older Radar."
		case errors.Is(err, store.ErrFindingResolved):
			text = "Thanks! This finding is already resolved, so there is nothing left to acknowledge. 🎉"
		}
		a.log.Info("a Slack click could not be recorded", "finding", act.Value, "action", act.ActionID, "err", err)
		a.respond(ctx, cb.ResponseURL, text)
	}
	return recorded
}

// doubleClick is how soon the same person's same click counts as a
// repeat (a double click, or a click while the message was updating).
const doubleClick = time.Minute

// repeated reports whether ack repeats the finding's current ack: the
// same person, the same action, moments later. It is done already.
func (a *Alerter) repeated(ctx context.Context, findingID string, ack radar.Ack) bool {
	acks, err := a.st.Acks(ctx)
	if err != nil {
		return false // record it again: harmless
	}
	prev, ok := acks[findingID]
	return ok && prev.SlackUser == ack.SlackUser && prev.State == ack.State && prev.UntilWorse == ack.UntilWorse &&
		ack.At.Sub(prev.At) < doubleClick && ack.Until.Sub(prev.Until) < doubleClick
}

// respond posts an ephemeral answer, seen only by the person who clicked,
// to the interaction's response_url. The URL is a credential for the
// conversation and is never logged.
func (a *Alerter) respond(ctx context.Context, responseURL, text string) {
	u, err := url.Parse(responseURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		a.log.Warn("a Slack interaction came without a usable response_url; the clicker gets no answer")
		return
	}
	msg := &slack.WebhookMessage{Text: text, ResponseType: slack.ResponseTypeEphemeral}
	if err := slack.PostWebhookCustomHTTPContext(ctx, responseURL, a.client, msg); err != nil {
		a.log.Warn("answer a Slack click", "err", strings.ReplaceAll(a.redact(err), responseURL, "[response_url]"))
	}
}
