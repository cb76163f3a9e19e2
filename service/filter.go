package service

import (
	"net/url"

	"github.com/radarhq/radar"
)

// FilterFromQuery builds a findings filter from an API query string:
// project, kind, severity (the minimum) and state (unowned, acknowledged,
// snoozed, dismissed), each repeated or comma-separated, read by radar.ParseFindingFilter as radar analyze's
// flags and the web UI's /findings are. Its errors name the parameter and
// do not echo the value (it might be anything a client sent).
func FilterFromQuery(q url.Values) (radar.FindingFilter, error) {
	return radar.ParseFindingFilter(radar.FilterQuery(q), func(field, _ string) string { return "?" + field + "=" })
}
