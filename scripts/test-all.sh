#!/usr/bin/env bash
# README's test command: every test. Installs what the tests run when missing, at the
# versions pinned in TOOL_PINS (charts/core/images.ts): Go tools into .cache/bin,
# PyPI tools into .cache/venv, Debian packages with apt-get. .cache/ is reused.
set -euo pipefail
cd "$(dirname "$0")/.."

[ -d node_modules ] || npm ci
echo "== tools"; npx tsx scripts/install-tools.ts

echo "== type check"; npx tsc --noEmit -p .
echo "== strict validation of dist/"; npx tsx scripts/validate.ts dist gitops
echo "== external linters"; npx tsx scripts/lint-external.ts
echo "== jest"; npx jest --ci "$@"
