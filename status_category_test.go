package radar

import "testing"

func TestChangeFieldName(t *testing.T) {
	for _, tt := range []struct {
		c    Change
		want string
	}{
		{Change{Field: "status", FieldID: "status"}, "status"},
		{Change{Field: "Fix Version", FieldID: "fixVersions"}, "fix version"},
		{Change{Field: "fixVersions"}, "fix version"},
		{Change{Field: "Due Date", FieldID: "duedate"}, "duedate"},
		{Change{Field: "Sprint", FieldID: "customfield_10020"}, "sprint"},
	} {
		if got := tt.c.FieldName(); got != tt.want {
			t.Errorf("%+v: %q, want %q", tt.c, got, tt.want)
		}
	}
}

func TestStatusCategories(t *testing.T) {
	s := NewStatusCategories([]Status{{ID: "3", Name: "In Progress", Category: CategoryInProgress}, {ID: "10001", Name: "Done", Category: CategoryDone}})
	for _, tt := range []struct {
		id, name string
		want     StatusCategory
	}{
		{"3", "", CategoryInProgress},
		{"", "done", CategoryDone},      // by name, any case
		{"10001", "Open", CategoryDone}, // the id wins
		{"99", "Somewhere", ""},         // unknown
	} {
		if got := s.Of(tt.id, tt.name); got != tt.want {
			t.Errorf("Of(%q, %q) = %q, want %q", tt.id, tt.name, got, tt.want)
		}
	}
	if (StatusCategories{}).Of("3", "In Progress") != "" {
		t.Error("the zero StatusCategories knows a status")
	}
}
