package service

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/radarhq/radar/config"
	"github.com/radarhq/radar/metrics"
	"github.com/radarhq/radar/store"
)

// maxHealthError bounds how much of a dependency's last error /readyz shows.
const maxHealthError = 300

// dependencyHealth is what the service knows of one dependency: Jira (the
// last sync) or Slack (whether it answered and took the credentials at the
// last delivery; see recordSlack).
type dependencyHealth struct {
	lastSuccess  time.Time // zero when none is known
	lastAttempt  time.Time // zero before the first exchange since start
	failingSince time.Time // zero while the last exchange succeeded
	lastErr      string    // the last failure's error, one line, secrets removed
}

// analysisHealth is whether the analysis (load the synced data, analyse,
// record the findings) worked the last time it ran.
type analysisHealth struct {
	failingSince time.Time // zero while the last analysis succeeded
	lastErr      string    // the last failure's error, one line, secrets removed
	damaged      bool      // the last failure was a damaged database file
}

// recordAnalysis notes the outcome of an analysis that ended at at, and
// counts a failure in radar_analysis_failures_total.
func (s *Service) recordAnalysis(at time.Time, err error) {
	s.mu.Lock()
	if err == nil {
		s.analysis = analysisHealth{}
	} else {
		if s.analysis.failingSince.IsZero() {
			s.analysis.failingSince = at
		}
		s.analysis.lastErr, s.analysis.damaged = s.scrub(err.Error()), store.IsDamaged(err)
	}
	s.mu.Unlock()
	if err != nil {
		s.metrics.AnalysisFailed()
	}
}

// problem says why there are no fresh findings to serve, or "" when the
// last analysis worked.
func (a analysisHealth) problem() string {
	if a.failingSince.IsZero() {
		return ""
	}
	msg := fmt.Sprintf("analysis failing since %s (last error: %s)", stamp(a.failingSince), a.lastErr)
	if a.damaged {
		msg += "; " + store.DamagedHint
	}
	return msg
}

// recordDependency notes the outcome of an exchange with dependency (one of
// metrics.DependencyJira, metrics.DependencySlack) that ended at at, and
// updates the metrics.
func (s *Service) recordDependency(dependency string, at time.Time, err error) {
	s.mu.Lock()
	h := s.health[dependency]
	if h == nil {
		h = &dependencyHealth{}
		s.health[dependency] = h
	}
	h.lastAttempt = at
	if err == nil {
		h.lastSuccess, h.failingSince, h.lastErr = at, time.Time{}, ""
	} else {
		if h.failingSince.IsZero() {
			h.failingSince = at
		}
		h.lastErr = s.scrub(err.Error())
	}
	s.mu.Unlock()
	s.metrics.DependencyResult(dependency, at, err)
}

// scrub keeps an error fit for /readyz: one line, bounded, and without any
// configured secret in any of the forms a server might echo it in (plain,
// URL-escaped, base64, and Jira's basic-auth header). Errors are redacted
// where they are made; this is the belt to those braces.
func (s *Service) scrub(msg string) string {
	secrets := []string{string(s.cfg.Jira.Token), string(s.cfg.Slack.Token), string(s.cfg.Slack.WebhookURL), string(s.cfg.HTTP.Token)}
	if s.cfg.Jira.Email != "" && s.cfg.Jira.Token != "" {
		secrets = append(secrets, s.cfg.Jira.Email+":"+string(s.cfg.Jira.Token))
	}
	msg = config.RedactSecrets(msg, secrets...)
	msg = strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return ' '
		}
		return r
	}, msg)
	if r := []rune(msg); len(r) > maxHealthError {
		msg = string(r[:maxHealthError-1]) + "…"
	}
	return msg
}

// readiness is the /readyz answer: ready (the data is fresh enough to
// serve) and the body, one line for the verdict and one per dependency.
func (s *Service) readiness(ctx context.Context) (bool, string) {
	now := s.now()
	s.mu.RLock()
	last := s.lastSync
	jira := copyHealth(s.health[metrics.DependencyJira])
	slack := copyHealth(s.health[metrics.DependencySlack])
	analysisProblem := s.analysis.problem()
	s.mu.RUnlock()

	var b strings.Builder
	ready := false
	switch {
	case analysisProblem != "":
		b.WriteString("not ready: " + analysisProblem + "\n")
	case last.IsZero():
		b.WriteString("not ready: no successful sync yet\n")
	case now.Sub(last) > s.cfg.HTTP.ReadyMaxAge:
		fmt.Fprintf(&b, "not ready: last successful sync at %s is older than http.ready_max_age (%s)\n", stamp(last), s.cfg.HTTP.ReadyMaxAge)
	default:
		ready = true
		var degraded []string
		if !jira.failingSince.IsZero() {
			degraded = append(degraded, "jira is failing, so findings are from the last successful sync at "+stamp(last))
		}
		if s.alerter != nil && !slack.failingSince.IsZero() {
			degraded = append(degraded, "slack is failing, so alerts wait in the outbox until it answers")
		}
		if len(degraded) == 0 {
			b.WriteString("ready\n")
		} else {
			b.WriteString("ready, degraded: " + strings.Join(degraded, "; ") + "\n")
		}
	}

	b.WriteString("jira: " + describe(jira, "sync") + "\n")
	if s.alerter == nil {
		b.WriteString("slack: " + s.slackOff + "\n")
		return ready, b.String()
	}
	line := "slack: " + describe(slack, "delivery")
	if n, err := s.store.PendingOutboxCount(ctx); err == nil {
		line += fmt.Sprintf("; %d notification(s) pending", n)
	}
	b.WriteString(line + "\n")
	return ready, b.String()
}

func copyHealth(h *dependencyHealth) dependencyHealth {
	if h == nil {
		return dependencyHealth{}
	}
	return *h
}

// describe renders one dependency's state: "ok (last sync …)", "failing
// since … (last error: …)", or that nothing was tried yet.
func describe(h dependencyHealth, what string) string {
	var s string
	switch {
	case h.lastAttempt.IsZero():
		s = "no " + what + " since start"
	case h.failingSince.IsZero():
		s = "ok"
	default:
		s = fmt.Sprintf("failing since %s (last error: %s)", stamp(h.failingSince), h.lastErr)
	}
	if !h.lastSuccess.IsZero() {
		s += "; last successful " + what + " " + stamp(h.lastSuccess)
	}
	return s
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }
