package connector

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/radarhq/radar"
)

// Jira's value formats: datetimes, dates and the two forms of a sprint.

// Jira's time layouts: its own datetime, RFC 3339 (agile API), and dates.
var timeLayouts = []string{
	"2006-01-02T15:04:05.000-0700",
	"2006-01-02T15:04:05-0700",
	"2006-01-02T15:04:05.000Z07:00",
	time.RFC3339Nano,
	"2006-01-02T15:04:05.000Z",
	"2006-01-02T15:04",
	"02/Jan/06 3:04 PM",
}

// parseTime reads a Jira datetime; empty or "<null>" is the zero time.
func parseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "<null>" || s == "null" {
		return time.Time{}, nil
	}
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("unrecognised time %q", s)
}

// parseDate reads a Jira date ("2006-01-02") as 00:00 UTC.
func parseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if len(s) > 10 {
		t, err := parseTime(s)
		if err != nil {
			return time.Time{}, err
		}
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC), nil
	}
	return time.Parse("2006-01-02", s)
}

// parseFlexTime reads a changelog created value: a string, or epoch ms.
func parseFlexTime(raw jsontext.Value) (time.Time, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return time.Time{}, nil
	}
	if raw[0] == '"' {
		var s string
		if err := unmarshalWire(raw, &s); err != nil {
			return time.Time{}, err
		}
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return time.UnixMilli(n).UTC(), nil
		}
		return parseTime(s)
	}
	n, err := strconv.ParseFloat(string(raw), 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("unrecognised time %s", raw)
	}
	return time.UnixMilli(int64(n)).UTC(), nil
}

// serverSprint matches the old Server string form of a sprint:
// com.atlassian.greenhopper.service.sprint.Sprint@1a2b[id=5,rapidViewId=1,state=CLOSED,name=Sprint 5,...]
var serverSprint = regexp.MustCompile(`(?s)^[\w.]+@\w+\[(.*)\]$`)

// sprintStringKeys are the keys of the Server string form, to split values
// that contain commas (names and goals may).
var sprintStringKeys = []string{"id", "rapidViewId", "state", "name", "goal", "startDate", "endDate", "completeDate", "activatedDate", "sequence", "autoStartStop", "synced", "incompleteIssuesDestinationId"}

func parseServerSprint(s string) (radar.Sprint, error) {
	s = strings.ToValidUTF8(s, "\uFFFD") // names and goals are stored as text
	m := serverSprint.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return radar.Sprint{}, fmt.Errorf("unrecognised sprint %q", s)
	}
	body := m[1]
	// Find each "key=" at the start or after a comma, for known keys only.
	type pos struct {
		key        string
		start, val int
	}
	var ps []pos
	for i := 0; i < len(body); i++ {
		if i != 0 && body[i-1] != ',' {
			continue
		}
		for _, k := range sprintStringKeys {
			if strings.HasPrefix(body[i:], k+"=") {
				ps = append(ps, pos{k, i, i + len(k) + 1})
				break
			}
		}
	}
	vals := map[string]string{}
	for j, p := range ps {
		end := len(body)
		if j+1 < len(ps) {
			end = ps[j+1].start - 1
		}
		v := body[p.val:end]
		if v == "<null>" {
			v = ""
		}
		vals[p.key] = v
	}
	var sp radar.Sprint
	var err error
	if sp.ID, err = strconv.ParseInt(vals["id"], 10, 64); err != nil {
		return radar.Sprint{}, fmt.Errorf("sprint %q: bad id", s)
	}
	sp.BoardID, _ = strconv.ParseInt(vals["rapidViewId"], 10, 64)
	sp.State = strings.ToLower(vals["state"])
	sp.Name = vals["name"]
	sp.Goal = vals["goal"]
	if sp.Start, err = parseTime(vals["startDate"]); err != nil {
		return radar.Sprint{}, err
	}
	if sp.End, err = parseTime(vals["endDate"]); err != nil {
		return radar.Sprint{}, err
	}
	if sp.Complete, err = parseTime(vals["completeDate"]); err != nil {
		return radar.Sprint{}, err
	}
	return sp, nil
}

// parseSprints reads the sprint field in either form: Cloud objects or
// Server strings.
func parseSprints(raw jsontext.Value) ([]radar.Sprint, error) {
	if isNull(raw) {
		return nil, nil
	}
	var items []jsontext.Value
	if err := unmarshalWire(raw, &items); err != nil {
		return nil, fmt.Errorf("sprint field: %w", err)
	}
	out := make([]radar.Sprint, 0, len(items))
	for _, it := range items {
		it = bytes.TrimSpace(it)
		if len(it) > 0 && it[0] == '"' {
			var s string
			if err := unmarshalWire(it, &s); err != nil {
				return nil, err
			}
			sp, err := parseServerSprint(s)
			if err != nil {
				return nil, err
			}
			out = append(out, sp)
			continue
		}
		var w wireSprint
		if err := unmarshalWire(it, &w); err != nil {
			return nil, fmt.Errorf("sprint field: %w", err)
		}
		sp := radar.Sprint{ID: w.ID, Name: w.Name, State: strings.ToLower(w.State), BoardID: w.BoardID, Goal: w.Goal}
		var err error
		if sp.Start, err = parseTime(w.StartDate); err != nil {
			return nil, err
		}
		if sp.End, err = parseTime(w.EndDate); err != nil {
			return nil, err
		}
		if sp.Complete, err = parseTime(w.CompleteDate); err != nil {
			return nil, err
		}
		out = append(out, sp)
	}
	return out, nil
}

func isNull(raw jsontext.Value) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) == 0 || string(raw) == "null"
}
