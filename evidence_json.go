package radar

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
)

// decodeEvidence reads a finding's evidence JSON as the facts of its kind.
// Null, empty or {} evidence is nil. Adding a kind means one case here.
func decodeEvidence(kind Kind, raw []byte) (Evidence, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" || string(raw) == "{}" {
		return nil, nil
	}
	switch kind {
	case KindBlocker:
		return decodeFacts[BlockerFacts](raw)
	case KindBlockedInProgress:
		return decodeFacts[BlockedInProgressFacts](raw)
	case KindDependencyCycle:
		return decodeFacts[DependencyCycleFacts](raw)
	case KindOverdue:
		return decodeFacts[OverdueFacts](raw)
	case KindDueDateSlipped:
		var probe struct {
			Version *string `json:"version"`
		}
		if err := json.Unmarshal(raw, &probe); err != nil {
			return nil, err
		}
		if probe.Version != nil {
			return decodeFacts[ReleaseSlippedFacts](raw)
		}
		return decodeFacts[DueDateSlippedFacts](raw)
	case KindSprintCarryover:
		return decodeFacts[SprintCarryoverFacts](raw)
	case KindOffTrackDependency:
		return decodeFacts[OffTrackDependencyFacts](raw)
	case KindReleaseAtRisk:
		return decodeFacts[ReleaseAtRiskFacts](raw)
	case KindReleaseOverdue:
		return decodeFacts[ReleaseOverdueFacts](raw)
	case KindStale:
		return decodeFacts[StaleFacts](raw)
	case KindAbandonedWork:
		return decodeFacts[AbandonedWorkFacts](raw)
	case KindFlagged:
		return decodeFacts[FlaggedFacts](raw)
	case KindReopened:
		return decodeFacts[ReopenedFacts](raw)
	case KindScopeCreep:
		return decodeFacts[ScopeCreepFacts](raw)
	case KindOverloadedAssignee:
		return decodeFacts[OverloadedAssigneeFacts](raw)
	case KindEffortOverrun:
		return decodeFacts[EffortOverrunFacts](raw)
	}
	return UnknownFacts{Of: kind, Raw: append(json.RawMessage(nil), raw...)}, nil
}

func decodeFacts[T Evidence](raw []byte) (Evidence, error) {
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, err
	}
	return v, nil
}

// DecodeEvidence reads evidence JSON (as the store keeps it) as the facts
// of kind: nil for null, empty or {}.
func DecodeEvidence(kind Kind, raw []byte) (Evidence, error) {
	ev, err := decodeEvidence(kind, raw)
	if err != nil {
		return nil, fmt.Errorf("%s evidence: %w", kind, err)
	}
	return ev, nil
}

// UnmarshalJSON reads a finding, its evidence as the facts of its kind.
func (f *Finding) UnmarshalJSON(b []byte) error {
	type plain Finding
	var w struct {
		plain
		Evidence json.RawMessage `json:"evidence"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*f = Finding(w.plain)
	ev, err := DecodeEvidence(f.Kind, w.Evidence)
	if err != nil {
		return fmt.Errorf("finding %s: %w", f.ID, err)
	}
	f.Evidence = ev
	return nil
}

// sortedJSON writes a facts struct as a JSON object with its keys in
// sorted order, as encoding/json writes a map: the form evidence had when
// it was one. Fields of embedded structs are the object's own; json tags
// name the keys, and omitempty leaves empty ones out. HTML is left
// unescaped here; the caller's encoder escapes it as it chooses.
func sortedJSON(v any) ([]byte, error) {
	type field struct {
		name string
		v    reflect.Value
	}
	var fields []field
	var collect func(rv reflect.Value)
	collect = func(rv reflect.Value) {
		rt := rv.Type()
		for i := range rt.NumField() {
			sf, fv := rt.Field(i), rv.Field(i)
			if sf.Anonymous && sf.Type.Kind() == reflect.Struct {
				collect(fv)
				continue
			}
			name, opts, _ := strings.Cut(sf.Tag.Get("json"), ",")
			if !sf.IsExported() || name == "-" {
				continue
			}
			if name == "" {
				name = sf.Name
			}
			if opts == "omitempty" && isEmpty(fv) {
				continue
			}
			fields = append(fields, field{name, fv})
		}
	}
	collect(reflect.ValueOf(v))
	slices.SortFunc(fields, func(a, b field) int { return strings.Compare(a.name, b.name) })
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	buf.WriteByte('{')
	for i, f := range fields {
		if i > 0 {
			buf.WriteByte(',')
		}
		if err := enc.Encode(f.name); err != nil {
			return nil, err
		}
		buf.Truncate(buf.Len() - 1) // Encode ends each value with a newline
		buf.WriteByte(':')
		if err := enc.Encode(f.v.Interface()); err != nil {
			return nil, fmt.Errorf("%s: %w", f.name, err)
		}
		buf.Truncate(buf.Len() - 1)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// isEmpty is encoding/json's omitempty test.
func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Interface, reflect.Pointer:
		return v.IsZero()
	}
	return false
}

// MarshalJSON methods write each facts type with sorted keys.
func (e BlockerFacts) MarshalJSON() ([]byte, error)            { return sortedJSON(e) }
func (e BlockedInProgressFacts) MarshalJSON() ([]byte, error)  { return sortedJSON(e) }
func (e DependencyCycleFacts) MarshalJSON() ([]byte, error)    { return sortedJSON(e) }
func (e OverdueFacts) MarshalJSON() ([]byte, error)            { return sortedJSON(e) }
func (e DueDateSlippedFacts) MarshalJSON() ([]byte, error)     { return sortedJSON(e) }
func (e ReleaseSlippedFacts) MarshalJSON() ([]byte, error)     { return sortedJSON(e) }
func (e SprintCarryoverFacts) MarshalJSON() ([]byte, error)    { return sortedJSON(e) }
func (e OffTrackDependencyFacts) MarshalJSON() ([]byte, error) { return sortedJSON(e) }
func (e ReleaseAtRiskFacts) MarshalJSON() ([]byte, error)      { return sortedJSON(e) }
func (e ReleaseOverdueFacts) MarshalJSON() ([]byte, error)     { return sortedJSON(e) }
func (e StaleFacts) MarshalJSON() ([]byte, error)              { return sortedJSON(e) }
func (e AbandonedWorkFacts) MarshalJSON() ([]byte, error)      { return sortedJSON(e) }
func (e FlaggedFacts) MarshalJSON() ([]byte, error)            { return sortedJSON(e) }
func (e ReopenedFacts) MarshalJSON() ([]byte, error)           { return sortedJSON(e) }
func (e ScopeCreepFacts) MarshalJSON() ([]byte, error)         { return sortedJSON(e) }
func (e OverloadedAssigneeFacts) MarshalJSON() ([]byte, error) { return sortedJSON(e) }
func (e EffortOverrunFacts) MarshalJSON() ([]byte, error)      { return sortedJSON(e) }

// MarshalJSON writes the evidence as it was read.
func (u UnknownFacts) MarshalJSON() ([]byte, error) {
	if len(u.Raw) == 0 {
		return []byte("{}"), nil
	}
	return u.Raw, nil
}
