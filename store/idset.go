package store

import (
	"slices"
	"strconv"
)

// IDSet is a set of Jira issue ids (numbers) held sorted, 8 bytes an id: a
// listing of a project of several million issues stays a few tens of MB
// where a map of id strings took about 50 bytes an id. The zero IDSet is
// empty.
type IDSet struct{ ids []int64 }

// NewIDSet returns the set of ids; it takes ownership of the slice.
func NewIDSet(ids []int64) IDSet {
	slices.Sort(ids)
	return IDSet{slices.Compact(ids)}
}

// Has reports whether the id (Jira's decimal id) is in the set; an id that
// is not a number never is.
func (s IDSet) Has(id string) bool {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return false
	}
	_, ok := slices.BinarySearch(s.ids, n)
	return ok
}

// Len is the number of ids in the set.
func (s IDSet) Len() int { return len(s.ids) }
