package radar

import "strings"

// FieldName names a changelog item's field in lower case, whatever the
// server generation reported: "status", "duedate", "fix version", else
// the field's name.
func (c Change) FieldName() string {
	switch strings.ToLower(c.FieldID) {
	case "status":
		return "status"
	case "duedate":
		return "duedate"
	case "fixversions":
		return "fix version"
	}
	f := strings.ToLower(c.Field)
	if f == "fixversions" {
		return "fix version"
	}
	return f
}

// StatusCategories maps the statuses a changelog names to their category.
// The zero value knows none.
type StatusCategories struct {
	byID, byName map[string]StatusCategory
}

// NewStatusCategories indexes the site's statuses.
func NewStatusCategories(statuses []Status) StatusCategories {
	s := StatusCategories{byID: make(map[string]StatusCategory, len(statuses)), byName: make(map[string]StatusCategory, len(statuses))}
	for _, st := range statuses {
		s.byID[st.ID] = st.Category
		s.byName[strings.ToLower(st.Name)] = st.Category
	}
	return s
}

// Of is the category of a changelog status: by id, else by name (in any
// case); "" when neither is known.
func (s StatusCategories) Of(id, name string) StatusCategory {
	if c, ok := s.byID[id]; ok {
		return c
	}
	return s.byName[strings.ToLower(name)]
}
