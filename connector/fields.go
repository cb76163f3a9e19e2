package connector

import (
	"fmt"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// wireFields is an issue's fields, decoded with the page in one pass. The
// system fields Radar asks for (systemFields) land in their types; any other
// field, the site's custom fields, is kept raw by id for the mapper, which
// knows what each id means.
//
// A page whose values all have the shapes below decodes straight into these
// types. When one does not, the page is decoded again leniently
// (lenientFields): a field in a shape Radar cannot read keeps its zero value
// and is named in Odd, so one odd value costs a warning, not the page.
type wireFields struct {
	Summary     string        `json:"summary"`
	Project     wireNamed     `json:"project"`
	IssueType   wireNamed     `json:"issuetype"`
	Status      wireStatus    `json:"status"`
	Priority    wireNamed     `json:"priority"`
	Assignee    wireUser      `json:"assignee"`
	Parent      wireNamed     `json:"parent"`
	Links       []wireLink    `json:"issuelinks"`
	Labels      []string      `json:"labels"`
	Components  []wireNamed   `json:"components"`
	FixVersions []wireVersion `json:"fixVersions"`
	// Jira datetimes and a date, as sent; "" when absent or null.
	Created  string `json:"created"`
	Updated  string `json:"updated"`
	Resolved string `json:"resolutiondate"`
	Due      string `json:"duedate"`
	// Seconds; nil when absent or null.
	OriginalEstimate  *float64 `json:"timeoriginalestimate"`
	RemainingEstimate *float64 `json:"timeestimate"`
	TimeSpent         *float64 `json:"timespent"`

	Custom map[string]jsontext.Value `json:",embed"` // every other field, by id
	Odd    []oddField                `json:"-"`
}

// oddField is a field whose value Radar could not read.
type oddField struct {
	Name string
	Err  error
}

// lenientFields decodes an issue's fields member by member, each value read
// whole first, so that a value of an unexpected shape is skipped cleanly,
// named in Odd, and the rest of the issue still decodes.
var lenientFields = json.WithUnmarshalers(json.UnmarshalFromFunc(func(dec *jsontext.Decoder, f *wireFields) error {
	return f.readLeniently(dec)
}))

func (f *wireFields) readLeniently(dec *jsontext.Decoder) error {
	*f = wireFields{}
	switch dec.PeekKind() {
	case 'n':
		_, err := dec.ReadToken()
		return err
	case '{':
	default:
		raw, err := dec.ReadValue()
		if err != nil {
			return err
		}
		return fmt.Errorf("fields: want an object, got %.40s", raw)
	}
	if _, err := dec.ReadToken(); err != nil {
		return err
	}
	var name []byte
	for dec.PeekKind() != '}' {
		tok, err := dec.ReadValue() // the member's name
		if err != nil {
			return err
		}
		name, err = jsontext.AppendUnquote(name[:0], tok)
		if err != nil {
			return err
		}
		raw, err := dec.ReadValue()
		if err != nil {
			return err
		}
		if err := f.set(string(name), raw); err != nil {
			f.Odd = append(f.Odd, oddField{Name: string(name), Err: err})
		}
	}
	_, err := dec.ReadToken()
	return err
}

// set stores one field's value; raw is only valid during the call.
func (f *wireFields) set(name string, raw jsontext.Value) error {
	switch name {
	case "summary":
		return readInto(raw, &f.Summary)
	case "project":
		return readInto(raw, &f.Project)
	case "issuetype":
		return readInto(raw, &f.IssueType)
	case "status":
		return readInto(raw, &f.Status)
	case "priority":
		return readInto(raw, &f.Priority)
	case "assignee":
		return readInto(raw, &f.Assignee)
	case "parent":
		return readInto(raw, &f.Parent)
	case "issuelinks":
		return readInto(raw, &f.Links)
	case "labels":
		return readInto(raw, &f.Labels)
	case "components":
		return readInto(raw, &f.Components)
	case "fixVersions":
		return readInto(raw, &f.FixVersions)
	case "created":
		return readInto(raw, &f.Created)
	case "updated":
		return readInto(raw, &f.Updated)
	case "resolutiondate":
		return readInto(raw, &f.Resolved)
	case "duedate":
		return readInto(raw, &f.Due)
	case "timeoriginalestimate":
		return readInto(raw, &f.OriginalEstimate)
	case "timeestimate":
		return readInto(raw, &f.RemainingEstimate)
	case "timespent":
		return readInto(raw, &f.TimeSpent)
	default:
		if f.Custom == nil {
			f.Custom = make(map[string]jsontext.Value, 8)
		}
		f.Custom[name] = raw.Clone()
		return nil
	}
}

// readInto decodes raw into *dst, leaving *dst untouched when it fails.
func readInto[T any](raw []byte, dst *T) error {
	var v T
	if err := json.Unmarshal(raw, &v, wireOptions); err != nil {
		return err
	}
	*dst = v
	return nil
}
