#!/usr/bin/env bash
# Drives the real responses of every documented route through the OpenAPI document's schemas
# with schemathesis (from PyPI): no 5xx, no undocumented status, no response off its schema.
#   scripts/schemathesis.sh [path-to-ninepanels-binary]   (default target/debug/ninepanels)
# Signs in as an admin of a fresh SQLite database for every operation but the two that end the
# session (sign-out, account deletion); those run in a second pass as an account of their own.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-target/debug/ninepanels}
OPS=$(dirname "$BIN")/ninepanels-ops
command -v schemathesis >/dev/null || python3 -m pip install --quiet schemathesis
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
export DATABASE_URL="sqlite://$WORK/st.db?mode=rwc" JWT_SECRET=schemathesis-secret-long-enough-for-hs256 \
  LOG_LEVEL=warn MAIL_DIR=$WORK/mail RATE_LIMIT_PER_EMAIL=1000000 RATE_LIMIT_PER_ADDRESS=1000000
[ -x "$OPS" ] || cargo build --quiet -p ninepanels-ops
"$OPS" migrate up >/dev/null
"$OPS" user create-admin --email st@example.org --name Schemathesis --password "a fine password" >/dev/null
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
BIND_ADDR=127.0.0.1:$PORT "$BIN" > "$WORK/server.log" 2>&1 &
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.1; done
TOKEN=$(curl -sf -d 'username=st@example.org&password=a fine password' "http://127.0.0.1:$PORT/token" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["access_token"])')
curl -sf -H "Authorization: Bearer $TOKEN" -d 'title=read' "http://127.0.0.1:$PORT/v5/panels" >/dev/null
CHECKS=not_a_server_error,status_code_conformance,response_schema_conformance,content_type_conformance
schemathesis run "http://127.0.0.1:$PORT/openapi.json" -H "Authorization: Bearer $TOKEN" \
  --checks "$CHECKS" --max-examples 30 \
  --exclude-operation-id logout --exclude-operation-id delete_user

# Each ending operation as an account of its own: its first call succeeds, the rest are 401.
for operation in logout delete_user; do
  curl -sf -d "email=st-$operation@example.org&name=Ends&password=a fine password" "http://127.0.0.1:$PORT/v5/users" >/dev/null
  TOKEN=$(curl -sf -d "username=st-$operation@example.org&password=a fine password" "http://127.0.0.1:$PORT/token" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["access_token"])')
  schemathesis run "http://127.0.0.1:$PORT/openapi.json" -H "Authorization: Bearer $TOKEN" \
    --checks "$CHECKS" --max-examples 30 --include-operation-id "$operation"
done
