#!/usr/bin/env bash
# Installs Debian's prometheus package when prometheus or promtool is missing,
# so the deploy tests can run `promtool check rules` and `promtool test rules`
# and cmd/radar's TestPrometheusScrapesDemo can run a real Prometheus against
# `radar demo`. Idempotent and quiet: does nothing when both are on PATH.
set -euo pipefail

if command -v promtool >/dev/null 2>&1 && command -v prometheus >/dev/null 2>&1; then
	exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
	sudo="sudo"
fi

export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >/dev/null
# The package's postinst may try to start the service; policy-rc.d is not
# needed under CI because no init system runs there, and a failed start does
# not fail the install.
$sudo apt-get install -y -qq --no-install-recommends prometheus >/dev/null

for bin in promtool prometheus; do
	if ! command -v "$bin" >/dev/null 2>&1; then
		echo "install-prometheus: $bin still not on PATH after installing the prometheus package" >&2
		exit 1
	fi
done
