#!/usr/bin/env bash
# Installs the Debian packages the tests need, when what they provide is not
# on PATH: prometheus (prometheus and promtool, for the deploy rule tests
# and cmd/radar's TestPrometheusScrapesDemo) and chromium (the web UI's
# browser tests, driven headless through chromedp). One apt-get update and
# one install for whatever is missing; does nothing when all is there.
set -euo pipefail

need=()
if ! command -v promtool >/dev/null 2>&1 || ! command -v prometheus >/dev/null 2>&1; then
	need+=(prometheus)
fi
if ! command -v chromium >/dev/null 2>&1; then
	need+=(chromium)
fi
if [ "${#need[@]}" -eq 0 ]; then
	exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
	sudo="sudo"
fi

export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >/dev/null
# prometheus's postinst may try to start the service; no init system runs
# under CI, and a failed start does not fail the install.
$sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null

for bin in promtool prometheus chromium; do
	if ! command -v "$bin" >/dev/null 2>&1; then
		echo "install: $bin still not on PATH after installing ${need[*]}" >&2
		exit 1
	fi
done
