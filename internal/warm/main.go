package main
import (
 _ "github.com/mattn/go-sqlite3"
 _ "github.com/andygrunwald/go-jira"
 _ "github.com/slack-go/slack"
 _ "github.com/prometheus/client_golang/prometheus"
 _ "github.com/prometheus/client_golang/prometheus/testutil"
 _ "github.com/prometheus/client_golang/prometheus/promhttp"
 _ "github.com/prometheus/client_golang/prometheus/collectors"
 _ "github.com/robfig/cron/v3"
 _ "gopkg.in/yaml.v3"
)
func main(){}
