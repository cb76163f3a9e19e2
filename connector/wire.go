package connector

import (
	"errors"
	"io"
	"reflect"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/radarhq/radar"
)

// Jira's answers are decoded with encoding/json/v2 (this module mirrors
// it until Go 1.27, where it is in the standard library): one pass over the
// bytes, where encoding/json scans each value once to find its end and again
// to decode it. Decoding was most of a first sync's CPU time.
//
// wireOptions keeps encoding/json's leniency where Jira's data may need it:
// invalid UTF-8 in user text is replaced rather than failing a page, and a
// repeated name keeps its last value. Two differences are kept on purpose:
// member names match the tags exactly (Jira spells them one way; encoding/json
// also took other cases), and anything but white space after the answer's
// value makes it malformed (encoding/json's Decoder stopped reading there).
var wireOptions = json.JoinOptions(
	jsontext.AllowInvalidUTF8(true),
	jsontext.AllowDuplicateNames(true),
)

// decodeWire decodes one answer's body into out.
func decodeWire(body io.Reader, out any) error {
	b, err := io.ReadAll(body)
	if err != nil {
		return err
	}
	return unmarshalWire(b, out)
}

// unmarshalWire decodes an answer, or a value of one, into out (a
// pointer). A value of an unexpected shape fails a typed decode; the
// answer is then decoded again with issues' fields read one by one
// (lenientFields), so an odd value in an issue's fields costs only that
// field. An odd value elsewhere (an issue's id, a changelog item) fails
// the answer with a *json.SemanticError naming where it is.
func unmarshalWire(b []byte, out any) error {
	err := json.Unmarshal(b, out, wireOptions)
	var se *json.SemanticError
	if !errors.As(err, &se) {
		return err
	}
	reflect.ValueOf(out).Elem().SetZero()
	return json.Unmarshal(b, out, wireOptions, lenientFields)
}

// Jira's wire shapes, decoded into our own structs.

type wireServerInfo struct {
	BaseURL        string `json:"baseUrl"`
	Version        string `json:"version"`
	DeploymentType string `json:"deploymentType"`
}

type wireField struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Custom bool   `json:"custom"`
	Schema struct {
		Type   string `json:"type"`
		Custom string `json:"custom"`
	} `json:"schema"`
}

type wireLinkTypes struct {
	IssueLinkTypes []wireLinkType `json:"issueLinkTypes"`
}

type wireLinkType struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Inward  string `json:"inward"`
	Outward string `json:"outward"`
}

type wireStatus struct {
	ID             string `json:"id"`
	Name           string `json:"name"`
	StatusCategory struct {
		Key string `json:"key"`
	} `json:"statusCategory"`
}

// status is the status as Radar keeps it.
func (s wireStatus) status() radar.Status {
	return radar.Status{ID: s.ID, Name: s.Name, Category: radar.StatusCategory(s.StatusCategory.Key)}
}

type wireVersion struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Released    bool   `json:"released"`
	Archived    bool   `json:"archived"`
	ReleaseDate string `json:"releaseDate"`
	StartDate   string `json:"startDate"`
}

// wireCloudPage is a page of Cloud's /search/jql: no total, a token instead.
type wireCloudPage struct {
	Issues        []wireIssue `json:"issues"`
	NextPageToken string      `json:"nextPageToken"`
	IsLast        *bool       `json:"isLast"`
}

// wireDCPage is a page of Data Center's /search.
type wireDCPage struct {
	StartAt    int         `json:"startAt"`
	MaxResults int         `json:"maxResults"`
	Total      int         `json:"total"`
	Issues     []wireIssue `json:"issues"`
}

type wireIssue struct {
	ID        string         `json:"id"`
	Key       string         `json:"key"`
	Fields    wireFields     `json:"fields"`
	Changelog *wireChangelog `json:"changelog"`
}

type wireChangelog struct {
	StartAt    int           `json:"startAt"`
	MaxResults int           `json:"maxResults"`
	Total      int           `json:"total"`
	Histories  []wireHistory `json:"histories"`
}

type wireHistory struct {
	ID      string         `json:"id"`
	Author  *wireUser      `json:"author"`
	Created jsontext.Value `json:"created"` // a Jira datetime string, or epoch ms in bulkfetch
	Items   []wireItem     `json:"items"`
}

type wireItem struct {
	Field      string  `json:"field"`
	FieldID    string  `json:"fieldId"`
	From       *string `json:"from"`
	FromString *string `json:"fromString"`
	To         *string `json:"to"`
	ToString   *string `json:"toString"`
}

type wireBulkChangelog struct {
	IssueChangeLogs []struct {
		IssueID         string        `json:"issueId"`
		ChangeHistories []wireHistory `json:"changeHistories"`
	} `json:"issueChangeLogs"`
	NextPageToken string `json:"nextPageToken"`
}

type wireUser struct {
	AccountID    string `json:"accountId"`
	Name         string `json:"name"`
	Key          string `json:"key"`
	DisplayName  string `json:"displayName"`
	EmailAddress string `json:"emailAddress"`
}

type wireNamed struct {
	ID      string `json:"id"`
	Key     string `json:"key"`
	Name    string `json:"name"`
	Subtask bool   `json:"subtask"`
}

type wireLink struct {
	ID           string       `json:"id"`
	Type         wireLinkType `json:"type"`
	InwardIssue  *wireNamed   `json:"inwardIssue"`
	OutwardIssue *wireNamed   `json:"outwardIssue"`
}

type wireSprint struct {
	ID           int64  `json:"id"`
	Name         string `json:"name"`
	State        string `json:"state"`
	BoardID      int64  `json:"boardId"`
	Goal         string `json:"goal"`
	StartDate    string `json:"startDate"`
	EndDate      string `json:"endDate"`
	CompleteDate string `json:"completeDate"`
}
