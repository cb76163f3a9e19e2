package report

import (
	"fmt"
	"io"
	"strings"
)

// mdEscaper escapes Markdown's inline syntax in untrusted text (issue
// titles, notes, names).
var mdEscaper = strings.NewReplacer(`\`, `\\`, "*", `\*`, "_", `\_`, "`", "\\`", "[", `\[`, "]", `\]`,
	"<", "&lt;", ">", "&gt;", "&", "&amp;", "|", `\|`, "#", `\#`, "\r", " ", "\n", " ", "\t", " ")

func md(s string) string { return mdEscaper.Replace(clean(s)) }

// clean drops control characters other than the ones the escapers turn
// into spaces.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\n' && r != '\t' && r != '\r' || r == 0x7f {
			return -1
		}
		return r
	}, s)
}

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
