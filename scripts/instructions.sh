#!/usr/bin/env bash
# Server work per request counted in instructions (valgrind), for GET /v5/panels and the floor:
# unlike requests/s on a shared machine, the count repeats to within a percent from run to run,
# so it is the figure to compare two builds by.
#
#   scripts/instructions.sh [requests]     (default 2000)
#   ROUTE='/v5/panels/{panel}/entries?limit=365' scripts/instructions.sh 300   (another GET route)
#   ENGINE=sqlite scripts/instructions.sh                                     (default postgres)
#
# Seeds the data of scripts/bench.sh (on PostgreSQL: TEST_POSTGRES_URL's server, default
# postgres://postgres@127.0.0.1:5432/postgres; a database is created and dropped), runs the release
# server under cachegrind twice, sending 200 and then 200 + N requests over one connection, and
# prints the difference over N, so start-up and sign-in cancel out; the same for
# the floor (crates/server/examples/floor.rs). Counts the process's own instructions (on SQLite that includes the database's
# work, which runs inside it), not the kernel's or PostgreSQL's.
set -euo pipefail
cd "$(dirname "$0")/.."
REQUESTS=${1:-2000}
ENGINE=${ENGINE:-postgres}
ROUTE=${ROUTE:-/v5/panels}
ADMIN_URL=${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
WORK=$(mktemp -d)
DB="np_instructions_$$"
URL="${ADMIN_URL%/*}/$DB"
trap 'kill $(jobs -p) 2>/dev/null || true; psql -q "$ADMIN_URL" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT

command -v valgrind >/dev/null || { echo "installing valgrind"; apt-get install -y valgrind >/dev/null; }
cargo build --release --quiet -p ninepanels -p ninepanels-ops --bins
cargo build --release --quiet -p ninepanels --example floor
BIN=target/release
# shellcheck source=scripts/bench-seed.sh
source scripts/bench-seed.sh

[ "$ENGINE" = postgres ] || URL="sqlite://$WORK/bench.db?mode=rwc"
export DATABASE_URL=$URL JWT_SECRET=bench-secret-that-is-long-enough-for-hs256 LOG_LEVEL=warn MAIL_DIR=$WORK/mail
[ "$ENGINE" = postgres ] && psql -q "$ADMIN_URL" -c "CREATE DATABASE $DB"
seed_database "$ENGINE" "$URL"
if [ "$ENGINE" = postgres ]; then
  run_sql() { psql -qtA "$URL" -c "$1"; }
else
  run_sql() { sqlite3 "$WORK/bench.db" "$1"; }
fi

port=$(free_port)
base=http://127.0.0.1:$port

# instructions BINARY READY-PATH REQUEST-PATH SIGN-IN COUNT: the process's instruction total
instructions() {
  local binary=$1 ready=$2 path=$3 sign_in=$4 count=$5
  BIND_ADDR=127.0.0.1:$port RATE_LIMIT_PER_EMAIL=1000000 RATE_LIMIT_PER_ADDRESS=1000000 \
    valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file="$WORK/out" "$BIN/$binary" \
    > "$WORK/server.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 600); do curl -sf "$base$ready" >/dev/null && break; sleep 0.2; done
  python3 - "$base" "$path" "$count" "$sign_in" <<'PY'
import http.client, json, sys, urllib.parse
base, path, count, sign_in = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
connection = http.client.HTTPConnection(urllib.parse.urlparse(base).netloc)
headers = {}
if sign_in:
    body = "username=bench7%40example.org&password=bench%20password"
    connection.request("POST", "/token", body, {"Content-Type": "application/x-www-form-urlencoded"})
    answer = connection.getresponse()
    headers["Authorization"] = "Bearer " + json.loads(answer.read())["data"]["access_token"]
for _ in range(count):
    connection.request("GET", path, headers=headers)
    answer = connection.getresponse()
    answer.read()
    assert answer.status == 200, answer.status
PY
  kill -TERM "$pid"
  wait "$pid" || true
  awk '/^summary/ {print $2}' "$WORK/out"
}

# per_request BINARY READY-PATH REQUEST-PATH [sign-in]
per_request() {
  local few many
  few=$(instructions "$1" "$2" "$3" "${4:-}" 200)
  many=$(instructions "$1" "$2" "$3" "${4:-}" $((200 + REQUESTS)))
  echo $(((many - few) / REQUESTS))
}

panel=$(run_sql "SELECT p.id FROM panels p JOIN users u ON u.id = p.user_id WHERE u.email = 'bench7@example.org' ORDER BY p.position LIMIT 1 OFFSET 3")
route=${ROUTE//\{panel\}/$panel}
routed=$(per_request ninepanels /readyz "$route" sign-in)
floor=$(per_request examples/floor "/floor/$panel" "/floor/$panel")
echo
echo "== $ENGINE: instructions per request in the process under test, $REQUESTS requests, $(date -u +%Y-%m-%d)"
printf '| %-40s | %12s | %7s |\n' route instructions "x floor"
printf '|%s|%s|%s|\n' "------------------------------------------" "--------------" "---------"
printf '| %-40s | %12s | %7s |\n' "GET $ROUTE" "$routed" "$(ratio "$routed" "$floor")"
printf '| %-40s | %12s | %7s |\n' "floor" "$floor" "1.00"
