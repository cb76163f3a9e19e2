package storetest

import (
	"net/http/httptest"
	"testing"

	"github.com/radarhq/radar/jirasim"
	"github.com/radarhq/radar/slacksim"
)

// ServeJira serves scenario sc from the Jira simulator on a loopback
// httptest server that closes when the test ends.
func ServeJira(tb testing.TB, sc *jirasim.Scenario, opts jirasim.Options) (*jirasim.Server, *httptest.Server) {
	tb.Helper()
	sim := jirasim.New(sc, opts)
	srv := httptest.NewServer(sim)
	tb.Cleanup(srv.Close)
	return sim, srv
}

// ServeSlack serves a fake Slack with the given channels on a loopback
// httptest server that closes when the test ends. Its Web API is at the
// server's URL + "/api/".
func ServeSlack(tb testing.TB, opts slacksim.Options, channels ...string) (*slacksim.Server, *httptest.Server) {
	tb.Helper()
	s := slacksim.New(opts)
	for _, ch := range channels {
		s.AddChannel(ch)
	}
	srv := httptest.NewServer(s)
	tb.Cleanup(srv.Close)
	return s, srv
}
