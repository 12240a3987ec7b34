#!/usr/bin/env bash
# Runs all tests: unit tests and integration tests against real Azurite, Prometheus and Alertmanager processes
# and loopback doubles of the Kubernetes API and Cruise Control.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x node_modules/.bin/azurite ] || npm ci --no-audit --no-fund
bash scripts/install-test-servers.sh
dotnet test ScaleFunctions.sln --nologo "$@"
