#!/usr/bin/env bash
# npm run bicep:extension — bundles the handler (bicep/handler/main.ts) into one self-contained sh/JS polyglot with
# esbuild and packs it with the generated types into dist/bicep/sluice-<version>.tgz via `bicep publish-extension`.
# Also writes dist/bicep/sluice.tgz (same package, stable name) and dist/bicep/sluice-types-<version>.tgz (types only: enough for build/lint in CI).
# The handler needs node >= 20 on PATH where `bicep local-deploy` runs.
set -euo pipefail
cd "$(dirname "$0")/.."
version="$(node -p "require('./package.json').version")"
out="${SLUICE_BICEP_OUT:-dist/bicep}"  # tests build into their own folder
mkdir -p "$out"
BICEP="$(bash scripts/bicep-cli.sh)"

npx esbuild bicep/handler/main.ts --bundle --minify --platform=node --target=node20 --format=cjs \
  --outfile="$out/handler.cjs" --log-level=warning
# Line 1 makes it a shell script for Bicep's exec; line 2 is a no-op in both languages and re-runs it with node.
{ printf '#!/bin/sh\n":" //; exec node "$0" "$@"\n'; cat "$out/handler.cjs"; } > "$out/sluice-extension"
chmod 0755 "$out/sluice-extension"

"$BICEP" publish-extension bicep/types/index.json --bin-linux-x64 "$out/sluice-extension" --target "$out/sluice-$version.tgz" --force 2>&1 \
  | grep -v 'experimental' || true
"$BICEP" publish-extension bicep/types/index.json --target "$out/sluice-types-$version.tgz" --force 2>&1 | grep -v 'experimental' || true
[ -s "$out/sluice-$version.tgz" ] || { echo "bicep:extension: publish-extension wrote no $out/sluice-$version.tgz" >&2; exit 1; }
# A stable name for bicepconfig.json files (infra/config/bicepconfig.json).
cp "$out/sluice-$version.tgz" "$out/sluice.tgz"
echo "bicep:extension: $out/sluice-$version.tgz ($(wc -c < "$out/sluice-$version.tgz") bytes), handler $(wc -c < "$out/sluice-extension") bytes"
