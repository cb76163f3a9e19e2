package report_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/radarhq/radar/report"
)

// TestParseQuery: radar report's flags and /report's query are read by one
// parser; its errors name the bad value as the front end called it.
func TestParseQuery(t *testing.T) {
	param := func(field, value string) string { return fmt.Sprintf("%s %q", field, value) }
	day := 24 * time.Hour
	tests := []struct {
		name    string
		q       report.Query
		want    report.Request
		wantErr string
	}{
		{"defaults", report.Query{}, report.Request{Audience: "team", Window: 7 * day, Format: "markdown"}, ""},
		{"everything given", report.Query{Project: " PAY,web ", Audience: " exec", Since: "2w", Format: "html"},
			report.Request{Project: "PAY,web", Audience: "exec", Window: 14 * day, Format: "html"}, ""},
		{"an hour is the shortest", report.Query{Since: "1h"}, report.Request{Audience: "team", Window: time.Hour, Format: "markdown"}, ""},
		{"a year is the longest", report.Query{Since: "365d"}, report.Request{Audience: "team", Window: 365 * day, Format: "markdown"}, ""},
		{"ten years is the longest replay", report.Query{Since: "3650d", Replay: true}, report.Request{Audience: "team", Window: 3650 * day, Format: "markdown"}, ""},
		{"longer than a year without a replay", report.Query{Since: "366d"}, report.Request{},
			`since "366d": not a duration from 1h to 365d; use e.g. 7d, 2w or 48h`},
		{"slack", report.Query{Format: "slack"}, report.Request{Audience: "team", Window: 7 * day, Format: "slack"}, ""},
		{"unknown audience", report.Query{Audience: "board"}, report.Request{},
			`audience "board": not an audience; use team or exec, or leave it empty for team`},
		{"since not a duration", report.Query{Since: "soon"}, report.Request{},
			`since "soon": not a duration from 1h to 365d; use e.g. 7d, 2w or 48h`},
		{"since too short", report.Query{Since: "5m"}, report.Request{},
			`since "5m": not a duration from 1h to 365d; use e.g. 7d, 2w or 48h`},
		{"since too long", report.Query{Since: "3651d", Replay: true}, report.Request{},
			`since "3651d": not a duration from 1h to 3650d with --now; use e.g. 7d, 2w or 48h`},
		{"since negative", report.Query{Since: "-7d"}, report.Request{},
			`since "-7d": not a duration from 1h to 365d; use e.g. 7d, 2w or 48h`},
		{"unknown format", report.Query{Format: "pdf"}, report.Request{}, `format "pdf": not a format; use markdown, html or slack`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := report.ParseQuery(tt.q, param)
			if gotErr := fmt.Sprint(err); tt.wantErr != "" && gotErr != tt.wantErr || tt.wantErr == "" && err != nil {
				t.Fatalf("error %v, want %q", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestCheckProjects(t *testing.T) {
	flag := func(field, value string) string { return fmt.Sprintf("--%s %q", field, value) }
	tests := []struct {
		name, project string
		synced        []string
		wantErr       string
	}{
		{"every project", "", []string{"PAY"}, ""},
		{"any case, several", "pay, WEB", []string{"PAY", "WEB"}, ""},
		{"one not synced", "PAY,NOPE", []string{"PAY", "WEB"},
			`--project "NOPE": no synced issues or versions; use one of PAY, WEB, or leave it empty for every project`},
		{"nothing synced", "PAY", nil,
			`--project "PAY": no project has synced issues or versions yet; leave it empty until a sync brings some`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := report.Request{Project: tt.project}.CheckProjects(tt.synced, flag)
			if gotErr := fmt.Sprint(err); tt.wantErr != "" && gotErr != tt.wantErr || tt.wantErr == "" && err != nil {
				t.Errorf("error %v, want %q", err, tt.wantErr)
			}
		})
	}
}
