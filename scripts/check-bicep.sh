#!/usr/bin/env bash
# Compiles and lints every .bicep file and builds every .bicepparam under infra/ with the Bicep CLI from NuGet
# (Azure.Bicep.CommandLine.linux-x64, pinned in Directory.Packages.props), failing on any error or warning
# (infra/bicepconfig.json sets the analyzers). Then checks that the committed snapshots under infra/snapshots/
# (evaluated resources and app settings, read by DeployedSettings.Test.cs) match the Bicep.
# With --update, rewrites those snapshots instead of checking them.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=validate
[ "${1:-}" = "--update" ] && mode=overwrite

dotnet restore infra/tools/bicep-cli.csproj --nologo -v quiet >/dev/null
bicep=$(dotnet msbuild infra/tools/bicep-cli.csproj -nologo -getProperty:BicepPath)
[ -x "$bicep" ] || chmod +x "$bicep"
export BICEP_TRACING_ENABLED=false

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
failed=0
check() { # runs a bicep command; any diagnostic (warning or error) fails the check
  local log="$out/log"
  if ! "$bicep" "$@" >"$log" 2>&1 || grep -qE ': (Warning|Error) ' "$log"; then
    cat "$log" >&2
    failed=1
  fi
}

while IFS= read -r file; do
  check build "$file" --outfile "$out/$(basename "$file" .bicep).json"
  check lint "$file"
done < <(find infra -name '*.bicep' -not -path '*/obj/*' | sort)

while IFS= read -r file; do
  check build-params "$file" --outfile "$out/$(basename "$file" .bicepparam).parameters.json"
  check lint "$file"
done < <(find infra -name '*.bicepparam' -not -path '*/obj/*' | sort)

for file in infra/snapshots/*.bicepparam; do
  if ! "$bicep" snapshot "$file" --mode "$mode" >"$out/log" 2>&1; then
    cat "$out/log" >&2
    echo "$file: snapshot differs from the Bicep; run scripts/check-bicep.sh --update and commit the result." >&2
    failed=1
  fi
done

[ "$failed" -eq 0 ] && echo "Bicep: $(find infra -name '*.bicep' -not -path '*/obj/*' | wc -l) files compiled and linted cleanly; snapshots up to date."
exit "$failed"
