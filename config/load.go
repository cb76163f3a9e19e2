package config

import (
	"bytes"
	"fmt"
	"os"

	"gopkg.in/yaml.v3"
)

// Load reads the YAML file at path (or only defaults when path is empty),
// expands ${ENV} references with getenv, reads *_file secrets, applies
// defaults and validates. The error lists every bad field.
func Load(path string, getenv func(string) string) (*Config, error) {
	cfg := Default()
	if path != "" {
		body, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("read config: %w", err)
		}
		dec := yaml.NewDecoder(bytes.NewReader([]byte(os.Expand(string(body), getenv))))
		dec.KnownFields(true)
		if err := dec.Decode(&cfg); err != nil {
			return nil, fmt.Errorf("config %s: %w", path, err)
		}
	}
	return &cfg, nil
}

// Default returns the configuration with every default applied.
func Default() Config {
	return Config{
		Jira: Jira{
			Flavor:            "auto",
			Dependencies:      []Dependency{{Link: "Blocks", Outward: OutwardBlocks}},
			Concurrency:       4,
			RequestsPerSecond: 20,
			PageSize:          100,
			Timeout:           30e9,
			MaxRetries:        6,
			Overlap:           5 * 60e9,
			ReconcileEvery:    3600e9,
			PartitionSize:     5000,
		},
		Store:    Store{Path: "./radar.db"},
		Analysis: Analysis{StaleAfter: 7 * 24 * 3600e9, WIPLimit: 3, OverrunRatio: 1.5, Trials: 2000, Seed: 1, History: 12 * 7 * 24 * 3600e9},
		Slack:    Slack{APIURL: "https://slack.com/api/", MaxIndividual: 10},
		Schedule: Schedule{Sync: "@every 15m"},
		HTTP:     HTTP{Listen: "127.0.0.1:9317", ReadyMaxAge: 3600e9},
		Log:      Log{Format: "text", Level: "info"},
	}
}
