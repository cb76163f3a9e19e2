package webui

import (
	"slices"
	"time"

	"github.com/radarhq/radar"
)

// scopeSamples is how many points a scope-over-time line has.
const scopeSamples = 60

// scopePoint is a version's scope at one time.
type scopePoint struct {
	at    time.Time
	total int // issues in the version
	done  int // of which done
	added int // of which joined after the start
}

// scope is a version's scope over time, read from the changelog: when each
// issue joined or left the version and when it was done or reopened.
type scope struct {
	points []scopePoint
	added  int // issues that joined after the start
	start  time.Time
}

// event is one issue's change of membership or doneness.
type event struct {
	at     time.Time
	member bool
	done   bool
}

// issueTimeline replays one issue's changelog from its creation: whether
// it was in version id, and whether done, after each change.
func (ix *index) issueTimeline(is *radar.Issue, id string) (startMember, startDone bool, evs []event) {
	ch := ix.changes[is.Key]
	member, done := slices.Contains(is.FixVersions, id), is.Done()
	// Walk back from today's state to the state at creation.
	for i := len(ch) - 1; i >= 0; i-- {
		switch c := ch[i]; c.FieldName() {
		case "fix version":
			if c.To == id {
				member = false
			}
			if c.From == id {
				member = true
			}
		case "status":
			if cat := ix.statuses.Of(c.From, c.FromString); cat != "" {
				done = cat == radar.CategoryDone
			}
		}
	}
	startMember, startDone = member, done
	for _, c := range ch {
		switch c.FieldName() {
		case "fix version":
			if c.To == id {
				member = true
			} else if c.From == id {
				member = false
			} else {
				continue
			}
		case "status":
			cat := ix.statuses.Of(c.To, c.ToString)
			if cat == "" {
				continue
			}
			done = cat == radar.CategoryDone
		default:
			continue
		}
		evs = append(evs, event{at: c.Created, member: member, done: done})
	}
	return startMember, startDone, evs
}

// versionScope samples a version's scope from its start (its start date,
// else when its first issue joined) to now.
func (ix *index) versionScope(v *radar.Version) scope {
	type line struct {
		created              time.Time
		startMember, startDn bool
		evs                  []event
	}
	var lines []line
	start := v.StartDate
	first := time.Time{}
	for _, k := range ix.versionMembers(v.ID) {
		is := ix.issues[k]
		if is == nil {
			continue
		}
		m, d, evs := ix.issueTimeline(is, v.ID)
		lines = append(lines, line{is.Created, m, d, evs})
		joined := is.Created
		if !m {
			joined = time.Time{}
			for _, e := range evs {
				if e.member {
					joined = e.at
					break
				}
			}
		}
		if !joined.IsZero() && (first.IsZero() || joined.Before(first)) {
			first = joined
		}
	}
	if start.IsZero() || (!first.IsZero() && start.After(ix.now)) {
		start = first
	}
	sc := scope{start: start}
	if start.IsZero() || !start.Before(ix.now) {
		return sc
	}
	state := func(ln line, at time.Time) (member, done bool) {
		if ln.created.After(at) {
			return false, false
		}
		member, done = ln.startMember, ln.startDn
		for _, e := range ln.evs {
			if e.at.After(at) {
				break
			}
			member, done = e.member, e.done
		}
		return member, done
	}
	atStart := make([]bool, len(lines))
	for i, ln := range lines {
		atStart[i], _ = state(ln, start)
	}
	span := ix.now.Sub(start)
	for s := 0; s <= scopeSamples; s++ {
		at := start.Add(span * time.Duration(s) / scopeSamples)
		p := scopePoint{at: at}
		for i, ln := range lines {
			if m, d := state(ln, at); m {
				p.total++
				if d {
					p.done++
				}
				if !atStart[i] {
					p.added++
				}
			}
		}
		sc.points = append(sc.points, p)
	}
	sc.added = sc.points[len(sc.points)-1].added
	return sc
}
