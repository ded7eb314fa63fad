#!/usr/bin/env bash
# npm run infra:check — compiles and lints every Bicep file under infra/ and fails on any error OR warning.
# Uses `bicep` from PATH if present, otherwise the pinned Bicep CLI restored from NuGet (package
# Azure.Bicep.CommandLine.linux-x64, binary tools/bicep) with the dotnet SDK into the git-ignored .tools/.
# Compiled ARM JSON goes to the git-ignored infra/out/ (read by test/unit/infra/security-posture.test.ts).
# Non-interactive (CI=true, no stdin); offline once the CLI is cached.
set -euo pipefail
cd "$(dirname "$0")/.."

OUT_DIR="infra/out"
fail() { echo "infra:check: $*" >&2; exit 1; }
BICEP="$(bash scripts/bicep-cli.sh)" || fail "no Bicep CLI (see the message above)"
echo "infra:check: $("$BICEP" --version)"
# infra/config declares Sluice configuration with the Sluice extension, which must exist before it can be checked.
bash scripts/bicep-extension.sh >&2 || fail "could not build the Sluice Bicep extension (npm run bicep:extension)"
# Each publish makes a new package (new hash); unpack it into Bicep's cache once, before the parallel runs below
# race to do it.
"$BICEP" restore infra/config/main.bicep </dev/null >&2 2>&1 | grep -v 'experimental' >&2 || true

# Serialise concurrent runs (e.g. the security-posture test building while CI runs this script).
mkdir -p .tools
exec 9>".tools/infra-check.lock"
command -v flock >/dev/null 2>&1 && flock 9

rm -rf "$OUT_DIR"
mkdir -p "$OUT_DIR/params"
sarif="$(mktemp -d)"
trap 'rm -rf "$sarif"' EXIT

# Each command prints SARIF, one document per file (lint on stdout; build and build-params on stderr, as stdout is
# kept for --stdout). Exit codes only reflect errors, so the SARIF results decide: any result, error or warning,
# fails the check; any other text in the output is shown too.
# The four runs are independent (separate output folders), so they run in parallel.
status=0
"$BICEP" build --pattern 'infra/**/*.bicep' --outdir "$OUT_DIR" --diagnostics-format sarif </dev/null >"$sarif/build.sarif" 2>&1 &
"$BICEP" lint --pattern 'infra/**/*.bicep' --diagnostics-format sarif </dev/null >"$sarif/lint.sarif" 2>&1 &
"$BICEP" lint --pattern 'infra/**/*.bicepparam' --diagnostics-format sarif </dev/null >"$sarif/lint-params.sarif" 2>&1 &
"$BICEP" build-params --pattern 'infra/**/*.bicepparam' --outdir "$OUT_DIR/params" --diagnostics-format sarif </dev/null >"$sarif/build-params.sarif" 2>&1 &
for job in $(jobs -p); do wait "$job" || status=1; done
node scripts/sarif-results.js "$sarif"/*.sarif || status=1

templates="$(find "$OUT_DIR" -name '*.json' -not -path "$OUT_DIR/params/*" | wc -l)"
params="$(find "$OUT_DIR/params" -name '*.json' | wc -l)"
sources="$(find infra -name '*.bicep' -not -path "$OUT_DIR/*" | wc -l)"
param_sources="$(find infra -name '*.bicepparam' -not -path "$OUT_DIR/*" | wc -l)"
[ "$templates" -eq "$sources" ] || { echo "infra:check: built $templates templates for $sources .bicep files" >&2; status=1; }
[ "$params" -eq "$param_sources" ] || { echo "infra:check: built $params parameter files for $param_sources .bicepparam files" >&2; status=1; }

if [ "$status" -ne 0 ]; then
  rm -rf "$OUT_DIR"
  fail "FAILED (fix every diagnostic above: warnings count as failures)"
fi
echo "infra:check: ok ($sources .bicep, $param_sources .bicepparam: built, linted, no diagnostics)"
