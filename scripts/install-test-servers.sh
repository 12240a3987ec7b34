#!/usr/bin/env bash
# Installs the real server the integration tests run beside Azurite (which comes from npm): Debian's
# prometheus-alertmanager (alertmanager and amtool). Does nothing when it is already there.
set -euo pipefail
command -v prometheus-alertmanager >/dev/null 2>&1 && command -v amtool >/dev/null 2>&1 && exit 0

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "Integration tests need Debian's prometheus-alertmanager. Install it as root: apt-get install prometheus-alertmanager" >&2
    exit 1
  fi
fi
echo "Installing prometheus-alertmanager from Debian's packages…"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends prometheus-alertmanager >/dev/null
# Where an init system runs, Debian starts the packaged service; the tests start their own instances on loopback.
$sudo service prometheus-alertmanager stop >/dev/null 2>&1 || true
