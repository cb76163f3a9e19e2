package alerts

import "github.com/radarhq/radar"

// route is one configured route, ready to match.
type route struct {
	index    int
	key      string // stable name in the store: channel and audience
	channel  string
	audience string
	minRank  int
	projects map[string]bool
	kinds    map[string]bool
	digest   string
	report   string // cron spec of the route's status report
}

// newRoute readies Settings.Routes[i]. A route without a channel (a
// webhook's) is kept under the name "webhook".
func newRoute(i int, rc Route) route {
	r := route{index: i, channel: rc.Channel, audience: rc.Audience, digest: rc.Digest, report: rc.Report,
		minRank: rc.MinSeverity.Rank(), projects: set(rc.Projects), kinds: set(rc.Kinds)}
	if r.channel == "" {
		r.channel = "webhook"
	}
	r.key = r.channel + "|" + r.audience
	return r
}

func set(xs []string) map[string]bool {
	if len(xs) == 0 {
		return nil
	}
	m := make(map[string]bool, len(xs))
	for _, x := range xs {
		m[x] = true
	}
	return m
}

// inScope reports whether the route covers the finding's project and kind,
// whatever its severity.
func (r route) inScope(f radar.Finding) bool {
	return (r.projects == nil || r.projects[f.Project]) && (r.kinds == nil || r.kinds[string(f.Kind)])
}

// matches reports whether the route wants to hear about the finding now.
func (r route) matches(f radar.Finding) bool {
	return r.inScope(f) && f.Severity.Rank() >= r.minRank
}
