package deploy_test

import (
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"gopkg.in/yaml.v3"

	"github.com/radarhq/radar"
	"github.com/radarhq/radar/config"
	"github.com/radarhq/radar/deploy"
	"github.com/radarhq/radar/metrics"
)

const (
	dashboardPath  = "grafana/dashboards/radar.json"
	rulesPath      = "prometheus/rules.yml"
	rulesTestPath  = "prometheus/rules_test.yml"
	promConfigPath = "prometheus/prometheus.yml"
	composePath    = "compose.yaml"
	radarConfig    = "radar/radar.yaml"
)

// exportedNames returns every series name a populated Radar registry
// exposes, histogram and summary series (_bucket, _sum, _count) included,
// and the radar_ metric family names.
func exportedNames(t *testing.T) (series map[string]bool, radarFamilies []string) {
	t.Helper()
	reg := prometheus.NewRegistry()
	m := metrics.New(reg)
	m.SetAnalysis(metrics.FromReport(radar.Report{
		Findings: []radar.Finding{{Kind: radar.KindBlocker, Severity: radar.SeverityCritical, Project: "PAY", Issue: "PAY-1",
			Evidence: radar.BlockerFacts{BlastRadius: 3, DirectDependents: []string{"PAY-2"}}}},
		Versions: []radar.VersionForecast{{Project: "PAY", Name: "1.0", ReleaseDate: radar.MustParseDate("2026-04-01"),
			P50: radar.MustParseDate("2026-03-20"), P85: radar.MustParseDate("2026-04-02"), P95: radar.MustParseDate("2026-04-09"), OnTimeProbability: 0.4, CriticalPathRemaining: time.Hour}},
	}, []radar.Issue{{Key: "PAY-1", Project: "PAY", StatusCategory: radar.CategoryInProgress}}))
	m.SyncFinished(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), time.Minute, 10, nil)
	m.JiraRequest("200")
	m.JiraRetry(metrics.ReasonRateLimited)
	m.AnalysisFinished(time.Second)
	m.Notification(metrics.ResultSent)
	m.OutboxPending(0)
	m.SetUnowned([]radar.Finding{{Kind: radar.KindBlocker, Severity: radar.SeverityCritical, Project: "PAY"}})
	m.DependencyResult(metrics.DependencyJira, time.Date(2026, 3, 2, 9, 1, 0, 0, time.UTC), nil)
	m.DependencyResult(metrics.DependencySlack, time.Date(2026, 3, 2, 9, 1, 0, 0, time.UTC), nil)

	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	series = map[string]bool{}
	for _, mf := range mfs {
		name := mf.GetName()
		series[name] = true
		switch mf.GetType() {
		case dto.MetricType_HISTOGRAM:
			series[name+"_bucket"], series[name+"_sum"], series[name+"_count"] = true, true, true
		case dto.MetricType_SUMMARY:
			series[name+"_sum"], series[name+"_count"] = true, true
		}
		if strings.HasPrefix(name, "radar_") {
			radarFamilies = append(radarFamilies, name)
		}
	}
	return series, radarFamilies
}

