package radar

import (
	"encoding/json"
	"fmt"
	"time"
)

// Date is a calendar day in UTC, such as a forecast's P85 or a release
// date. The zero Date means "no date". In JSON a Date is "2006-01-02", and
// the zero Date is "".
type Date struct{ t time.Time }

// DateOf returns the UTC calendar day of t; the zero time gives the zero Date.
func DateOf(t time.Time) Date {
	if t.IsZero() {
		return Date{}
	}
	y, m, d := t.UTC().Date()
	return Date{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
}

// ParseDate reads "2006-01-02"; "" is the zero Date.
func ParseDate(s string) (Date, error) {
	if s == "" {
		return Date{}, nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("date %q: want YYYY-MM-DD", s)
	}
	return Date{t}, nil
}

// MustParseDate is ParseDate for dates written in code; it panics on a
// malformed one.
func MustParseDate(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// IsZero reports whether d is "no date".
func (d Date) IsZero() bool { return d.t.IsZero() }

// Time returns the day's 00:00 UTC; the zero time for the zero Date.
func (d Date) Time() time.Time { return d.t }

// String is "2006-01-02", or "" for the zero Date.
func (d Date) String() string {
	if d.t.IsZero() {
		return ""
	}
	return d.t.Format(time.DateOnly)
}

// Compare returns -1, 0 or +1 as d is before, equal to or after e; the
// zero Date is before every date.
func (d Date) Compare(e Date) int { return d.t.Compare(e.t) }

// After reports whether d is a later day than e.
func (d Date) After(e Date) bool { return d.t.After(e.t) }

// MarshalJSON writes the date as "2006-01-02", or "" when zero.
func (d Date) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON reads "2006-01-02", "" or null.
func (d *Date) UnmarshalJSON(b []byte) error {
	var s *string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("date: want a \"YYYY-MM-DD\" string: %w", err)
	}
	if s == nil {
		*d = Date{}
		return nil
	}
	v, err := ParseDate(*s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}
