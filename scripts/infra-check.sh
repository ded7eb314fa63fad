#!/usr/bin/env bash
# npm run infra:check — compiles and lints every Bicep file under infra/ and fails on any error OR warning.
# Uses `bicep` from PATH if present, otherwise the pinned Bicep CLI restored from NuGet (package
# Azure.Bicep.CommandLine.linux-x64, binary tools/bicep) with the dotnet SDK into the git-ignored .tools/.
# Compiled ARM JSON goes to the git-ignored infra/out/ (read by test/unit/infra/security-posture.test.ts).
# Non-interactive (CI=true, no stdin); offline once the CLI is cached.
set -euo pipefail
cd "$(dirname "$0")/.."

BICEP_VERSION="0.49.2"
BICEP_PACKAGE="Azure.Bicep.CommandLine.linux-x64"
TOOLS_DIR=".tools/bicep-$BICEP_VERSION"
OUT_DIR="infra/out"

fail() { echo "infra:check: $*" >&2; exit 1; }

restore_bicep() {
  command -v dotnet >/dev/null 2>&1 || fail "no 'bicep' on PATH and no dotnet SDK to restore $BICEP_PACKAGE $BICEP_VERSION. To fix: install the dotnet SDK, or put the Bicep CLI on PATH."
  export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
  local sdk_major work
  sdk_major="$(dotnet --version | cut -d. -f1)"
  work="$(mktemp -d .tools/bicep-restore.XXXXXX)"
  # PackageDownload fetches the package without referencing it: the project exists only to drive the restore.
  cat > "$work/restore.csproj" <<CSPROJ
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><TargetFramework>net$sdk_major.0</TargetFramework></PropertyGroup>
  <ItemGroup><PackageDownload Include="$BICEP_PACKAGE" Version="[$BICEP_VERSION]" /></ItemGroup>
</Project>
CSPROJ
  echo "infra:check: restoring $BICEP_PACKAGE $BICEP_VERSION with dotnet $(dotnet --version)" >&2
  dotnet restore "$work/restore.csproj" --packages "$work/packages" </dev/null >&2 \
    || fail "dotnet restore of $BICEP_PACKAGE $BICEP_VERSION failed. To fix: check the NuGet source configured for dotnet."
  local binary
  binary="$work/packages/$(echo "$BICEP_PACKAGE" | tr '[:upper:]' '[:lower:]')/$BICEP_VERSION/tools/bicep"
  [ -f "$binary" ] || fail "$BICEP_PACKAGE $BICEP_VERSION has no tools/bicep"
  mkdir -p "$work/bin" && cp "$binary" "$work/bin/bicep" && chmod 0755 "$work/bin/bicep"
  # Atomic: a concurrent run sees either no CLI or a complete one.
  mv -T "$work/bin" "$TOOLS_DIR" 2>/dev/null || true
  rm -rf "$work"
  [ -x "$TOOLS_DIR/bicep" ] || fail "could not install the Bicep CLI into $TOOLS_DIR"
}

if command -v bicep >/dev/null 2>&1; then
  BICEP="$(command -v bicep)"
else
  mkdir -p .tools
  [ -x "$TOOLS_DIR/bicep" ] || restore_bicep
  BICEP="$TOOLS_DIR/bicep"
fi
echo "infra:check: $("$BICEP" --version)"

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
