package connector

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/radarhq/radar"
	"github.com/radarhq/radar/config"
)

// Fields every search asks for; custom field ids are added per site.
var systemFields = []string{"summary", "project", "issuetype", "status", "priority", "assignee", "created", "updated",
	"resolutiondate", "duedate", "labels", "components", "fixVersions", "parent", "issuelinks",
	"timeoriginalestimate", "timeestimate", "timespent"}

// Custom field schema types, stable across sites unlike field ids.
const (
	schemaSprint      = "com.pyxis.greenhopper.jira:gh-sprint"
	schemaEpicLink    = "com.pyxis.greenhopper.jira:gh-epic-link"
	schemaStoryPoints = "com.pyxis.greenhopper.jira:jsw-story-points"
)

// discover reads the site's flavour, custom fields, link types and statuses,
// caching them until refresh is asked for.
func (c *Connector) discover(ctx context.Context, refresh bool) (*site, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.site != nil && !refresh {
		return c.site, nil
	}
	site := &site{discoveredAt: c.now()}
	askFlavor := false
	switch c.cfg.Flavor {
	case "cloud":
		site.cloud = true
	case "datacenter", "server":
	default:
		if c.site != nil {
			site.cloud = c.site.cloud
			break
		}
		askFlavor = true
	}

	// The four reads are independent: run them side by side (within
	// jira.concurrency) so a first sync starts a few round trips sooner.
	var info *wireServerInfo
	var fields *[]wireField
	var lts *wireLinkTypes
	var sts *[]wireStatus
	reads := []func() error{
		func() (err error) {
			if askFlavor {
				info, err = call[wireServerInfo](ctx, c, "read server info", http.MethodGet, "rest/api/2/serverInfo", nil)
			}
			return err
		},
		func() (err error) {
			fields, err = call[[]wireField](ctx, c, "read fields", http.MethodGet, "rest/api/2/field", nil)
			return err
		},
		func() (err error) {
			lts, err = call[wireLinkTypes](ctx, c, "read link types", http.MethodGet, "rest/api/2/issueLinkType", nil)
			return err
		},
		func() (err error) {
			sts, err = call[[]wireStatus](ctx, c, "read statuses", http.MethodGet, "rest/api/2/status", nil)
			return err
		},
	}
	if err := c.inParallel(reads); err != nil {
		return nil, err
	}
	if askFlavor {
		site.cloud = strings.EqualFold(info.DeploymentType, "Cloud")
	}
	fm := resolveFields(*fields, c.cfg.Fields)
	deps, err := dependencyRules(c.cfg.Dependencies, lts.IssueLinkTypes)
	if err != nil {
		return nil, err
	}
	statuses := make([]radar.Status, 0, len(*sts))
	for _, s := range *sts {
		statuses = append(statuses, s.status())
	}
	if err := c.store.PutStatuses(ctx, statuses); err != nil {
		return nil, err
	}

	site.mapper = &mapper{fields: fm, deps: deps}
	site.fieldList = append(append([]string{}, systemFields...), fm.ids()...)
	c.site = site
	c.pace.forFlavor(site.cloud)
	c.log.Info("jira site discovered", "cloud", site.cloud, "story_points", fm.StoryPoints, "sprint", fm.Sprint,
		"flagged", fm.Flagged, "epic_link", fm.EpicLink, "start_date", fm.StartDate)
	return site, nil
}

func (f fieldMap) ids() []string {
	var out []string
	out = append(out, f.StoryPoints...)
	for _, id := range []string{f.Sprint, f.Flagged, f.EpicLink, f.StartDate} {
		if id != "" {
			out = append(out, id)
		}
	}
	return out
}

// resolveFields finds the custom fields Radar reads by schema type or name;
// configured ids win.
func resolveFields(fields []wireField, over config.Fields) fieldMap {
	var fm fieldMap
	for _, f := range fields {
		if !f.Custom && !strings.HasPrefix(f.ID, "customfield_") {
			continue
		}
		name := strings.ToLower(strings.TrimSpace(f.Name))
		switch {
		case f.Schema.Custom == schemaSprint:
			fm.Sprint = f.ID
		case f.Schema.Custom == schemaEpicLink:
			fm.EpicLink = f.ID
		case f.Schema.Custom == schemaStoryPoints || name == "story points" || name == "story point estimate":
			fm.StoryPoints = append(fm.StoryPoints, f.ID)
		case name == "flagged":
			fm.Flagged = f.ID
		case name == "start date":
			fm.StartDate = f.ID
		}
	}
	sort.Strings(fm.StoryPoints)
	if over.StoryPoints != "" {
		fm.StoryPoints = []string{over.StoryPoints}
	}
	for dst, v := range map[*string]string{&fm.Sprint: over.Sprint, &fm.Flagged: over.Flagged, &fm.EpicLink: over.EpicLink, &fm.StartDate: over.StartDate} {
		if v != "" {
			*dst = v
		}
	}
	return fm
}

// dependencyRules checks the configured dependency link types against the
// site's and says how to read each.
func dependencyRules(deps []config.Dependency, types []wireLinkType) (map[string]dependencyRule, error) {
	known := map[string]bool{}
	var names []string
	for _, t := range types {
		known[strings.ToLower(t.Name)] = true
		names = append(names, t.Name)
	}
	for i, d := range deps {
		if !known[strings.ToLower(d.Link)] {
			return nil, fmt.Errorf("jira.dependencies[%d].link: this Jira has no link type %q; use one of: %s", i, d.Link, strings.Join(names, ", "))
		}
	}
	return rulesOf(deps), nil
}

// rulesOf says how to read each configured dependency's link type, by
// lower-cased link type name.
func rulesOf(deps []config.Dependency) map[string]dependencyRule {
	out := make(map[string]dependencyRule, len(deps))
	for _, d := range deps {
		out[strings.ToLower(d.Link)] = dependencyRule{outwardBlocks: d.Outward != config.OutwardDependsOn}
	}
	return out
}

// inParallel runs fns at most jira.concurrency at a time and returns the
// error of the first one (in order) that failed; after a failure it starts
// no more.
func (c *Connector) inParallel(fns []func() error) error {
	errs := make([]error, len(fns))
	sem := make(chan struct{}, c.slots(false)) // the flavour may not be known yet
	var wg sync.WaitGroup
	var failed atomic.Bool
	for i, fn := range fns {
		sem <- struct{}{}
		if failed.Load() {
			<-sem
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if errs[i] = fn(); errs[i] != nil {
				failed.Store(true)
			}
		}()
	}
	wg.Wait()
	return firstNonNil(errs)
}

func firstNonNil(errs []error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
