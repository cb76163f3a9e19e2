package slacksim

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// ResponseURLPath prefixes the response_url of the interactions the
// server builds: posts there are recorded as Responses.
const ResponseURLPath = "/actions/T000/"

// Response is one post to an interaction's response_url.
type Response struct {
	Path            string
	Text            string
	ResponseType    string // "ephemeral" or "in_channel"
	ReplaceOriginal bool
}

// Responses returns the posts to response_urls, oldest first.
func (s *Server) Responses() []Response {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Response(nil), s.responses...)
}

// response answers a post to a response_url as Slack does: "ok" in plain
// text, or 400 for a body that is not a JSON message.
func (s *Server) response(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Text            string `json:"text"`
		ResponseType    string `json:"response_type"`
		ReplaceOriginal bool   `json:"replace_original"`
	}
	if r.Method != http.MethodPost || json.NewDecoder(r.Body).Decode(&body) != nil || body.Text == "" {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, "invalid_payload")
		return
	}
	s.mu.Lock()
	s.responses = append(s.responses, Response{Path: r.URL.Path, Text: body.Text, ResponseType: body.ResponseType, ReplaceOriginal: body.ReplaceOriginal})
	s.mu.Unlock()
	fmt.Fprint(w, "ok")
}

// Click is a person clicking a button on a message.
type Click struct {
	Message  Message // the message the button is on
	User     User
	ActionID string
	BlockID  string
	Value    string
	// BaseURL is where the server listens; the response_url points there.
	BaseURL string
}

// BlockActions returns the form body Slack posts to an app's interactivity
// Request URL for a click: application/x-www-form-urlencoded with one
// field, payload, holding the block_actions JSON.
func BlockActions(c Click, at time.Time) []byte {
	actionTS := fmt.Sprintf("%d.%06d", at.Unix(), at.Nanosecond()/1000)
	channel := c.Message.ChannelID
	msg := map[string]any{"type": "message", "user": "U000RADAR", "bot_id": "B000", "text": c.Message.CurrentText, "ts": c.Message.TS}
	if c.Message.CurrentText == "" {
		msg["text"] = c.Message.Text
	}
	if c.Message.Blocks != nil {
		msg["blocks"] = c.Message.Blocks
	}
	payload := map[string]any{
		"type":                  "block_actions",
		"user":                  map[string]any{"id": c.User.ID, "username": c.User.Name, "name": c.User.Name, "team_id": "T000"},
		"api_app_id":            "A000RADAR",
		"token":                 "deprecated-verification-token",
		"container":             map[string]any{"type": "message", "message_ts": c.Message.TS, "channel_id": channel, "is_ephemeral": false},
		"trigger_id":            "1000." + strconv.FormatInt(at.UnixNano(), 10),
		"team":                  map[string]any{"id": "T000", "domain": "sim"},
		"enterprise":            nil,
		"is_enterprise_install": false,
		"channel":               map[string]any{"id": channel, "name": "channel"},
		"message":               msg,
		"state":                 map[string]any{"values": map[string]any{}},
		"response_url":          c.BaseURL + ResponseURLPath + "1000/" + strconv.FormatInt(at.UnixNano(), 36),
		"actions": []map[string]any{{
			"action_id": c.ActionID, "block_id": c.BlockID, "type": "button", "value": c.Value, "action_ts": actionTS,
			"text": map[string]any{"type": "plain_text", "text": c.ActionID, "emoji": true},
		}},
	}
	b, err := json.Marshal(payload)
	if err != nil {
		panic(err) // maps of strings always marshal
	}
	return []byte(url.Values{"payload": {string(b)}}.Encode())
}

// Sign returns the headers Slack sends with a request body at time ts:
// X-Slack-Request-Timestamp and X-Slack-Signature, "v0=" and the hex
// HMAC-SHA256 of "v0:{timestamp}:{body}" keyed by the app's signing secret.
func Sign(secret string, ts time.Time, body []byte) http.Header {
	stamp := strconv.FormatInt(ts.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("v0:" + stamp + ":"))
	mac.Write(body)
	h := http.Header{}
	h.Set("Content-Type", "application/x-www-form-urlencoded")
	h.Set("X-Slack-Request-Timestamp", stamp)
	h.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	return h
}
