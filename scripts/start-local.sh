#!/usr/bin/env bash
# Starts the app locally without Azure Functions Core Tools: the local host serves http://127.0.0.1:7071/api/*,
# polls the command queue and runs the rebalance timer, with Azurite started as its embedded storage.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x node_modules/.bin/azurite ] || npm ci --no-audit --no-fund
settings=src/ScaleFunctions.App/local.settings.json
if [ ! -f "$settings" ]; then
  cp local.settings.sample.json "$settings"
  echo "Created $settings from local.settings.sample.json; edit it to point at your clusters."
fi
exec dotnet run --project src/ScaleFunctions.LocalHost -- --urls http://127.0.0.1:7071
