package webui

import (
	"fmt"
	"html/template"
	"math"
	"strings"
	"time"

	"github.com/radarhq/radar"
)

// Sizes of the release charts, in pixels.
const (
	chartW = 720
	chartH = 260
	chartL = 48 // left margin, for the y axis labels
	chartR = 16
	chartT = 16
	chartB = 36 // bottom margin, for the dates
)

// axes maps times and counts to chart pixels.
type axes struct {
	from, to time.Time
	ymax     float64
}

func (a axes) x(t time.Time) float64 {
	span := a.to.Sub(a.from)
	if span <= 0 {
		return chartL
	}
	return chartL + float64(t.Sub(a.from))/float64(span)*(chartW-chartL-chartR)
}

func (a axes) y(v float64) float64 {
	if a.ymax <= 0 {
		return chartH - chartB
	}
	return chartH - chartB - v/a.ymax*(chartH-chartT-chartB)
}

// niceMax rounds a count up so four ticks fall on whole numbers.
func niceMax(v float64) float64 {
	return max(4, math.Ceil(v/4)*4)
}

// frame draws the axes with a few dates and counts.
func (a axes) frame(b *strings.Builder, yLabel string) {
	fmt.Fprintf(b, `<line class="axis" x1="%d" y1="%d" x2="%d" y2="%d"/>`, chartL, chartH-chartB, chartW-chartR, chartH-chartB)
	fmt.Fprintf(b, `<line class="axis" x1="%d" y1="%d" x2="%d" y2="%d"/>`, chartL, chartT, chartL, chartH-chartB)
	for i := 0; i <= 4; i++ {
		t := a.from.Add(a.to.Sub(a.from) * time.Duration(i) / 4)
		class := "tick"
		if i == 4 {
			class += " last"
		}
		fmt.Fprintf(b, `<text class="%s" x="%.1f" y="%d">%s</text>`, class, a.x(t), chartH-chartB+16, t.Format("2006-01-02"))
	}
	for i := 0; i <= 4; i++ {
		v := a.ymax * float64(i) / 4
		fmt.Fprintf(b, `<text class="tick y" x="%d" y="%.1f">%.0f</text>`, chartL-6, a.y(v)+4, v)
	}
	fmt.Fprintf(b, `<text class="tick label" x="%d" y="%d">%s</text>`, 4, chartT-10, esc(yLabel))
}

func polyline(a axes, class string, pts []scopePoint, value func(scopePoint) int) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<polyline class="%s" points="`, class)
	for i, p := range pts {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%.1f,%.1f", a.x(p.at), a.y(float64(value(p))))
	}
	b.WriteString(`"/>`)
	return b.String()
}

// scopeSVG draws a version's scope over time: all issues in it, those
// done, and those added after its start, from its start to now.
func scopeSVG(v *radar.Version, sc scope) template.HTML {
	if len(sc.points) == 0 {
		return ""
	}
	a := axes{from: sc.start, to: sc.points[len(sc.points)-1].at}
	for _, p := range sc.points {
		a.ymax = max(a.ymax, float64(p.total))
	}
	a.ymax = niceMax(a.ymax)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart scope" xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-labelledby="scope-title">`,
		chartW, chartH, chartW, chartH)
	fmt.Fprintf(&b, `<title id="scope-title">Scope of %s %s over time: issues in it and issues done</title>`, esc(v.Project), esc(v.Name))
	a.frame(&b, "issues")
	b.WriteString(polyline(a, "line total", sc.points, func(p scopePoint) int { return p.total }))
	b.WriteString(polyline(a, "line done", sc.points, func(p scopePoint) int { return p.done }))
	b.WriteString(polyline(a, "line added", sc.points, func(p scopePoint) int { return p.added }))
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// fanSVG draws the forecast as a fan: the work remaining so far, then
// lines from today's remaining work down to zero at P50, P85 and P95,
// against the release date. Without a forecast it draws the history and
// the release date only.
func fanSVG(v *radar.Version, fc *radar.VersionForecast, sc scope, now time.Time) template.HTML {
	remaining := 0
	if n := len(sc.points); n > 0 {
		remaining = sc.points[n-1].total - sc.points[n-1].done
	}
	var qs [3]time.Time
	var have [3]bool
	names := [3]string{"p50", "p85", "p95"}
	if fc != nil {
		for i, d := range [3]radar.Date{fc.P50, fc.P85, fc.P95} {
			qs[i], have[i] = d.Time(), !d.IsZero()
		}
	}
	release, hasRelease := time.Time{}, !v.ReleaseDate.IsZero()
	if hasRelease {
		release = v.ReleaseDate
	}
	a := axes{from: now.AddDate(0, 0, -28), to: now.AddDate(0, 0, 28), ymax: float64(max(remaining, 1))}
	if !sc.start.IsZero() && sc.start.Before(a.from) {
		a.from = sc.start
	}
	for i := range qs {
		if have[i] && qs[i].After(a.to) {
			a.to = qs[i]
		}
	}
	if hasRelease && release.After(a.to) {
		a.to = release
	}
	if hasRelease && release.Before(a.from) {
		a.from = release
	}
	a.to = a.to.Add(a.to.Sub(a.from) / 20)
	for _, p := range sc.points {
		a.ymax = max(a.ymax, float64(p.total-p.done))
	}
	a.ymax = niceMax(a.ymax)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart fan" xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-labelledby="fan-title">`,
		chartW, chartH, chartW, chartH)
	fmt.Fprintf(&b, `<title id="fan-title">Forecast of %s %s: remaining work and when it reaches zero (P50, P85, P95) against the release date</title>`,
		esc(v.Project), esc(v.Name))
	a.frame(&b, "issues left")
	if have[0] && have[2] {
		fmt.Fprintf(&b, `<polygon class="fan-area" points="%.1f,%.1f %.1f,%.1f %.1f,%.1f"/>`,
			a.x(now), a.y(float64(remaining)), a.x(qs[0]), a.y(0), a.x(qs[2]), a.y(0))
	}
	b.WriteString(polyline(a, "line remaining", sc.points, func(p scopePoint) int { return p.total - p.done }))
	for i := range qs {
		if !have[i] {
			continue
		}
		fmt.Fprintf(&b, `<line class="quantile %s" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f"><title>%s: done by %s</title></line>`,
			names[i], a.x(now), a.y(float64(remaining)), a.x(qs[i]), a.y(0), strings.ToUpper(names[i]), qs[i].Format(time.DateOnly))
		fmt.Fprintf(&b, `<text class="tick qlabel %s" x="%.1f" y="%.1f">%s</text>`, names[i], a.x(qs[i]), a.y(0)-6-float64(i)*12, strings.ToUpper(names[i]))
	}
	if hasRelease {
		fmt.Fprintf(&b, `<line class="release-date" x1="%.1f" y1="%d" x2="%.1f" y2="%d"><title>Release date %s</title></line>`,
			a.x(release), chartT, a.x(release), chartH-chartB, release.Format(time.DateOnly))
		fmt.Fprintf(&b, `<text class="tick rlabel" x="%.1f" y="%d">release %s</text>`, a.x(release)+4, chartT+12, release.Format(time.DateOnly))
	}
	fmt.Fprintf(&b, `<line class="today" x1="%.1f" y1="%d" x2="%.1f" y2="%d"><title>Today</title></line>`, a.x(now), chartT, a.x(now), chartH-chartB)
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
