package report

import (
	"bytes"
	"fmt"
	"html/template"
	"io"

	"github.com/radarhq/radar/analysis"
)

// page lays a document out as a standalone HTML page; html/template
// escapes every value. Its "sections" are what HTMLSections returns, for
// pages (the web UI's) that bring their own head, heading and styles.
var page = template.Must(template.New("report").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{.Title}}</title>
<style>body{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;line-height:1.45}h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:1.6rem;border-bottom:1px solid #ddd}li{margin:.2rem 0}.sub{color:#555}</style>
</head>
<body>
<h1>{{.Title}}</h1>
<p class="sub">{{.Subtitle}}</p>
{{- template "sections" .}}
</body>
</html>
{{define "sections"}}
{{- range .Sections}}
<h2>{{.Heading}}</h2>
<ul>
{{- range .Lines}}
<li>{{template "line" .}}</li>
{{- end}}
</ul>
{{- end}}
{{- end}}{{define "line"}}{{if .Label}}<strong>{{.Label}}:</strong> {{end}}{{.Text}}{{if .Sub}}
<ul>{{range .Sub}}
<li>{{template "line" .}}</li>{{end}}
</ul>{{end}}{{end}}
`))

// WriteHTML writes the document as a standalone HTML page.
func WriteHTML(w io.Writer, d Document) error {
	if err := page.Execute(w, plain(d)); err != nil {
		return fmt.Errorf("write report html: %w", err)
	}
	return nil
}

// HTMLSections returns the document's sections as HTML (a heading and a
// list each, every value escaped, no style or script), for a page that
// shows the title and subtitle itself: the web UI's /report.
func HTMLSections(d Document) (template.HTML, error) {
	var b bytes.Buffer
	if err := page.ExecuteTemplate(&b, "sections", plain(d)); err != nil {
		return "", fmt.Errorf("write report html: %w", err)
	}
	return template.HTML(b.String()), nil
}

// Plain returns the document with every text made one safe line
// (analysis.PlainText): what the HTML writers show, before escaping.
func Plain(d Document) Document { return plain(d) }

// plain returns the document with every text made one safe line
// (analysis.PlainText); html/template escapes the rest.
func plain(d Document) Document {
	var line func(l Line) Line
	line = func(l Line) Line {
		out := Line{Label: analysis.PlainText(l.Label, maxText), Text: analysis.PlainText(l.Text, maxText)}
		for _, s := range l.Sub {
			out.Sub = append(out.Sub, line(s))
		}
		return out
	}
	out := Document{Title: analysis.PlainText(d.Title, maxText), Subtitle: analysis.PlainText(d.Subtitle, maxText)}
	for _, s := range d.Sections {
		sec := Section{Heading: analysis.PlainText(s.Heading, maxText)}
		for _, l := range s.Lines {
			sec.Lines = append(sec.Lines, line(l))
		}
		out.Sections = append(out.Sections, sec)
	}
	return out
}
