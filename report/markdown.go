package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/radarhq/radar/analysis"
)

// maxText bounds one piece of untrusted text in a report line.
const maxText = 1000

func md(s string) string { return analysis.MarkdownText(s, maxText) }

// WriteMarkdown writes the document as Markdown.
func WriteMarkdown(w io.Writer, d Document) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n_%s_\n", md(d.Title), md(d.Subtitle))
	var line func(l Line, indent string)
	line = func(l Line, indent string) {
		b.WriteString(indent + "- ")
		if l.Label != "" {
			b.WriteString("**" + md(l.Label) + ":** ")
		}
		b.WriteString(md(l.Text) + "\n")
		for _, s := range l.Sub {
			line(s, indent+"  ")
		}
	}
	for _, s := range d.Sections {
		fmt.Fprintf(&b, "\n## %s\n\n", md(s.Heading))
		for _, l := range s.Lines {
			line(l, "")
		}
	}
	_, err := io.WriteString(w, b.String())
	if err != nil {
		return fmt.Errorf("write report markdown: %w", err)
	}
	return nil
}
