package analysis

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"unicode"

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

// WriteTable writes the report as aligned text for a terminal. Control
// characters in Jira text are replaced so they cannot move the cursor.
func WriteTable(w io.Writer, r radar.Report) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "Radar report generated %s: %s\n\n", r.GeneratedAt.UTC().Format("2006-01-02 15:04 MST"), countLine(r.Findings))
	fmt.Fprintln(tw, "SEVERITY\tKIND\tPROJECT\tSUBJECT\tTITLE")
	for _, f := range r.Findings {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", f.Severity, f.Kind, plainText(f.Project), plainText(f.Issue), plainText(f.Title))
	}
	if len(r.Versions) > 0 {
		fmt.Fprintln(tw, "\nPROJECT\tVERSION\tRELEASE\tP50\tP85\tP95\tON TIME\tCRITICAL PATH")
		for _, v := range r.Versions {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", plainText(v.Project), plainText(v.Name), dash(v.ReleaseDate),
				dash(v.P50), dash(v.P85), dash(v.P95), percent(v), dash(listKeys(v.CriticalPath)))
		}
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write report table: %w", err)
	}
	return nil
}

// WriteMarkdown writes the report for a project manager. Jira text is
// escaped so that it cannot break the tables or inject HTML.
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
		fmt.Fprintf(&b, "\n## %s%s (%d)\n\n| Kind | Project | Subject | Finding | What to do |\n|---|---|---|---|---|\n",
			strings.ToUpper(string(sev[:1])), sev[1:], len(fs))
		for _, f := range fs {
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", f.Kind, markdownText(f.Project), markdownText(f.Issue), markdownText(f.Title), markdownText(f.Detail))
		}
	}
	if len(r.Versions) > 0 {
		b.WriteString("\n## Release forecasts\n\n| Project | Version | Release date | P50 | P85 | P95 | On time | Critical path |\n|---|---|---|---|---|---|---|---|\n")
		for _, v := range r.Versions {
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", markdownText(v.Project), markdownText(v.Name), dash(v.ReleaseDate),
				dash(v.P50), dash(v.P85), dash(v.P95), percent(v), markdownText(dash(strings.Join(v.CriticalPath, " → "))))
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
	if v.ReleaseDate == "" || v.P50 == "" {
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

// plainText makes untrusted text safe for one line of a terminal table.
func plainText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}

// markdownText escapes untrusted text for a Markdown table cell, on one
// line: HTML control characters become entities, and the Markdown
// punctuation that makes links, emphasis, code and cells is backslash-escaped
// so Jira text cannot turn into a link or markup.
var markdownReplacer = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "|", "\\|",
	"\\", "\\\\", "`", "\\`", "*", "\\*", "_", "\\_", "[", "\\[", "]", "\\]", "~", "\\~")

func markdownText(s string) string { return markdownReplacer.Replace(plainText(s)) }
