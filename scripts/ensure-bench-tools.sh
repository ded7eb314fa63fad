#!/usr/bin/env bash
# The ELT bench (npm run bench:elt-load) compares Sluice with `psql \copy` and pgloader, both Debian packages.
# Installs whichever is missing, the way ensure-chromium.sh does for the dashboard test.
set -euo pipefail
missing=()
command -v psql >/dev/null 2>&1 || missing+=(postgresql-client)
command -v pgloader >/dev/null 2>&1 || missing+=(pgloader)
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "sluice: ${missing[*]} missing for the ELT bench. To fix: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "sluice: installing Debian's ${missing[*]} for the ELT bench" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null
