#!/usr/bin/env bash
# README's test command: every test. Installs what the tests run when missing, at the
# versions pinned in TOOL_PINS (charts/core/images.ts): Go tools into .cache/bin,
# PyPI tools into .cache/venv, Debian packages with apt-get. .cache/ is reused.
set -euo pipefail
cd "$(dirname "$0")/.."

[ -d node_modules ] || npm ci
echo "== tools"; npx tsx scripts/install-tools.ts

echo "== type check"; npx tsc --noEmit -p .
echo "== lint (typescript-eslint, type-checked rules)"; npm run --silent lint
echo "== format (Prettier, every TypeScript and JavaScript file)"; npm run --silent format:check
echo "== strict validation of dist/"; npx tsx scripts/validate.ts dist gitops
echo "== external linters"; npx tsx scripts/lint-external.ts
# Tests clean up after themselves: they run with a temp folder of their own, which must be empty afterwards.
# (tsx's and jest's own caches excepted).
TEST_TMP="$(mktemp -d)"
trap 'rm -rf "$TEST_TMP"' EXIT
echo "== jest"; TMPDIR="$TEST_TMP" npx jest --ci "$@"
left="$(ls -A "$TEST_TMP" | grep -v -E '^(tsx-[0-9]+|jest_[0-9a-z]+)$' || true)"
if [ -n "$left" ]; then echo "tests left files in the temp folder:"; echo "$left" | head -20; exit 1; fi
