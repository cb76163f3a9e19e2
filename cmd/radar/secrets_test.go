package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/radarhq/radar/jirasim"
	"github.com/radarhq/radar/slacksim"
	"github.com/radarhq/radar/store/storetest"
)

// Recognisable secrets: every error path below runs with them, and none may
// come out of Radar in any form.
const (
	secretEmail      = "pm@example.com"
	secretJiraToken  = "SECRET-jira-7f3a"
	secretSlackToken = "xoxb-SECRET-slack"
	secretHookPath   = "/services/T000/B000/SECRET-hook"
	secretHTTPToken  = "SECRET-http"
	secretSigning    = "SECRET-signing"
)

// secretForms returns each secret in every form it could leak in: as is,
// lower-cased, URL-escaped, and base64-encoded as Basic auth sends it.
func secretForms() map[string]string {
	forms := map[string]string{}
	for _, s := range []string{secretJiraToken, secretSlackToken, secretHookPath, secretHTTPToken, secretSigning} {
		forms[s] = s
		forms["lower-case "+s] = strings.ToLower(s)
		forms["url-escaped "+s] = url.PathEscape(s)
		for name, enc := range map[string]*base64.Encoding{"base64": base64.StdEncoding, "raw base64": base64.RawStdEncoding, "url base64": base64.URLEncoding} {
			forms[name+" "+s] = strings.TrimRight(enc.EncodeToString([]byte(s)), "=")
		}
	}
	basic := secretEmail + ":" + secretJiraToken
	forms["basic auth"] = strings.TrimRight(base64.StdEncoding.EncodeToString([]byte(basic)), "=")
	forms["url-escaped basic auth"] = url.QueryEscape(basic)
	return forms
}

// assertNoSecret fails when text holds any secret in any form.
func assertNoSecret(t *testing.T, where, text string) {
	t.Helper()
	for name, form := range secretForms() {
		if strings.Contains(text, form) {
			t.Errorf("%s leaks the %s:\n%s", where, name, text)
		}
	}
	// Any leftover piece of a secret: they all contain SECRET.
	if i := strings.Index(strings.ToUpper(text), "SECRET-"); i >= 0 {
		t.Errorf("%s holds %q", where, text[max(0, i-40):min(len(text), i+40)])
	}
}

// Shapes of an echoing answer.
const (
	echoJira  = iota // Jira's {"errorMessages": [...], "errors": {...}}
	echoSlack        // Slack's {"ok": false, "error": "..."}
	echoHTML         // an HTML error page
)

