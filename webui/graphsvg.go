package webui

import (
	"fmt"
	"html"
	"html/template"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/radarhq/radar"
)

// Sizes of the neighbourhood picture, in pixels.
const (
	nodeW    = 200
	nodeH    = 46
	gapX     = 64
	slotH    = 58 // a node and the gap below it
	graphPad = 16
	curve    = 28 // horizontal pull of an edge's Bézier handles
)

// maxNodeText is how many characters of a summary a node shows.
const maxNodeText = 27

// esc escapes untrusted text for HTML and SVG text and attributes.
func esc(s string) string { return html.EscapeString(s) }

// cut shortens s to at most n characters, marking the cut with "…".
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// jiraLink is an issue's address in Jira; "" without a Jira URL.
func (u *UI) jiraLink(key string) string {
	if u.opts.JiraURL == "" || !radar.IsIssueKey(key) {
		return ""
	}
	return u.opts.JiraURL + "/browse/" + key
}

// jiraVersionLink is a version's page in Jira; "" without a Jira URL.
func (u *UI) jiraVersionLink(v *radar.Version) string {
	if u.opts.JiraURL == "" || v.ID == "" {
		return ""
	}
	return u.opts.JiraURL + "/projects/" + url.PathEscape(v.Project) + "/versions/" + url.PathEscape(v.ID)
}

