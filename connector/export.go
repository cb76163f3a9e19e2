package connector

import (
	"fmt"

	"github.com/radarhq/radar"
	"github.com/radarhq/radar/config"
	"github.com/radarhq/radar/store"
)

// ExportMapper maps issues saved in Jira's REST shape (an export with one
// issue per line, each as GET rest/api/2/issue/{key}?expand=changelog
// answers it) into the records a sync would write: the same decoding and
// mapping, without a site to ask. It exists for test helpers that load a
// real export (internal/realexport); the sync does not use it and no
// command offers it.
//
// With no site to ask, no custom fields are known (story points, sprints,
// flags, epic links and start dates are left out) and versions and
// statuses are those the issues name.
type ExportMapper struct {
	m mapper
}

// NewExportMapper reads dependencies as jira.dependencies configures them.
func NewExportMapper(deps []config.Dependency) *ExportMapper {
	return &ExportMapper{m: mapper{deps: rulesOf(deps)}}
}

// ExportedIssue is one issue of an export as a sync would store it.
type ExportedIssue struct {
	Record store.IssueRecord // the issue, its dependency links and its changelog
	// FixVersions are the issue's fix versions as its project's version
	// list describes them.
	FixVersions []radar.Version
	Status      radar.Status // the issue's status, as the site's status list has it
	// Warnings name fields skipped because Radar cannot read them, as a
	// sync logs them.
	Warnings []string
}

// Issue decodes and maps one issue of the export. The changelog is the
// one the issue carries, taken as complete.
func (e *ExportMapper) Issue(line []byte) (ExportedIssue, error) {
	var w wireIssue
	if err := unmarshalWire(line, &w); err != nil {
		return ExportedIssue{}, fmt.Errorf("decode issue: %w", err)
	}
	r, warnings, err := e.m.issue(&w, "")
	if err != nil {
		return ExportedIssue{}, err
	}
	r.Scope = r.Issue.Project
	if w.Changelog != nil {
		if r.Changes, err = changes(w.Key, w.Changelog.Histories); err != nil {
			return ExportedIssue{}, err
		}
	}
	out := ExportedIssue{Record: r, Warnings: warnings}
	for _, f := range w.Fields.FixVersions {
		v, err := toVersion(r.Issue.Project, f)
		if err != nil {
			out.Warnings = append(out.Warnings, fmt.Sprintf("field fixVersions: %v", err))
			continue
		}
		out.FixVersions = append(out.FixVersions, v)
	}
	if s := w.Fields.Status; s.ID != "" {
		out.Status = s.status()
	}
	return out, nil
}
