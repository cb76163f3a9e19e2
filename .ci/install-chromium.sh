#!/usr/bin/env bash
# Installs Debian's chromium package when no chromium is on PATH, so the web
# UI's browser tests (webui/browser_test.go, driven through the DevTools
# protocol by chromedp) can run headless. Idempotent and quiet: does nothing
# when chromium is already installed.
set -euo pipefail

if command -v chromium >/dev/null 2>&1; then
	exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
	sudo="sudo"
fi

export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >/dev/null
$sudo apt-get install -y -qq --no-install-recommends chromium >/dev/null

if ! command -v chromium >/dev/null 2>&1; then
	echo "install-chromium: chromium still not on PATH after installing the chromium package" >&2
	exit 1
fi