// graphSVG draws a neighbourhood as a layered picture, left (what the focus
// waits on) to right (what waits on it, then the releases).
func (u *UI) graphSVG(nb *neighbourhood) template.HTML {
	edges := make([]layoutEdge, len(nb.edges))
	for i, e := range nb.edges {
		edges[i] = layoutEdge{e.from, e.to}
	}
	l := layered(len(nb.nodes), edges)
	x := func(v int) float64 { return graphPad + float64(l.lay[v])*(nodeW+gapX) }
	y := func(v int) float64 { return graphPad + l.y[v]*slotH }
	width := 2*graphPad + float64(len(l.slots))*(nodeW+gapX) - gapX
	height := 2*graphPad + l.height()*slotH

	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="graph" xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" role="img" aria-labelledby="graph-title">`,
		width, height, width, height)
	fmt.Fprintf(&b, `<title id="graph-title">Dependency neighbourhood of %s: %d issues it waits on, %d waiting on it</title>`,
		esc(nb.nodes[0].key), nb.upstream, nb.downstream)
	b.WriteString(`<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="9" markerHeight="9" markerUnits="userSpaceOnUse" orient="auto-start-reverse">` +
		`<path d="M0,0 L10,5 L0,10 z" class="arrowhead"/></marker>` +
		`<marker id="arrow-critical" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="9" markerHeight="9" markerUnits="userSpaceOnUse" orient="auto-start-reverse">` +
		`<path d="M0,0 L10,5 L0,10 z" class="arrowhead critical"/></marker></defs>`)
	for i, e := range nb.edges {
		pts := [][2]float64{}
		if l.flip[i] { // a cycle's back edge leaves leftwards
			pts = append(pts, [2]float64{x(e.from), y(e.from)})
		} else {
			pts = append(pts, [2]float64{x(e.from) + nodeW, y(e.from)})
		}
		for _, d := range l.routes[i] {
			pts = append(pts, [2]float64{x(d) + nodeW/2, y(d)})
		}
		if l.flip[i] {
			pts = append(pts, [2]float64{x(e.to) + nodeW, y(e.to)})
		} else {
			pts = append(pts, [2]float64{x(e.to), y(e.to)})
		}
		class := "edge " + e.kind
		marker := "arrow"
		if e.critical {
			class += " critical"
			marker = "arrow-critical"
		}
		if e.cycle {
			class += " cycle"
		}
		fmt.Fprintf(&b, `<path class="%s" d="%s" marker-end="url(#%s)"><title>%s</title></path>`, class, curvePath(pts), marker, esc(edgeTitle(nb, e)))
	}
	for v, n := range nb.nodes {
		u.drawNode(&b, n, x(v), y(v)-nodeH/2)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// curvePath joins points with horizontal-tangent cubic curves.
func curvePath(pts [][2]float64) string {
	var b strings.Builder
	fmt.Fprintf(&b, "M%.1f,%.1f", pts[0][0], pts[0][1])
	for i := 1; i < len(pts); i++ {
		p, q := pts[i-1], pts[i]
		dx := curve
		if q[0] < p[0] {
			dx = -curve
		}
		fmt.Fprintf(&b, " C%.1f,%.1f %.1f,%.1f %.1f,%.1f", p[0]+float64(dx), p[1], q[0]-float64(dx), q[1], q[0], q[1])
	}
	return b.String()
}

func edgeTitle(nb *neighbourhood, e graphEdge) string {
	from, to := nodeName(nb.nodes[e.from]), nodeName(nb.nodes[e.to])
	switch e.kind {
	case edgeParent:
		return from + " is part of " + to
	case edgeRelease:
		return from + " is in release " + to
	}
	s := from + " blocks " + to
	if e.critical {
		s += " (critical path)"
	}
	if e.cycle {
		s += " (in a cycle)"
	}
	return s
}

func nodeName(n graphNode) string {
	if n.release != nil {
		return n.release.Project + " " + n.release.Name
	}
	return n.key
}

// nodeClass is the CSS classes that colour a node.
func nodeClass(n graphNode) string {
	c := []string{"node"}
	switch {
	case n.release != nil:
		c = append(c, "release")
	case n.issue == nil:
		c = append(c, "external")
	case n.issue.Done():
		c = append(c, "done")
	case n.issue.StatusCategory == radar.CategoryInProgress:
		c = append(c, "progress")
	default:
		c = append(c, "todo")
	}
	for _, f := range []struct {
		on   bool
		name string
	}{{n.focus, "focus"}, {n.critical, "critical"}, {n.cycle, "cycle"}, {n.blocker, "blocker"}} {
		if f.on {
			c = append(c, f.name)
		}
	}
	return strings.Join(c, " ")
}

func (u *UI) drawNode(b *strings.Builder, n graphNode, x, y float64) {
	fmt.Fprintf(b, `<g class="%s" data-key="%s">`, nodeClass(n), esc(nodeName(n)))
	if n.release != nil {
		due := "no release date"
		if !n.release.ReleaseDate.IsZero() {
			due = "due " + n.release.ReleaseDate.Format("2006-01-02")
		}
		fmt.Fprintf(b, `<a href="%s"><title>Release %s, %s</title><rect x="%.1f" y="%.1f" width="%d" height="%d" rx="14"/>`,
			esc(radar.ReleasePath(n.release.Project, n.release.Name)), esc(nodeName(n)), due, x, y, nodeW, nodeH)
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" class="key">%s</text><text x="%.1f" y="%.1f" class="sum">%s</text></a>`,
			x+10, y+19, esc(cut("Release "+nodeName(n), 22)), x+10, y+36, due)
		if j := u.jiraVersionLink(n.release); j != "" {
			fmt.Fprintf(b, `<a href="%s" class="jira" rel="noopener"><title>Open %s in Jira</title><text x="%.1f" y="%.1f">Jira ↗</text></a>`,
				esc(j), esc(nodeName(n)), x+nodeW-8, y+19)
		}
		b.WriteString(`</g>`)
		return
	}
	title, sum := n.key+" · outside the synced projects", "outside the synced projects"
	if n.issue != nil {
		title = fmt.Sprintf("%s · %s · %s", n.key, n.issue.Status, n.issue.Summary)
		sum = n.issue.Summary
	}
	fmt.Fprintf(b, `<a href="%s"><title>%s</title><rect x="%.1f" y="%.1f" width="%d" height="%d" rx="6"/>`,
		esc(radar.IssuePath(n.key)), esc(cut(title, 300)), x, y, nodeW, nodeH)
	mark := ""
	switch {
	case n.cycle:
		mark = " ⟳"
	case n.critical:
		mark = " ★"
	}
	fmt.Fprintf(b, `<text x="%.1f" y="%.1f" class="key">%s%s</text><text x="%.1f" y="%.1f" class="sum">%s</text></a>`,
		x+10, y+19, esc(cut(n.key, 18)), mark, x+10, y+36, esc(cut(sum, maxNodeText)))
	if j := u.jiraLink(n.key); j != "" {
		fmt.Fprintf(b, `<a href="%s" class="jira" rel="noopener"><title>Open %s in Jira</title><text x="%.1f" y="%.1f">Jira ↗</text></a>`,
			esc(j), esc(n.key), x+nodeW-8, y+19)
	}
	b.WriteString(`</g>`)
}
