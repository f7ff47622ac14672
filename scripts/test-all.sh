#!/usr/bin/env bash
# README's test command: every test. Installs the Debian tools the tests run
# (promtool, amtool, prometheus, alertmanager, node-exporter, htpasswd, busybox) when missing.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v promtool >/dev/null || need+=(prometheus)
command -v amtool >/dev/null || need+=(prometheus-alertmanager)
command -v prometheus-node-exporter >/dev/null || need+=(prometheus-node-exporter)
# The web-auth tests make the Secret with README's htpasswd -nbB and run the readiness probe with busybox.
command -v htpasswd >/dev/null || need+=(apache2-utils)
[ -x /usr/bin/busybox ] || need+=(busybox)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing Debian packages: ${need[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  # The packages start their services; the tests run their own instances on other ports.
  for s in prometheus prometheus-alertmanager prometheus-node-exporter; do $SUDO systemctl stop "$s" 2>/dev/null || $SUDO service "$s" stop 2>/dev/null || true; done
fi
[ -d node_modules ] || npm ci

echo "== type check"; npx tsc --noEmit -p .
echo "== strict validation of dist/"; npx tsx scripts/validate.ts dist gitops
echo "== jest"; npx jest --ci "$@"
