#!/usr/bin/env bash
# The whole test suite: unit and integration tests of every crate, on SQLite and PostgreSQL.
# PostgreSQL is taken from TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test);
# when it is unreachable its tests are skipped with a loud message, unless
# NINEPANELS_REQUIRE_POSTGRES=1 (as in CI), where they fail.
set -euo pipefail
cd "$(dirname "$0")/.."
exec cargo test --workspace --all-targets --no-fail-fast "$@"
