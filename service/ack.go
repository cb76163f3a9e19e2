package service

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/radarhq/radar"
	"github.com/radarhq/radar/store"
)

// serveAck records an action on a finding from the JSON body (a
// radar.AckRequest: snooze, until_worse, dismiss, by, note) and answers
// the finding's ack. The finding's Slack messages are updated after
// answering.
func (s *Service) serveAck(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	var req radar.AckRequest
	if err := dec.Decode(&req); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, `body: `+err.Error()+`; send JSON such as {"by": "ada", "snooze": "1w", "note": "waiting on the vendor"}`, http.StatusBadRequest)
		return
	}
	ack, err := req.Ack(s.now())
	if err != nil {
		http.Error(w, strings.ReplaceAll(err.Error(), "\n", "; "), http.StatusBadRequest)
		return
	}
	k, err := s.store.PutAck(r.Context(), id, ack)
	switch {
	case errors.Is(err, store.ErrUnknownFinding):
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	case errors.Is(err, store.ErrFindingResolved):
		http.Error(w, err.Error(), http.StatusConflict)
		return
	case err != nil:
		s.log.Error("record ack", "component", "service", "finding", id, "err", err)
		http.Error(w, "database unavailable; try again", http.StatusServiceUnavailable)
		return
	}
	s.log.Info("finding acted on through the API", "component", "service", "finding", id, "state", ack.State, "by", ack.By)
	s.updateUnowned(r.Context())
	if s.alerter != nil {
		s.alerter.TellAckLater(k)
	}
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(struct {
		Finding string    `json:"finding"`
		Ack     radar.Ack `json:"ack"`
	}{id, *k.Finding.Ack})
}

// updateUnowned sets radar_findings_unowned from the latest analysis and
// the acks recorded now.
func (s *Service) updateUnowned(ctx context.Context) {
	r := s.latestReport()
	if r == nil {
		return
	}
	fs, err := s.store.AttachAcks(ctx, r.Findings)
	if err != nil {
		s.log.Error("read acks for metrics", "component", "service", "err", err)
		return
	}
	s.metrics.SetUnowned(fs)
}

// slackInteractions is the handler of POST /slack/interactions: the
// alerter's when a bot token and signing secret are set, else an answer
// saying what to set.
func (s *Service) slackInteractions() http.Handler {
	if s.alerter != nil {
		if h, err := s.alerter.Interactions(s.updateUnowned); err == nil {
			return h
		}
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "Slack interactivity is off: set slack.token and slack.signing_secret (or RADAR_SLACK_SIGNING_SECRET)", http.StatusNotFound)
	})
}

// WaitActions waits for the Slack updates started after answering an
// action (a click or POST /api/findings/{id}/ack) to end.
func (s *Service) WaitActions() {
	if s.alerter != nil {
		s.alerter.Wait()
	}
}
