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
# Build, then exec the app itself (not `dotnet run`, which would stay as its parent): this script's PID becomes the app's
# (package.json's "start" execs this script too, so npm's child is the app and npm forwards SIGTERM/SIGINT to it), and
# the app stops gracefully, Azurite included. Extra arguments reach the app
# (e.g. `npm start -- --urls http://127.0.0.1:7072`; the last --urls wins).
if ! build=$(dotnet build src/ScaleFunctions.LocalHost --nologo -v quiet 2>&1); then
  echo "$build" >&2
  exit 1
fi
exec dotnet src/ScaleFunctions.LocalHost/bin/Debug/net10.0/ScaleFunctions.LocalHost.dll --urls http://127.0.0.1:7071 "$@"
