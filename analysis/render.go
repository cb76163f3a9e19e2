package analysis

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/radarhq/radar"
)

// WriteJSON writes the report as indented JSON: the contract shared with the
// HTTP API.
func WriteJSON(w io.Writer, r radar.Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("write report json: %w", err)
	}
	return nil
}

// WriteTable writes the report as aligned text for a terminal, each issue
// finding with the issue's summary. Control characters in Jira text are
// replaced so they cannot move the cursor; wide (CJK) characters count
// double so the columns stay aligned.
func WriteTable(w io.Writer, r radar.Report) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Radar report generated %s: %s\n\n", r.GeneratedAt.UTC().Format("2006-01-02 15:04 MST"), countLine(r.Findings))
	var fs columns
	fs.add("SEVERITY", "KIND", "PROJECT", "SUBJECT", "SUMMARY", "TITLE")
	for _, f := range r.Findings {
		fs.add(string(f.Severity), string(f.Kind), plainTextN(f.Project, maxName), plainTextN(f.Issue, maxName),
			dash(plainTextN(f.Summary(), maxSummary)), plainTextN(f.Title, maxTitle))
	}
	fs.write(&b)
	if len(r.Versions) > 0 {
		var vs columns
		vs.add("PROJECT", "VERSION", "RELEASE", "P50", "P85", "P95", "ON TIME", "CRITICAL PATH")
		for _, v := range r.Versions {
			vs.add(plainTextN(v.Project, maxName), plainTextN(v.Name, maxName), dash(v.ReleaseDate.String()),
				dash(v.P50.String()), dash(v.P85.String()), dash(v.P95.String()), percent(v), plainTextN(dash(listKeys(v.CriticalPath)), maxProse))
		}
		b.WriteString("\n")
		vs.write(&b)
	}
	if ns := reportNotes(r); len(ns) > 0 {
		b.WriteString("\n")
		for _, n := range ns {
			fmt.Fprintf(&b, "Note: %s\n", plainTextN(n, maxProse))
		}
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write report table: %w", err)
	}
	return nil
}

// WriteMarkdown writes the report for a project manager, each issue
// finding with the issue's summary. Jira text is escaped so that it cannot
// break the tables or inject HTML.
func WriteMarkdown(w io.Writer, r radar.Report) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# Delivery risk report\n\nGenerated %s. %s.\n", r.GeneratedAt.UTC().Format("2006-01-02 15:04 MST"), countLine(r.Findings))
	for _, sev := range []radar.Severity{radar.SeverityCritical, radar.SeverityWarning, radar.SeverityInfo} {
		var fs []radar.Finding
		for _, f := range r.Findings {
			if f.Severity == sev {
				fs = append(fs, f)
			}
		}
		if len(fs) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n## %s%s (%d)\n\n| Kind | Project | Subject | Summary | Finding | What to do |\n|---|---|---|---|---|---|\n",
			strings.ToUpper(string(sev[:1])), sev[1:], len(fs))
		for _, f := range fs {
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", f.Kind, markdownTextN(f.Project, maxName), markdownTextN(f.Issue, maxName),
				markdownTextN(f.Summary(), maxTitle), markdownTextN(f.Title, maxTitle), markdownTextN(f.Detail, maxProse))
		}
	}
	if len(r.Versions) > 0 {
		b.WriteString("\n## Release forecasts\n\n| Project | Version | Release date | P50 | P85 | P95 | On time | Critical path |\n|---|---|---|---|---|---|---|---|\n")
		for _, v := range r.Versions {
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", markdownTextN(v.Project, maxName), markdownTextN(v.Name, maxName), dash(v.ReleaseDate.String()),
				dash(v.P50.String()), dash(v.P85.String()), dash(v.P95.String()), percent(v), markdownTextN(dash(strings.Join(v.CriticalPath, " → ")), maxProse))
		}
	}
	if ns := reportNotes(r); len(ns) > 0 {
		b.WriteString("\n## Notes\n\n")
		for _, n := range ns {
			fmt.Fprintf(&b, "- %s\n", markdownTextN(n, maxProse))
		}
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write report markdown: %w", err)
	}
	return nil
}

func countLine(fs []radar.Finding) string {
	n := map[radar.Severity]int{}
	for _, f := range fs {
		n[f.Severity]++
	}
	return fmt.Sprintf("%s: %d critical, %d warning, %d info", plural(len(fs), "finding", "findings"),
		n[radar.SeverityCritical], n[radar.SeverityWarning], n[radar.SeverityInfo])
}

func percent(v radar.VersionForecast) string {
	if v.ReleaseDate.IsZero() || v.P50.IsZero() {
		return "-"
	}
	return fmt.Sprintf("%.0f%%", v.OnTimeProbability*100)
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// Per-surface limits, in characters, for untrusted text in a report.
const (
	maxTitle = 300  // a finding's title
	maxProse = 1000 // a finding's detail
	maxName  = 100  // keys, project and version names
	// maxSummary keeps an issue's summary to a glance in the table; the
	// JSON carries it whole.
	maxSummary = 50
)

// plainText makes untrusted text safe for one line of a terminal: invalid
// UTF-8 becomes U+FFFD, control characters and line separators become
// spaces, and bidirectional overrides, isolates and marks are dropped so
// that no summary can make itself read backwards ("Trojan Source").
func plainText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Map(func(r rune) rune {
		switch {
		case radar.IsBidiControl(r):
			return -1
		case unicode.IsControl(r), r == '\u2028', r == '\u2029':
			return ' '
		}
		return r
	}, s)
}

// plainTextN is plainText cut to at most n characters, marked with "…".
func plainTextN(s string, n int) string {
	s = plainText(s)
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	if n < 1 {
		return ""
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// markdownReplacer escapes untrusted text for a Markdown table cell: HTML
// control characters become entities, and the Markdown punctuation that
// makes links, emphasis, code and cells is backslash-escaped so Jira text
// cannot turn into a link or markup.
var markdownReplacer = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "|", "\\|",
	"\\", "\\\\", "`", "\\`", "*", "\\*", "_", "\\_", "[", "\\[", "]", "\\]", "~", "\\~")

// markdownTextN makes untrusted text one line of a Markdown table cell, cut
// to at most n characters, then escaped.
func markdownTextN(s string, n int) string { return markdownReplacer.Replace(plainTextN(s, n)) }

// reportNotes are the lines a report's reader needs besides its tables: why
// a version has no forecast, the forecasts' track record, and how a replay
// of the past was rebuilt.
func reportNotes(r radar.Report) []string {
	var out []string
	for _, v := range r.Versions {
		if v.Note != "" && v.OpenItems > 0 {
			out = append(out, v.Project+" "+v.Name+": "+v.Note)
		}
	}
	if r.TrackRecord != nil {
		out = append(out, "forecast track record: "+r.TrackRecord.Text())
	}
	if r.Replay != nil {
		out = append(out, r.Replay.Notes...)
	}
	return out
}
