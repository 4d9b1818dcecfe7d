#!/usr/bin/env bash
# Mission control: choose an environment (with branch guard-rails), load its env file, then
# run an operator action through ninepanels-ops.
#
#   ./mc.sh                          menu: environment, then action
#   ./mc.sh FEATURE backup --full    non-interactive: environment, then ninepanels-ops arguments
#
# Guard-rails: MAIN only on branch main, STAGING only on staging, FEATURE on any other branch,
# TEST anywhere. Env files: .env.feature, .env.staging, .env.main, .env.test (not committed;
# see .env.example). NINEPANELS_OPS names the ninepanels-ops binary (default: cargo run).
set -euo pipefail
cd "$(dirname "$0")"

die() { echo "mc.sh: $*" >&2; exit 1; }

branch=$(git rev-parse --abbrev-ref HEAD 2>/dev/null || echo "")

allowed() {
  case "$1" in
    MAIN) [ "$branch" = "main" ] ;;
    STAGING) [ "$branch" = "staging" ] ;;
    FEATURE) [ -n "$branch" ] && [ "$branch" != "main" ] && [ "$branch" != "staging" ] ;;
    TEST) true ;;
    *) return 1 ;;
  esac
}

why_not() {
  case "$1" in
    MAIN) echo "MAIN is only selectable on branch main (this is '${branch:-no branch}')" ;;
    STAGING) echo "STAGING is only selectable on branch staging (this is '${branch:-no branch}')" ;;
    FEATURE) echo "FEATURE is for feature branches, not '${branch:-no branch}'" ;;
    *) echo "'$1' is not one of FEATURE, STAGING, MAIN, TEST" ;;
  esac
}

ops() {
  if [ -n "${NINEPANELS_OPS:-}" ]; then
    "$NINEPANELS_OPS" "$@"
  else
    cargo run --quiet --release -p ninepanels-ops -- "$@"
  fi
}

choose_env() {
  local envs=()
  for e in FEATURE STAGING MAIN TEST; do allowed "$e" && envs+=("$e"); done
  PS3="environment (branch ${branch:-none}): "
  select e in "${envs[@]}"; do [ -n "${e:-}" ] && { echo "$e"; return; }; done
  exit 1
}

choose_action() {
  local actions=("migrate status" "migrate up" "backup --full" "backup --data-only" "data" "schema"
    "jobs list" "outbox list" "outbox retry" "seed" "clear" "log" "quit")
  PS3="action: "
  select a in "${actions[@]}"; do
    [ "${a:-}" = "quit" ] && exit 0
    [ -n "${a:-}" ] && { echo "$a"; return; }
  done
  exit 1
}

if [ $# -ge 1 ]; then
  env_name=$(echo "$1" | tr '[:lower:]' '[:upper:]')
  shift
else
  env_name=$(choose_env)
fi
allowed "$env_name" || die "refused: $(why_not "$env_name")"

env_file=".env.$(echo "$env_name" | tr '[:upper:]' '[:lower:]')"
[ -f "$env_file" ] || die "missing $env_file (copy .env.example and fill it in)"
set -a
# shellcheck disable=SC1090
. "$env_file"
set +a
export NINEPANELS_ENV="$env_name"

if [ $# -eq 0 ]; then
  # shellcheck disable=SC2046
  set -- $(choose_action)
fi
echo "mc.sh: $env_name on branch ${branch:-none}: ninepanels-ops $*"
ops "$@"
