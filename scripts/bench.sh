#!/usr/bin/env bash
# Load figures for the server against a bare-axum floor, on PostgreSQL and then SQLite.
#
#   scripts/bench.sh [seconds-per-route]      (default 10)
#   BENCH_ENGINES="postgres" scripts/bench.sh  (one engine only; default "postgres sqlite")
#
# Builds release binaries, seeds 1,000 users x 9 panels x 365 days of entries (each user's panels
# written together, as a user creates them at sign-up), starts the server and beside it the floor
# (crates/server/examples/floor.rs: one indexed single-row SELECT, small JSON; its POST is the
# write floor, one committed INSERT of an entry), warms both up, and drives each route with wrk
# (installed from Debian's packages if missing) from a separate process over loopback, each floor
# next to what it is compared with. Prints requests/s, p50, p99, errors, the ratio of each route's
# throughput to the floor's (and for the panel list, three more alternated pairs), and the
# server's peak RSS; then the read-cost scenarios (a panel tapped 20,000 times today, ten years of
# history), each against its plain twin, measured after one first read that counts the history
# (timed and printed on its own). PostgreSQL: TEST_POSTGRES_URL's server
# (default postgres://postgres@127.0.0.1:5432/postgres); a database is created and dropped.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_ROUTE=${1:-10}
THREADS=2
CONNECTIONS=16
ADMIN_URL=${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
SECRET=bench-secret-that-is-long-enough-for-hs256
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; [ -n "${KEEP_BENCH_DIR:-}" ] || rm -rf "$WORK"' EXIT

command -v wrk >/dev/null || { echo "installing wrk"; apt-get install -y wrk >/dev/null; }
cargo build --release --quiet -p ninepanels -p ninepanels-ops --bins
cargo build --release --quiet -p ninepanels --example floor
BIN=target/release
# shellcheck source=scripts/bench-seed.sh
source scripts/bench-seed.sh

wait_ready() { for _ in $(seq 1 300); do curl -sf "$1" >/dev/null && return 0; sleep 0.1; done; echo "not ready: $1" >&2; cat "$WORK"/*.log >&2; return 1; }
to_ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us$/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v*=1000}; printf "%.2f", v}'; }

TICK_US=$((1000000 / $(getconf CLK_TCK)))
ticks_of() { local t=0 p; for p in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0))); done; echo "$t"; }
db_pids() { [ "$ENGINE" = postgres ] && pgrep -u postgres postgres || true; }

# run_wrk NAME URL [wrk args...] -> appends "name rps p50 p99 errors server-us db-us peak-rss-mb"
# to $WORK/results: CPU time per request of the process under test ($RSS_PID) and of the
# PostgreSQL server's processes (SQLite works inside the process under test), and that
# process's peak RSS so far.
run_wrk() {
  local name=$1 url=$2; shift 2
  local server_before db_before; server_before=$(ticks_of "$RSS_PID"); db_before=$(ticks_of $(db_pids))
  local out; out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${SECONDS_PER_ROUTE}s" --latency "$@" "$url")
  local requests; requests=$(echo "$out" | awk '/requests in/ {print $1}')
  local server_us=$(( ($(ticks_of "$RSS_PID") - server_before) * TICK_US / requests ))
  local db_us=$(( ($(ticks_of $(db_pids)) - db_before) * TICK_US / requests ))
  [ "$ENGINE" = postgres ] || db_us=-
  local rps p50 p99 errors
  rps=$(echo "$out" | awk '/^Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}' | to_ms)
  p99=$(echo "$out" | awk '$1=="99%" {print $2}' | to_ms)
  errors=$(echo "$out" | awk '/Non-2xx/ {n+=$NF} /Socket errors/ {gsub(",",""); n+=$4+$6+$8+$10} END {print n+0}')
  local rss; rss=$(awk '/VmHWM/ {printf "%d", $2 / 1024}' "/proc/$RSS_PID/status")
  echo "$name $rps $p50 $p99 $errors $server_us $db_us $rss" >> "${RESULTS:-$WORK/results}"
}

# wrk_rps URL [wrk args...] -> requests/s over half a route's time, nothing recorded.
wrk_rps() {
  local url=$1; shift
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$(( (SECONDS_PER_ROUTE + 1) / 2 ))s" "$@" "$url" | awk '/^Requests\/sec/ {print $2}'
}

# read_cost_scenarios BASE URL: what the read-cost goals compare, side by side in this run
# (requests/s of each pair and their ratio): 30 days of history and consistency of a panel
# tapped 20,000 times today against one without those taps, and consistency over 10 years of
# history against 1 year. Runs against the server at BASE on the database at URL.
read_cost_scenarios() {
  local base=$1 url=$2
  local RESULTS=$WORK/scenarios
  : > "$RESULTS"
  local sql
  if [ "$ENGINE" = postgres ]; then sql() { psql -qtA "$url" -c "$1"; }
  else local file=${url#sqlite://}; file=${file%%\?*}; sql() { sqlite3 "$file" "$1"; }; fi
  sign_in() { curl -sf -d "username=$1&password=bench password" "$base/token" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["access_token"])'; }
  fourth_panel() { curl -sf -H "Authorization: Bearer $1" "$base/v5/panels" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][3]["id"])'; }
  local busy quiet busy_panel quiet_panel
  busy=$(sign_in bench8@example.org); quiet=$(sign_in bench9@example.org)
  busy_panel=$(fourth_panel "$busy"); quiet_panel=$(fourth_panel "$quiet")
  if [ "$ENGINE" = postgres ]; then
    sql "INSERT INTO entries (is_complete, timestamp, panel_id)
         SELECT (g % 2 = 0), (now() AT TIME ZONE 'utc') - make_interval(secs => g % 3000), $busy_panel
         FROM generate_series(1, 20000) g; ANALYZE entries;"
    sql "INSERT INTO users (email, name, hashed_password, is_admin, time_zone)
         SELECT 'decade@example.org', 'Decade', hashed_password, false, 'Europe/London' FROM users WHERE email = 'template@example.org';
         INSERT INTO panels (created_at, title, description, position, user_id)
         SELECT (now() AT TIME ZONE 'utc') - interval '3650 days', 'Panel ' || p, NULL, p, u.id
         FROM users u CROSS JOIN generate_series(0, 8) p WHERE u.email = 'decade@example.org';
         INSERT INTO entries (is_complete, timestamp, panel_id)
         SELECT (d % 3 <> 0), (now() AT TIME ZONE 'utc') - make_interval(days => d, hours => 2), pa.id
         FROM panels pa JOIN users u ON u.id = pa.user_id CROSS JOIN generate_series(0, 3649) d
         WHERE u.email = 'decade@example.org'; ANALYZE entries;" >/dev/null
    # As after the seed: these rows' pages written out now, not during the measurements.
    sql "CHECKPOINT" >/dev/null
  else
    sql "WITH RECURSIVE n(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM n WHERE g < 20000)
         INSERT INTO entries (is_complete, timestamp, panel_id)
         SELECT (g % 2 = 0), datetime('now', '-' || (g % 3000) || ' seconds'), $busy_panel FROM n;
         INSERT INTO users (email, name, hashed_password, is_admin, time_zone)
         SELECT 'decade@example.org', 'Decade', hashed_password, 0, 'Europe/London' FROM users WHERE email = 'template@example.org';
         WITH RECURSIVE p(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM p WHERE i < 8)
         INSERT INTO panels (created_at, title, description, position, user_id)
         SELECT datetime('now', '-3650 days'), 'Panel ' || i, NULL, i, u.id FROM users u, p WHERE u.email = 'decade@example.org';
         WITH RECURSIVE d(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM d WHERE k < 3649)
         INSERT INTO entries (is_complete, timestamp, panel_id)
         SELECT (k % 3 <> 0), datetime('now', '-' || k || ' days', '-2 hours'), pa.id
         FROM panels pa JOIN users u ON u.id = pa.user_id, d WHERE u.email = 'decade@example.org';
         ANALYZE;"
  fi
  local decade; decade=$(sign_in decade@example.org)
  # A history nobody has read yet is counted once, by its first read (the tallies it saves are
  # what later reads start from): timed here on its own, then each scenario is measured warm.
  first_read() { curl -s -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $1" "$base$2" | awk '{printf "%.0f", $1 * 1000}'; }
  local first_decade first_year
  first_decade=$(first_read "$decade" /v5/metrics/panels/consistency)
  first_year=$(first_read "$quiet" /v5/metrics/panels/consistency)
  first_read "$busy" /v5/metrics/panels/consistency >/dev/null
  run_wrk "history 30 days, 20,000 taps today" "$base/v5/panels/$busy_panel/entries?limit=30" -H "Authorization: Bearer $busy"
  run_wrk "history 30 days, no taps today" "$base/v5/panels/$quiet_panel/entries?limit=30" -H "Authorization: Bearer $quiet"
  run_wrk "consistency, 20,000 taps today" "$base/v5/metrics/panels/consistency" -H "Authorization: Bearer $busy"
  run_wrk "consistency, 1 year" "$base/v5/metrics/panels/consistency" -H "Authorization: Bearer $quiet"
  run_wrk "consistency, 10 years" "$base/v5/metrics/panels/consistency" -H "Authorization: Bearer $decade"
  rps_of() { awk -v n="$1" '{rps=$(NF-6); name=$0; sub(/ [^ ]+ [^ ]+ [^ ]+ [^ ]+ [^ ]+ [^ ]+ [^ ]+$/, "", name); if (name == n) print rps}' "$RESULTS"; }
  echo
  echo "== $ENGINE: read cost scenarios (goal: each ratio 0.8 or more)"
  printf '| %-62s | %10s | %10s | %6s |\n' "scenario (req/s against req/s)" "req/s" "against" ratio
  printf '|%s|%s|%s|%s|\n' "----------------------------------------------------------------" "------------" "------------" "--------"
  pair() { printf '| %-62s | %10s | %10s | %6s |\n' "$1" "$(rps_of "$2")" "$(rps_of "$3")" "$(ratio "$(rps_of "$2")" "$(rps_of "$3")")"; }
  pair "30-day history: 20,000 taps today against none" "history 30 days, 20,000 taps today" "history 30 days, no taps today"
  pair "consistency: 20,000 taps today against none" "consistency, 20,000 taps today" "consistency, 1 year"
  pair "consistency: 10 years against 1 year" "consistency, 10 years" "consistency, 1 year"
  echo "first read of a history never counted (9 panels): 10 years ${first_decade} ms, 1 year ${first_year} ms"
}

bench_engine() {
  local engine=$1 url=$2
  ENGINE=$engine
  : > "$WORK/results"
  export DATABASE_URL=$url JWT_SECRET=$SECRET LOG_LEVEL=warn MAIL_DIR=$WORK/mail
  seed_database "$engine" "$url"

  local port; port=$(free_port)
  BIND_ADDR=127.0.0.1:$port RATE_LIMIT_PER_EMAIL=1000000 RATE_LIMIT_PER_ADDRESS=1000000 \
    "$BIN/ninepanels" > "$WORK/server.log" 2>&1 &
  local server=$!
  local base=http://127.0.0.1:$port
  wait_ready "$base/readyz"
  local start_kb; start_kb=$(awk '/VmRSS/ {print $2}' "/proc/$server/status")
  local token panel
  token=$(curl -sf -d 'username=bench7@example.org&password=bench password' "$base/token" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["access_token"])')
  panel=$(curl -sf -H "Authorization: Bearer $token" "$base/v5/panels" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][3]["id"])')
  local auth="Authorization: Bearer $token"
  printf 'wrk.method = "POST"\nwrk.body = "{\\"is_complete\\": true}"\nwrk.headers["Content-Type"] = "application/json"\n' > "$WORK/entry.lua"
  printf 'wrk.method = "POST"\nwrk.body = "username=bench7%%40example.org&password=bench%%20password"\nwrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\n' > "$WORK/token.lua"
  printf 'wrk.method = "POST"\n' > "$WORK/floor-post.lua"

  # The floor runs beside the server, so each floor is measured next to what it is compared with:
  # the read floor right before the reads, the write floor right after the taps (its thousands of
  # commits would otherwise leave the taps a log to checkpoint).
  local floor_port; floor_port=$(free_port)
  BIND_ADDR=127.0.0.1:$floor_port "$BIN/examples/floor" > "$WORK/floor.log" 2>&1 &
  local floor=$!
  local floor_url=http://127.0.0.1:$floor_port/floor/$panel
  wait_ready "$floor_url"
  # Both warmed up first (connections opened, statements prepared, pages cached); not recorded.
  wrk -t"$THREADS" -c"$CONNECTIONS" -d2s "$floor_url" >/dev/null
  wrk -t"$THREADS" -c"$CONNECTIONS" -d2s -H "$auth" "$base/v5/panels" >/dev/null

  RSS_PID=$floor
  run_wrk "floor (1 indexed SELECT)" "$floor_url"
  RSS_PID=$server
  # The reads go first: the taps add thousands of entries to today.
  run_wrk "GET /v5/panels" "$base/v5/panels" -H "$auth"
  run_wrk "GET /v5/panels/{id}/entries?limit=365" "$base/v5/panels/$panel/entries?limit=365" -H "$auth"
  run_wrk "GET /v5/metrics/panels/consistency" "$base/v5/metrics/panels/consistency" -H "$auth"
  # The list's goal sits within this machine's noise: three more pairs, floor then list, each
  # half a route's time, their ratios and the median printed after the table.
  local rounds=""
  for _ in 1 2 3; do
    local pair_floor pair_list
    pair_floor=$(wrk_rps "$floor_url")
    pair_list=$(wrk_rps "$base/v5/panels" -H "$auth")
    rounds="$rounds $(ratio "$pair_list" "$pair_floor")"
  done
  run_wrk "POST /v5/panels/{id}/entries" "$base/v5/panels/$panel/entries" -H "$auth" -s "$WORK/entry.lua"
  RSS_PID=$floor
  run_wrk "write floor (1 INSERT committed)" "$floor_url" -s "$WORK/floor-post.lua"
  kill "$floor"; wait "$floor" 2>/dev/null || true
  RSS_PID=$server
  run_wrk "POST /token" "$base/token" -s "$WORK/token.lua"
  read_cost_scenarios "$base" "$url" > "$WORK/scenarios.out"
  local rss_kb; rss_kb=$(awk '/VmHWM/ {print $2}' "/proc/$server/status")
  kill -TERM "$server"; wait "$server" || true

  local floor_rps; floor_rps=$(awk '$1 == "floor" {print $(NF-6)}' "$WORK/results")
  local write_floor_rps; write_floor_rps=$(awk '/^write floor/ {print $(NF-6)}' "$WORK/results")
  local tap_rps; tap_rps=$(awk '$1 == "POST" && $2 == "/v5/panels/{id}/entries" {print $(NF-6)}' "$WORK/results")
  echo
  echo "== $engine: $(nproc) cores, $(date -u +%Y-%m-%d), ${SECONDS_PER_ROUTE}s per route, wrk -t$THREADS -c$CONNECTIONS"
  printf '| %-40s | %10s | %8s | %8s | %6s | %7s | %10s | %9s | %11s |\n' route "req/s" "p50 ms" "p99 ms" errors "x floor" "server µs" "db µs" "peak RSS MB"
  printf '|%s|%s|%s|%s|%s|%s|%s|%s|%s|\n' "------------------------------------------" "------------" "----------" "----------" "--------" "---------" "------------" "-----------" "-------------"
  while read -r line; do
    local name rps p50 p99 errors server_us db_us rss
    rss=${line##* }; line=${line% *}; db_us=${line##* }; line=${line% *}; server_us=${line##* }; line=${line% *}
    errors=${line##* }; line=${line% *}; p99=${line##* }; line=${line% *}; p50=${line##* }; line=${line% *}; rps=${line##* }; name=${line% *}
    printf '| %-40s | %10s | %8s | %8s | %6s | %7s | %10s | %9s | %11s |\n' "$name" "$rps" "$p50" "$p99" "$errors" "$(ratio "$rps" "$floor_rps")" "$server_us" "$db_us" "$rss"
  done < "$WORK/results"
  echo "GET /v5/panels against the floor, alternated pairs:$rounds (median $(echo "$rounds" | tr ' ' '\n' | sed '/^$/d' | sort -n | sed -n 2p))"
  echo "a tap against the write floor (the same commit, bare): $(ratio "$tap_rps" "$write_floor_rps")"
  echo "server µs / db µs: CPU time per request of the process under test / of PostgreSQL's processes"
  echo "server RSS after start: $((start_kb / 1024)) MB; peak RSS over the run: $((rss_kb / 1024)) MB"
  cat "$WORK/scenarios.out"
}

ENGINES=${BENCH_ENGINES:-postgres sqlite}
pg_db="np_bench_$$"
if [[ " $ENGINES " != *" postgres "* ]]; then
  :
elif psql -q "$ADMIN_URL" -c "CREATE DATABASE $pg_db" 2>/dev/null; then
  bench_engine postgres "${ADMIN_URL%/*}/$pg_db"
  psql -q "$ADMIN_URL" -c "DROP DATABASE $pg_db WITH (FORCE)"
else
  echo "PostgreSQL at $ADMIN_URL is not reachable: skipping its run"
fi
if [[ " $ENGINES " == *" sqlite "* ]]; then
  bench_engine sqlite "sqlite://$WORK/bench.db?mode=rwc"
fi