func TestMetricNames(t *testing.T) {
	tests := []struct {
		expr string
		want []string
	}{
		{`radar_findings`, []string{"radar_findings"}},
		{`sum by (kind) (radar_findings{project=~"$project"})`, []string{"radar_findings"}},
		{`sum(radar_findings{project=~"$project",severity="critical"}) by (project, severity)`, []string{"radar_findings"}},
		{`histogram_quantile(0.95, sum by (le) (rate(radar_sync_duration_seconds_bucket[$__rate_interval])))`,
			[]string{"radar_sync_duration_seconds_bucket"}},
		{`time() - max(radar_sync_last_success_timestamp_seconds)`, []string{"radar_sync_last_success_timestamp_seconds"}},
		{"radar_release_forecast_timestamp_seconds{quantile=\"0.85\"}\n> ignoring(quantile)\nradar_release_due_timestamp_seconds",
			[]string{"radar_release_due_timestamp_seconds", "radar_release_forecast_timestamp_seconds"}},
		{`max without (quantile) (a_metric offset 5m) * 1e+3 / 86400 > bool on(project) group_left(version) b_metric`,
			[]string{"a_metric", "b_metric"}},
		{`absent(up{job="radar",text="sum(fake_metric)"}) or vector(0)`, []string{"up"}},
		{`rate(x_total[5m:1m] @ start())`, []string{"x_total"}},
		{`${DS_PROMETHEUS} + [[project]] + $project + 0.5`, nil},
		{`# a comment naming not_a_metric` + "\n" + `count(topk(3, real_metric))`, []string{"real_metric"}},
		{`Sum BY (le) (RATE(m[1m]))`, []string{"m"}},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			if got := deploy.MetricNames(tt.expr); !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestExpandVariables(t *testing.T) {
	vars := map[string]string{"project": "PAY|WEB", "__rate_interval": "2m"}
	tests := []struct{ in, want string }{
		{`rate(x{project=~"$project"}[$__rate_interval])`, `rate(x{project=~"PAY|WEB"}[2m])`},
		{`x{project=~"${project}"}`, `x{project=~"PAY|WEB"}`},
		{`x{project=~"${project:regex}"}`, `x{project=~"PAY|WEB"}`},
		{`x{project=~"[[project]]"}`, `x{project=~"PAY|WEB"}`},
		{`x{job="$job"}`, `x{job="$job"}`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := deploy.ExpandVariables(tt.in, vars); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestDashboardUsesExportedMetrics checks that every dashboard expression
// selects only metrics Radar exports, and that every radar_ metric is on
// the dashboard.
func TestDashboardUsesExportedMetrics(t *testing.T) {
	exported, families := exportedNames(t)
	exprs, err := deploy.DashboardExprs(dashboardPath)
	if err != nil {
		t.Fatal(err)
	}
	if len(exprs) < 10 {
		t.Fatalf("got %d dashboard expressions, want at least 10", len(exprs))
	}
	used := map[string]bool{}
	for _, e := range exprs {
		names := deploy.MetricNames(e)
		if len(names) == 0 {
			t.Errorf("expression selects no metric: %s", e)
		}
		for _, n := range names {
			used[n] = true
			if !exported[n] {
				t.Errorf("expression uses %s, which Radar does not export: %s", n, e)
			}
		}
	}
	queries, err := deploy.DashboardVariableQueries(dashboardPath)
	if err != nil {
		t.Fatal(err)
	}
	if len(queries) == 0 {
		t.Error("dashboard has no query variable")
	}
	for _, q := range queries {
		inner, ok := strings.CutPrefix(q, "label_values(")
		if !ok {
			t.Errorf("variable query %q: want label_values(metric, label)", q)
			continue
		}
		metric, _, _ := strings.Cut(inner, ",")
		for _, n := range deploy.MetricNames(metric) {
			if !exported[n] {
				t.Errorf("variable query uses %s, which Radar does not export: %s", n, q)
			}
		}
	}
	for _, f := range families {
		found := used[f] || used[f+"_bucket"] || used[f+"_sum"] || used[f+"_count"]
		if !found {
			t.Errorf("metric %s is not on the dashboard", f)
		}
	}
}

func TestDashboardModel(t *testing.T) {
	body, err := os.ReadFile(dashboardPath)
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		UID           string `json:"uid"`
		Title         string `json:"title"`
		SchemaVersion int    `json:"schemaVersion"`
		Templating    struct {
			List []struct {
				Name, Type string
			} `json:"list"`
		} `json:"templating"`
		Panels []struct {
			ID         int    `json:"id"`
			Type       string `json:"type"`
			Title      string `json:"title"`
			Datasource *struct {
				UID string `json:"uid"`
			} `json:"datasource"`
			GridPos struct{ X, W, H int } `json:"gridPos"`
			Targets []struct {
				RefID      string `json:"refId"`
				Datasource struct {
					UID string `json:"uid"`
				} `json:"datasource"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(body, &d); err != nil {
		t.Fatal(err)
	}
	if d.UID != "radar" || d.Title == "" {
		t.Errorf("uid %q title %q: want uid radar and a title", d.UID, d.Title)
	}
	if d.SchemaVersion < 36 || d.SchemaVersion > 41 {
		t.Errorf("schemaVersion: got %d, want 36–41 (Grafana 10–11)", d.SchemaVersion)
	}
	vars := map[string]string{}
	for _, v := range d.Templating.List {
		vars[v.Name] = v.Type
	}
	if vars["project"] != "query" || vars["DS_PROMETHEUS"] != "datasource" {
		t.Errorf("template variables: got %v, want project (query) and DS_PROMETHEUS (datasource)", vars)
	}
	ids := map[int]bool{}
	for _, p := range d.Panels {
		if ids[p.ID] {
			t.Errorf("panel %q: duplicate id %d", p.Title, p.ID)
		}
		ids[p.ID] = true
		if p.GridPos.X+p.GridPos.W > 24 || p.GridPos.H == 0 {
			t.Errorf("panel %q: bad gridPos %+v", p.Title, p.GridPos)
		}
		if p.Type == "row" {
			continue
		}
		if p.Datasource == nil || p.Datasource.UID != "${DS_PROMETHEUS}" {
			t.Errorf("panel %q: datasource must be ${DS_PROMETHEUS}", p.Title)
		}
		refs := map[string]bool{}
		for _, tg := range p.Targets {
			if refs[tg.RefID] {
				t.Errorf("panel %q: duplicate refId %q", p.Title, tg.RefID)
			}
			refs[tg.RefID] = true
			if tg.Datasource.UID != "${DS_PROMETHEUS}" {
				t.Errorf("panel %q target %s: datasource must be ${DS_PROMETHEUS}", p.Title, tg.RefID)
			}
		}
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
	}
}

func TestRulesUseExportedMetrics(t *testing.T) {
	exported, _ := exportedNames(t)
	rules, err := deploy.RuleExprs(rulesPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"RadarSyncStale", "RadarReleaseAtRisk", "RadarReleaseForecastAfterDue", "RadarSlackOutboxStuck", "RadarDependencyDown", "RadarAnalysisFailing"} {
		if _, ok := rules[want]; !ok {
			t.Errorf("rule %s missing from %s", want, rulesPath)
		}
	}
	for name, expr := range rules {
		names := deploy.MetricNames(expr)
		if len(names) == 0 {
			t.Errorf("%s selects no metric", name)
		}
		for _, n := range names {
			if !exported[n] {
				t.Errorf("%s uses %s, which Radar does not export", name, n)
			}
		}
	}
}

// TestPromtool checks the Prometheus configuration and runs the alerting
// rules' unit tests with promtool (Debian package prometheus).
func TestPromtool(t *testing.T) {
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		t.Skip("promtool not on PATH: run .ci/install.sh (installs Debian's prometheus package) to check the rules")
	}
	for _, args := range [][]string{
		{"check", "rules", rulesPath},
		{"check", "config", promConfigPath},
		{"test", "rules", rulesTestPath},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			out, err := exec.Command(promtool, args...).CombinedOutput()
			if err != nil {
				t.Errorf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
			}
		})
	}
}

// TestComposeWiring checks that compose.yaml, the Prometheus and Grafana
// configuration and Radar's configuration agree with one another.
func TestComposeWiring(t *testing.T) {
	var compose struct {
		Services map[string]struct {
			Build *struct {
				Context    string `yaml:"context"`
				Dockerfile string `yaml:"dockerfile"`
			} `yaml:"build"`
			Command     []string          `yaml:"command"`
			Volumes     []string          `yaml:"volumes"`
			Environment map[string]string `yaml:"environment"`
		} `yaml:"services"`
		Volumes map[string]any `yaml:"volumes"`
	}
	readYAML(t, composePath, &compose)
	for _, s := range []string{"radar", "prometheus", "grafana"} {
		if _, ok := compose.Services[s]; !ok {
			t.Fatalf("compose service %s missing", s)
		}
	}
	// Grafana's admin password must be set: no well-known default.
	if pw := compose.Services["grafana"].Environment["GF_SECURITY_ADMIN_PASSWORD"]; !strings.HasPrefix(pw, "${GRAFANA_ADMIN_PASSWORD:?") {
		t.Errorf("grafana admin password %q: want ${GRAFANA_ADMIN_PASSWORD:?…}, required with no default", pw)
	}
	radarSvc := compose.Services["radar"]
	if radarSvc.Build == nil {
		t.Fatal("radar: want a build section")
	}
	if _, err := os.Stat(filepath.Join(radarSvc.Build.Context, radarSvc.Build.Dockerfile)); err != nil {
		t.Errorf("radar build: %v", err)
	}
	targets := map[string]map[string]bool{}
	for name, svc := range compose.Services {
		targets[name] = map[string]bool{}
		for _, v := range svc.Volumes {
			parts := strings.Split(v, ":")
			if len(parts) < 2 {
				t.Errorf("%s: volume %q: want source:target", name, v)
				continue
			}
			src, dst := parts[0], parts[1]
			targets[name][dst] = true
			if strings.HasPrefix(src, ".") {
				if _, err := os.Stat(src); err != nil {
					t.Errorf("%s: bind mount source: %v", name, err)
				}
			} else if _, ok := compose.Volumes[src]; !ok {
				t.Errorf("%s: named volume %q not declared", name, src)
			}
		}
	}
	// Radar reads the mounted configuration and keeps SQLite on a volume.
	cfgPath := ""
	for i, a := range radarSvc.Command {
		if (a == "--config" || a == "-config") && i+1 < len(radarSvc.Command) {
			cfgPath = radarSvc.Command[i+1]
		}
	}
	if !targets["radar"][cfgPath] {
		t.Errorf("radar reads config %q, which is not mounted", cfgPath)
	}
	if !targets["radar"]["/var/lib/radar"] {
		t.Error("radar: /var/lib/radar (the SQLite volume) is not mounted")
	}
	for _, dir := range []string{"/etc/grafana/provisioning", "/var/lib/grafana/dashboards"} {
		if !targets["grafana"][dir] {
			t.Errorf("grafana: %s not mounted", dir)
		}
	}
	for _, f := range []string{"/etc/prometheus/prometheus.yml", "/etc/prometheus/rules.yml"} {
		if !targets["prometheus"][f] {
			t.Errorf("prometheus: %s not mounted", f)
		}
	}

	// Prometheus scrapes the radar service on the port Radar listens on.
	var prom struct {
		RuleFiles     []string `yaml:"rule_files"`
		ScrapeConfigs []struct {
			StaticConfigs []struct {
				Targets []string `yaml:"targets"`
			} `yaml:"static_configs"`
		} `yaml:"scrape_configs"`
	}
	readYAML(t, promConfigPath, &prom)
	if !slices.Contains(prom.RuleFiles, "rules.yml") {
		t.Errorf("prometheus.yml rule_files: got %v, want rules.yml", prom.RuleFiles)
	}
	cfg, err := config.Load(radarConfig, func(k string) string {
		return map[string]string{
			"RADAR_JIRA_URL":   "https://example.atlassian.net",
			"RADAR_JIRA_EMAIL": "radar-bot@example.com",
			"RADAR_JIRA_TOKEN": "test-token",
		}[k]
	})
	if err != nil {
		t.Fatalf("load %s: %v", radarConfig, err)
	}
	if err := cfg.Validate(); err != nil {
		t.Errorf("validate %s: %v", radarConfig, err)
	}
	host, port, err := net.SplitHostPort(cfg.HTTP.Listen)
	if err != nil {
		t.Fatal(err)
	}
	if host != "0.0.0.0" && host != "" {
		t.Errorf("radar listens on %q: Prometheus in another container cannot reach it", cfg.HTTP.Listen)
	}
	if want := "radar:" + port; len(prom.ScrapeConfigs) == 0 || len(prom.ScrapeConfigs[0].StaticConfigs) == 0 ||
		!slices.Contains(prom.ScrapeConfigs[0].StaticConfigs[0].Targets, want) {
		t.Errorf("prometheus scrape targets: want %s", want)
	}
	// The documented .env sets the Slack token before any route exists:
	// that must validate (Radar then runs without Slack alerts).
	withSlack, err := config.Load(radarConfig, func(k string) string {
		return map[string]string{"RADAR_JIRA_URL": "https://example.atlassian.net", "RADAR_JIRA_EMAIL": "radar-bot@example.com",
			"RADAR_JIRA_TOKEN": "test-token", "RADAR_SLACK_TOKEN": "xoxb-test"}[k]
	})
	if err != nil {
		t.Fatalf("load %s with RADAR_SLACK_TOKEN: %v", radarConfig, err)
	}
	if err := withSlack.Validate(); err != nil {
		t.Errorf("validate %s with RADAR_SLACK_TOKEN: %v", radarConfig, err)
	}
	if body, _ := os.ReadFile(radarConfig); !strings.Contains(string(body), "#   routes:") {
		t.Errorf("%s: want a commented slack routes: stub to edit", radarConfig)
	}
	if !strings.HasPrefix(cfg.Store.Path, "/var/lib/radar/") {
		t.Errorf("store.path %q is not on the /var/lib/radar volume", cfg.Store.Path)
	}

	// Grafana's data source points at the prometheus service with the uid
	// the dashboard's data source variable defaults to.
	var ds struct {
		Datasources []struct {
			UID  string `yaml:"uid"`
			Type string `yaml:"type"`
			URL  string `yaml:"url"`
		} `yaml:"datasources"`
	}
	readYAML(t, "grafana/provisioning/datasources/prometheus.yml", &ds)
	if len(ds.Datasources) != 1 || ds.Datasources[0].UID != "prometheus" || ds.Datasources[0].URL != "http://prometheus:9090" {
		t.Errorf("grafana data source: got %+v, want uid prometheus at http://prometheus:9090", ds.Datasources)
	}
	var dash struct {
		Providers []struct {
			Options struct {
				Path string `yaml:"path"`
			} `yaml:"options"`
		} `yaml:"providers"`
	}
	readYAML(t, "grafana/provisioning/dashboards/radar.yml", &dash)
	if len(dash.Providers) != 1 || !targets["grafana"][dash.Providers[0].Options.Path] {
		t.Errorf("grafana dashboard provider path is not the mounted dashboards directory: %+v", dash.Providers)
	}
}

func readYAML(t *testing.T, path string, v any) {
	t.Helper()
	body, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(body, v); err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
}
