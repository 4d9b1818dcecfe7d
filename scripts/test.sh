#!/usr/bin/env bash
# The whole test suite: unit and integration tests of every crate, on SQLite and PostgreSQL.
# PostgreSQL is taken from TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres;
# each test creates and drops a database of its own there); when it is unreachable its tests are
# skipped with a loud message, unless NINEPANELS_REQUIRE_POSTGRES=1 (as in CI), where they fail.
# The last line says how many PostgreSQL tests ran and how many were skipped (and, when they
# were, that the SMTP tests were skipped for want of Python's aiosmtpd); it is printed here,
# after the run, so no test runner can swallow it.
set -euo pipefail
cd "$(dirname "$0")/.."
tally=$(mktemp)
trap 'rm -f "$tally"' EXIT
status=0
NINEPANELS_PG_TALLY=$tally cargo test --workspace --all-targets --no-fail-fast "$@" || status=$?
count() { { grep "^$1 " "$tally" || true; } | sort -u | wc -l; }
ran=$(count ran)
skipped=$(count skipped)
if [ "$skipped" -gt 0 ]; then
  echo "!!! PostgreSQL tests: $ran ran, $skipped SKIPPED (PostgreSQL unreachable at ${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres})"
else
  echo "PostgreSQL tests: $ran ran, 0 skipped"
fi
if grep -q '^smtp-skipped' "$tally"; then
  echo "!!! SMTP tests SKIPPED: no python3 with aiosmtpd (python3 -m pip install aiosmtpd, in a virtual environment)"
fi
if [ "${NINEPANELS_REQUIRE_POSTGRES:-}" = 1 ] && [ "$ran" -eq 0 ]; then
  echo "!!! NINEPANELS_REQUIRE_POSTGRES=1 but no PostgreSQL test ran" >&2
  status=1
fi
exit "$status"
