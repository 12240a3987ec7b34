#!/usr/bin/env bash
# Installs the real servers the integration tests run beside Azurite (which comes from npm): Debian's
# prometheus-alertmanager (alertmanager and amtool) and prometheus (prometheus and promtool), for the closed-loop
# test. Does nothing when they are already there.
set -euo pipefail
have() { command -v "$1" >/dev/null 2>&1; }
have prometheus-alertmanager && have amtool && have prometheus && have promtool && exit 0

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if have sudo; then sudo="sudo"; else
    echo "Integration tests need Debian's prometheus-alertmanager and prometheus. Install them as root: apt-get install prometheus-alertmanager prometheus" >&2
    exit 1
  fi
fi
echo "Installing prometheus-alertmanager and prometheus from Debian's packages…"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends prometheus-alertmanager prometheus >/dev/null
# Where an init system runs, Debian starts the packaged services; the tests start their own instances on loopback.
$sudo service prometheus-alertmanager stop >/dev/null 2>&1 || true
$sudo service prometheus stop >/dev/null 2>&1 || true