// echoServer is a broken proxy in front of Jira or Slack: it answers status
// with a body that repeats the request's credentials, raw and decoded, and
// its body, in the given shape.
func echoServer(t *testing.T, status int, shape int) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		decoded := ""
		if b, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(auth, "Basic ")); err == nil {
			decoded = string(b)
		}
		body, _ := io.ReadAll(r.Body)
		if shape == echoSlack {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			json.NewEncoder(w).Encode(map[string]any{"ok": false, "error": "invalid_auth " + auth + " " + string(body)})
			return
		}
		if shape == echoHTML {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(status)
			fmt.Fprintf(w, "<html><body><h1>%d</h1><pre>Authorization: %s\nuser: %s\nurl: %s\nbody: %s</pre></body></html>",
				status, auth, decoded, r.URL, body)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(map[string]any{
			"errorMessages": []string{"request with Authorization: " + auth + " (" + decoded + ") refused; body: " + string(body)},
			"errors":        map[string]string{"authorization": auth, "credentials": decoded},
		})
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// secretWorld is a good Jira that accepts the secret token, a Slack that
// refuses the secret bot token, and a database synced once.
type secretWorld struct {
	jiraURL  string
	slack    *slacksim.Server
	slackURL string
	db       string
}

func newSecretWorld(t *testing.T) *secretWorld {
	t.Helper()
	sc := jirasim.Generate(jirasim.ScenarioConfig{Seed: 3, Projects: []string{"PAY"}, IssuesPerProject: 30, Now: time.Now()})
	_, jira := storetest.ServeJira(t, sc, jirasim.Options{Email: secretEmail, Token: secretJiraToken})
	s, srv := storetest.ServeSlack(t, slacksim.Options{Token: "xoxb-the-right-token"})
	w := &secretWorld{jiraURL: jira.URL, slack: s, slackURL: srv.URL, db: filepath.Join(t.TempDir(), "radar.db")}
	// The good path uses the secrets too.
	out, errOut, code := runRadar(t, noEnv, "sync", "--config", w.config(t, configParts{}))
	if code != 0 {
		t.Fatalf("sync against the good Jira: exit %d\n%s%s", code, out, errOut)
	}
	assertNoSecret(t, "sync output", out+errOut)
	return w
}

// configParts are what a scenario changes in the configuration.
type configParts struct {
	jiraURL    string // default the good Jira
	jiraAuth   string // YAML lines under jira:, default email and token inline
	slack      string // YAML lines under slack:, default the secret bot token
	logFormat  string
	serveExtra string
	retries    int // jira.max_retries, default 0: no waits between attempts
}

// config writes a configuration (mode 0600) holding the secrets inline.
func (w *secretWorld) config(t *testing.T, p configParts) string {
	t.Helper()
	if p.jiraURL == "" {
		p.jiraURL = w.jiraURL
	}
	if p.jiraAuth == "" {
		p.jiraAuth = fmt.Sprintf("  email: %s\n  token: %s\n", secretEmail, secretJiraToken)
	}
	if p.slack == "" {
		p.slack = fmt.Sprintf("  token: %s\n  signing_secret: %s\n  api_url: %s/api/\n", secretSlackToken, secretSigning, w.slackURL)
	}
	if p.logFormat == "" {
		p.logFormat = "text"
	}
	body := fmt.Sprintf(`jira:
  url: %q
%s  projects: [PAY]
  max_retries: %d
  timeout: 5s
store:
  path: %s
slack:
%s  routes:
    - channel: "#delivery"
      min_severity: info
http:
  listen: 127.0.0.1:0
  token: %s
schedule:
  sync: "@every 1h"
log:
  level: debug
  format: %s
%s`, p.jiraURL, p.jiraAuth, p.retries, w.db, p.slack, secretHTTPToken, p.logFormat, p.serveExtra)
	path := filepath.Join(t.TempDir(), "radar.yaml")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func noEnv(string) string { return "" }

// runRadar runs one radar command in process and returns its output.
func runRadar(t *testing.T, getenv func(string) string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut syncBuffer
	code = run(context.Background(), args, &out, &errOut, getenv)
	return out.String(), errOut.String(), code
}

// TestNoSecretOnAnyErrorPath drives every failure Radar meets with
// credentials (Jira refusing them, unreachable or malformed Jira URLs, a
// proxy that echoes them back, Slack refusing the token, a failing webhook)
// and asserts that no secret appears on stdout or stderr, whose logs run at
// debug level, in text and in JSON.
func TestNoSecretOnAnyErrorPath(t *testing.T) {
	w := newSecretWorld(t)
	hookBase := w.slackURL
	tests := []struct {
		name string
		cmd  string
		cfg  configParts
		want string // the failure must still be explained
	}{
		{name: "jira 401: wrong token", cmd: "sync", cfg: configParts{
			jiraAuth: fmt.Sprintf("  email: other@example.com\n  token: %s\n", secretJiraToken)}, want: "401"},
		{name: "jira 401 as bearer", cmd: "sync", cfg: configParts{
			jiraAuth: fmt.Sprintf("  token: %s\n", secretJiraToken)}, want: "401"},
		{name: "jira unreachable", cmd: "sync", cfg: configParts{jiraURL: "http://127.0.0.1:1"}, want: "jira.url"},
		{name: "jira url with user info", cmd: "sync", cfg: configParts{
			jiraURL: "http://pm%40example.com:" + secretJiraToken + "@127.0.0.1:1/"}, want: "jira.url"},
		{name: "jira url with a token as user name", cmd: "sync", cfg: configParts{
			jiraURL: "http://" + secretJiraToken + "@127.0.0.1:1/"}, want: "jira.url"},
		{name: "malformed jira url with user info", cmd: "sync", cfg: configParts{
			jiraURL: "http://pm:" + secretJiraToken + "@jira.example.com/%zz"}, want: "jira.url"},
		{name: "jira 403 echoing the credentials", cmd: "sync", cfg: configParts{jiraURL: echoServer(t, 403, echoJira)}, want: "403"},
		{name: "jira 401 echoing the credentials", cmd: "sync", cfg: configParts{jiraURL: echoServer(t, 401, echoJira)}, want: "401"},
		{name: "jira 500 echoing the credentials, retried", cmd: "sync", cfg: configParts{jiraURL: echoServer(t, 500, echoJira), retries: 1}, want: "500"},
		{name: "jira 502 html page echoing the credentials", cmd: "sync", cfg: configParts{jiraURL: echoServer(t, 502, echoHTML), logFormat: "json"}, want: "502"},
		{name: "jira 400 echoing the credentials", cmd: "sync", cfg: configParts{jiraURL: echoServer(t, 400, echoJira)}, want: "400"},
		{name: "slack invalid_auth", cmd: "alert", want: "invalid_auth"},
		{name: "slack invalid_auth, json logs", cmd: "alert", cfg: configParts{logFormat: "json"}, want: "invalid_auth"},
		{name: "slack-test invalid_auth", cmd: "slack-test", want: "invalid_auth"},
		{name: "slack api echoing the token", cmd: "slack-test", cfg: configParts{
			slack: fmt.Sprintf("  token: %s\n  api_url: %s/api/\n", secretSlackToken, echoServer(t, 200, echoSlack))}, want: "slack"},
		{name: "slack api echoing the token to alert", cmd: "alert", cfg: configParts{
			slack: fmt.Sprintf("  token: %s\n  api_url: %s/api/\n", secretSlackToken, echoServer(t, 200, echoSlack))}, want: "slack"},
		{name: "slack api 500 page echoing the token", cmd: "slack-test", cfg: configParts{
			slack: fmt.Sprintf("  token: %s\n  api_url: %s/api/\n", secretSlackToken, echoServer(t, 500, echoHTML))}, want: "500"},
		{name: "webhook 404", cmd: "alert", cfg: configParts{
			slack: fmt.Sprintf("  webhook_url: %s%s\n", hookBase, secretHookPath)}, want: "webhook"},
		{name: "slack-test webhook 404", cmd: "slack-test", cfg: configParts{
			slack: fmt.Sprintf("  webhook_url: %s%s\n", hookBase, secretHookPath)}, want: "webhook"},
		{name: "webhook unreachable", cmd: "slack-test", cfg: configParts{
			slack: fmt.Sprintf("  webhook_url: http://127.0.0.1:1%s\n", secretHookPath)}, want: "webhook"},
		{name: "webhook 500 echoing itself", cmd: "slack-test", cfg: configParts{
			slack: fmt.Sprintf("  webhook_url: %s%s\n", echoServer(t, 500, echoHTML), secretHookPath)}, want: "500"},
		{name: "malformed webhook url", cmd: "slack-test", cfg: configParts{
			slack: fmt.Sprintf("  webhook_url: \"http://127.0.0.1:1%s/%%zz\"\n", secretHookPath)}, want: "webhook"},
		{name: "outbox after failures", cmd: "outbox"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := w.config(t, tt.cfg)
			out, errOut, code := runRadar(t, noEnv, tt.cmd, "--config", cfg)
			if tt.want != "" && code == 0 {
				t.Errorf("radar %s succeeded, want a failure\n%s%s", tt.cmd, out, errOut)
			}
			if tt.want != "" && !strings.Contains(strings.ToLower(out+errOut), strings.ToLower(tt.want)) {
				t.Errorf("output does not mention %q:\n%s%s", tt.want, out, errOut)
			}
			assertNoSecret(t, "stdout", out)
			assertNoSecret(t, "stderr", errOut)
			if t.Failed() {
				t.Logf("radar %s said:\n%s%s", tt.cmd, out, errOut)
			}
		})
	}
}

// TestNoSecretInConfigErrors loads configurations that are wrong around
// their secrets: the error must name the key, not quote the value.
func TestNoSecretInConfigErrors(t *testing.T) {
	tests := []struct {
		name, yaml string
	}{
		{"token as a list", fmt.Sprintf("jira:\n  token: [%s]\n", secretJiraToken)},
		{"token as a mapping", fmt.Sprintf("slack:\n  token: {%s: 1}\n", secretSlackToken)},
		{"misspelt key", fmt.Sprintf("jira:\n  tokn: %s\n", secretJiraToken)},
		{"token and token_file", fmt.Sprintf("http:\n  token: %s\n  token_file: /nonexistent\n", secretHTTPToken)},
		{"duplicate key", fmt.Sprintf("slack:\n  webhook_url: http://x%s\n  webhook_url: http://y%s\n", secretHookPath, secretHookPath)},
		{"bad yaml after a secret", fmt.Sprintf("jira:\n  token: %s\n  url: [\n", secretJiraToken)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "radar.yaml")
			if err := os.WriteFile(path, []byte(tt.yaml), 0o600); err != nil {
				t.Fatal(err)
			}
			out, errOut, code := runRadar(t, noEnv, "sync", "--config", path)
			if code == 0 {
				t.Fatalf("sync with a bad configuration succeeded")
			}
			assertNoSecret(t, "output", out+errOut)
		})
	}
}

