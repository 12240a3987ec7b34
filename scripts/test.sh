#!/usr/bin/env bash
# Runs all tests: unit tests and integration tests against real Azurite and Alertmanager processes and loopback
# doubles of the Kubernetes API and Cruise Control. Extra arguments go to `dotnet test` (e.g. --filter ...).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x node_modules/.bin/azurite ] || npm ci --no-audit --no-fund
bash scripts/install-test-servers.sh
# TEST_RESULTS_DIR keeps the .trx results (the pipeline publishes them); by default they go to a temporary folder.
results=${TEST_RESULTS_DIR:-$(mktemp -d)}
status=0
dotnet test ScaleFunctions.sln --nologo --results-directory "$results" --logger "trx;LogFileName=tests.trx" "$@" || status=$?
# One plain closing line for humans and CI: "N passed, N failed".
if counters=$(grep -ho '<Counters [^>]*>' "$results"/*.trx 2>/dev/null); then
  awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "\""); if (kv[1] == "passed=") p += kv[2]; if (kv[1] == "failed=") f += kv[2] } }
       END { printf "%d passed, %d failed\n", p, f }' <<<"$counters"
fi
[ -n "${TEST_RESULTS_DIR:-}" ] || rm -rf "$results"
exit $status
