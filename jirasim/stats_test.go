package jirasim

import "slices"

// stats are the proportions REALISM.md describes, measured on a scenario.
type stats struct {
	Issues                                            int
	Linked, LinkEntries, Open, Assigned, Subtasks     float64
	DepOpenOpen, Due, WithFixVersion, InClosedSprints float64
	MedianHistories, MaxHistories, MinEpic, MaxEpic   int
	Reopened                                          int
}

func scenarioStats(sc *Scenario) stats {
	st := stats{Issues: len(sc.Issues)}
	cat := map[string]string{}
	for _, s := range sc.Statuses {
		cat[s.ID] = s.CategoryKey
	}
	state := map[string]string{}
	closed := map[int]bool{}
	for _, sp := range sc.Sprints {
		closed[sp.ID] = sp.State == SprintClosed
	}
	epicSize := map[string]int{}
	types := map[string]string{}
	for _, is := range sc.Issues {
		types[is.Key] = is.Type
	}
	n := float64(len(sc.Issues))
	for _, is := range sc.Issues {
		state[is.Key] = cat[is.Status]
		if cat[is.Status] != CategoryDone {
			st.Open++
		}
		if is.Assignee != "" {
			st.Assigned++
		}
		if is.Type == "Sub-task" {
			st.Subtasks++
		}
		if is.DueDate != "" {
			st.Due++
		}
		if len(is.FixVersions) > 0 {
			st.WithFixVersion++
		}
		for _, id := range is.Sprints {
			if closed[id] {
				st.InClosedSprints++
				break
			}
		}
		if is.Parent != "" && types[is.Parent] == "Epic" {
			epicSize[is.Parent]++
		}
	}
	linked := map[string]bool{}
	deps, openOpen := 0, 0
	for _, l := range sc.Links {
		linked[l.Inward], linked[l.Outward] = true, true
		st.LinkEntries += 2
		if l.Type == "Blocks" || l.Type == "Depends" {
			deps++
			if state[l.Inward] != CategoryDone && state[l.Outward] != CategoryDone {
				openOpen++
			}
		}
	}
	st.Linked = float64(len(linked)) / n
	st.LinkEntries /= n
	st.DepOpenOpen = float64(openOpen) / float64(max(deps, 1))
	st.Open /= n
	st.Assigned /= n
	st.Subtasks /= n
	st.Due /= n
	st.WithFixVersion /= n
	st.InClosedSprints /= n
	var counts []int
	for _, is := range sc.Issues {
		hs := sc.Changelogs[is.Key]
		counts = append(counts, len(hs))
		for _, h := range hs {
			for _, it := range h.Items {
				if it.Field == "status" && cat[it.From] == CategoryDone && cat[it.To] != CategoryDone {
					st.Reopened++
				}
			}
		}
	}
	slices.Sort(counts)
	st.MedianHistories, st.MaxHistories = counts[len(counts)/2], counts[len(counts)-1]
	st.MinEpic, st.MaxEpic = 1<<30, 0
	for _, c := range epicSize {
		st.MinEpic, st.MaxEpic = min(st.MinEpic, c), max(st.MaxEpic, c)
	}
	return st
}