// TestServeKeepsSecretsOutOfLogsMetricsAndAPI runs radar serve for one
// cycle in which Jira or Slack fails with the secrets in play, then reads
// /metrics, /healthz, /readyz, /api/findings and /api/versions (with the
// right token, a wrong one and none): no secret in any answer or log line.
func TestServeKeepsSecretsOutOfLogsMetricsAndAPI(t *testing.T) {
	w := newSecretWorld(t)
	// Leave notifications pending behind a refused token, so the serve
	// cycle's flush meets the refusal too.
	if _, _, code := runRadar(t, noEnv, "alert", "--config", w.config(t, configParts{})); code == 0 {
		t.Fatal("alert with a refused Slack token succeeded")
	}
	tests := []struct {
		name string
		cfg  configParts
	}{
		{"jira echoes the credentials, slack refuses the token", configParts{jiraURL: echoServer(t, 403, echoJira)}},
		{"jira up, slack refuses the token", configParts{logFormat: "json"}},
		{"jira 500 page, webhook 404", configParts{jiraURL: echoServer(t, 500, echoHTML),
			slack: fmt.Sprintf("  webhook_url: %s%s\n", w.slackURL, secretHookPath)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logs := serveOneCycle(t, w.config(t, tt.cfg), func(base string) {
				for _, path := range []string{"/metrics", "/healthz", "/readyz", "/api/findings", "/api/versions", "/api/findings?kind=" + secretHTTPToken} {
					for _, token := range []string{secretHTTPToken, "wrong-" + secretHTTPToken, ""} {
						body, hdr := get(t, base+path, token)
						assertNoSecret(t, fmt.Sprintf("GET %s (token %q)", path, token), body+hdr)
					}
				}
			})
			if !strings.Contains(logs, "cycle failed") {
				t.Errorf("no failed cycle logged:\n%s", logs)
			}
			assertNoSecret(t, "serve logs", logs)
		})
	}
	// What the failures left in the database (sync errors, outbox errors).
	for _, f := range []string{w.db, w.db + "-wal"} {
		b, err := os.ReadFile(f)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		assertNoSecret(t, filepath.Base(f), string(b))
	}
}

