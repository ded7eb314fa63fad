#!/usr/bin/env bash
# The dashboard's browser test drives Debian's Chromium through playwright-core (which never downloads a browser).
# `npm test` runs this first so the README's test command works on a fresh machine.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "sluice: /usr/bin/chromium is missing. To fix: install Debian's chromium (sudo apt-get install -y chromium)." >&2
  exit 1
fi
echo "sluice: /usr/bin/chromium is missing: installing Debian's chromium for the dashboard browser test" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq && apt-get install -y -qq chromium >/dev/null
