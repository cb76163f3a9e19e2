package config

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"reflect"
	"testing"
)

// TestLogValueHasEverySetting: serve logs the effective configuration at
// start; every key of every section is in it, but the secrets' files and
// the credentials that show only as how Radar signs in (jira.auth,
// slack.mode, http.token as set or not).
func TestLogValueHasEverySetting(t *testing.T) {
	summarised := map[string]bool{
		"jira.email": true, "jira.token": true, "jira.token_file": true,
		"slack.token": true, "slack.token_file": true, "slack.webhook_url": true, "slack.webhook_url_file": true,
		"slack.signing_secret_file": true, "http.token_file": true,
	}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("config", "config", Default())
	var line struct {
		Config map[string]any `json:"config"`
	}
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
		t.Fatal(err)
	}
	ct := reflect.TypeOf(Config{})
	for i := range ct.NumField() {
		sec := ct.Field(i)
		name := yamlName(sec)
		if sec.Type.Kind() != reflect.Struct {
			continue
		}
		if name == "store" { // one key: logged as the path itself
			if _, ok := line.Config["store"]; !ok {
				t.Error("the logged configuration lacks store")
			}
			continue
		}
		group, _ := line.Config[name].(map[string]any)
		for j := range sec.Type.NumField() {
			key := name + "." + yamlName(sec.Type.Field(j))
			if name == "schedule" {
				if _, ok := line.Config["schedule"]; !ok {
					t.Errorf("the logged configuration lacks %s", key)
				}
				continue
			}
			if _, ok := group[yamlName(sec.Type.Field(j))]; !ok && !summarised[key] {
				t.Errorf("the logged configuration lacks %s", key)
			}
		}
	}
}