var listeningRE = regexp.MustCompile(`radar listening.*addr"?[=:]"?([0-9.]+:[0-9]+)`)

// serveOneCycle runs radar serve until its first cycle has failed, calls
// probe with its base URL, stops it and returns everything it wrote.
func serveOneCycle(t *testing.T, cfg string, probe func(base string)) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errOut syncBuffer
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"serve", "--config", cfg}, &out, &errOut, noEnv) }()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(errOut.String(), "cycle failed") {
		select {
		case code := <-done:
			t.Fatalf("serve exited with %d before its first cycle:\n%s%s", code, out.String(), errOut.String())
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("no failed cycle within 30s:\n%s", errOut.String())
		}
	}
	m := listeningRE.FindStringSubmatch(errOut.String())
	if m == nil {
		t.Fatalf("serve did not log its address:\n%s", errOut.String())
	}
	probe("http://" + m[1])
	cancel()
	select {
	case <-done:
	case <-time.After(40 * time.Second):
		t.Fatal("serve did not stop")
	}
	return out.String() + errOut.String()
}

// get fetches url with a bearer token (none when empty) and returns the
// body and the response headers as text.
func get(t *testing.T, url, token string) (body, headers string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var h strings.Builder
	resp.Header.Write(&h)
	return string(b), h.String()
}

// TestWarnsAboutConfigOthersCanRead: a configuration holding secrets that
// other users can read is logged as a warning naming the file and the fix.
func TestWarnsAboutConfigOthersCanRead(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("file modes do not describe access on Windows")
	}
	dir := t.TempDir()
	token := filepath.Join(dir, "slack-token")
	cfg := filepath.Join(dir, "radar.yaml")
	for path, body := range map[string]string{
		token: secretSlackToken + "\n",
		cfg: fmt.Sprintf("jira:\n  token: %s\nslack:\n  token_file: slack-token\nstore:\n  path: %s\n",
			secretJiraToken, filepath.Join(dir, "radar.db")),
	} {
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, errOut, _ := runRadar(t, noEnv, "outbox", "--config", cfg)
	for _, path := range []string{cfg, token} {
		want := fmt.Sprintf(`level=WARN msg="secret file readable by other users" component=config path=%s mode=0644 fix="chmod 600 %s"`, path, path)
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks\n%s\n%s", want, errOut)
		}
	}
	assertNoSecret(t, "stderr", errOut)

	os.Chmod(cfg, 0o600)
	os.Chmod(token, 0o400)
	if _, errOut, _ := runRadar(t, noEnv, "outbox", "--config", cfg); strings.Contains(errOut, "WARN") {
		t.Errorf("private files still warned about:\n%s", errOut)
	}
}
