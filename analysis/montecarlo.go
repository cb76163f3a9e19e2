package analysis

import (
	"hash/fnv"
	"math/rand/v2"
	"slices"
)

// simulate fills each queued plan's trial finish days. A trial draws weeks
// at random from the weekly throughput (a bootstrap of the recent pace)
// until the items of the whole queue are done, noting when each version's
// share (its items plus all ahead of it) is reached; no trial runs past
// maxForecastWeeks. Each version also waits for its critical path: every
// issue on it with a statistical estimate takes that estimate times a
// random bounded sample of how cycle times vary around their type's median,
// issue by issue, so a long chain's uncertainty averages as real work does.
// A plan with open items but no weekly history gets no finishes.
func (m *model) simulate(queue []*versionPlan, weekly, spread []float64) {
	n := len(queue)
	target := make([]float64, n)
	sum := 0.0
	for k, pl := range queue {
		sum += float64(pl.queued)
		target[k] = sum
	}
	if sum > 0 && len(weekly) == 0 {
		return
	}
	h := fnv.New64a()
	h.Write([]byte(queue[0].v.Project + "/" + queue[0].v.ID))
	rng := rand.New(rand.NewPCG(uint64(m.opts.Seed), h.Sum64()))
	horizon := m.today + maxForecastWeeks*7
	bases := make([]float64, n)
	for k, pl := range queue {
		pl.fin = make([]int64, m.opts.Trials)
		for _, st := range pl.steps {
			bases[k] += st.days
		}
	}
	at := make([]float64, n) // weeks until each target is reached
	for trial := range m.opts.Trials {
		cum, weeks, j := 0.0, 0.0, 0
		for j < n && target[j] <= cum {
			at[j] = 0
			j++
		}
		for j < n && weeks < maxForecastWeeks {
			x := weekly[rng.IntN(len(weekly))]
			for j < n && cum+x >= target[j] {
				at[j] = weeks + (target[j]-cum)/x
				j++
			}
			cum += x
			weeks++
		}
		for ; j < n; j++ {
			at[j] = maxForecastWeeks
		}
		for k, pl := range queue {
			path := pl.cpDays
			if len(spread) > 0 && pl.cpDays > 0 && bases[k] > 0 {
				drawn := 0.0
				for _, st := range pl.steps {
					f := 1.0
					if st.statistical {
						f = spread[rng.IntN(len(spread))]
					}
					drawn += st.days * f
				}
				path = pl.cpDays * drawn / bases[k] // keep the path's own scale
			}
			pl.fin[trial] = min(horizon, m.today+max(ceilDays(path), ceilDays(at[k]*7)))
		}
	}
	for _, pl := range queue {
		slices.Sort(pl.fin)
		pl.capped = percentileDay(pl.fin, 0.5) >= horizon
	}
}

// pathStep is one issue on a critical path: its estimated days, and whether
// that estimate is statistical (a cycle time or points) rather than the
// issue's own remaining estimate.
type pathStep struct {
	days        float64
	statistical bool
}

// pathSteps lists the issues on the critical path ending with component c.
func (m *model) pathSteps(c int32) []pathStep {
	var out []pathStep
	for _, cc := range chain(m.pred, c) {
		for _, v := range m.members.neighbours(cc) {
			out = append(out, pathStep{days: m.dur[v], statistical: m.iss[v].RemainingEstimate <= 0})
		}
	}
	return out
}
