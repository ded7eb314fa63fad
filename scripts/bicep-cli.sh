#!/usr/bin/env bash
# Prints the path of the pinned Bicep CLI: `bicep` from PATH if present, otherwise Azure.Bicep.CommandLine.linux-x64
# restored from NuGet with the dotnet SDK into the git-ignored .tools/ (once; offline afterwards). Progress on stderr.
# Used by scripts/infra-check.sh and scripts/bicep-extension.sh, and by the Bicep integration tests.
set -euo pipefail
cd "$(dirname "$0")/.."

BICEP_VERSION="0.49.2"
BICEP_PACKAGE="Azure.Bicep.CommandLine.linux-x64"
TOOLS_DIR=".tools/bicep-$BICEP_VERSION"

fail() { echo "bicep-cli: $*" >&2; exit 1; }

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
  echo "bicep-cli: restoring $BICEP_PACKAGE $BICEP_VERSION with dotnet $(dotnet --version)" >&2
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
case "$BICEP" in /*) echo "$BICEP" ;; *) echo "$PWD/$BICEP" ;; esac
