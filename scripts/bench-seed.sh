# The benchmark data and two helpers, sourced by scripts/bench.sh and scripts/instructions.sh: 1,000 users x 9
# panels x 365 days of entries, each user's panels written together (as a user creates them at
# sign-up), every password copied from the account template@example.org.

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# ratio A B: A / B to two decimals (throughput against throughput).
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }

# seed_database ENGINE URL: migrates the (empty) database at URL, adds the template account and
# the data. Needs $BIN (the release binaries) and JWT_SECRET in the environment.
seed_database() {
  local engine=$1 url=$2
  DATABASE_URL=$url "$BIN/ninepanels-ops" migrate up >/dev/null
  DATABASE_URL=$url "$BIN/ninepanels-ops" user create-admin --email template@example.org \
    --name Template --password "bench password" >/dev/null
  echo "seeding $engine: 1,000 users x 9 panels x 365 days"
  if [ "$engine" = postgres ]; then
    seed_sql_postgres | psql -q "$url" >/dev/null
  else
    local file=${url#sqlite://}
    seed_sql_sqlite | sqlite3 "${file%%\?*}" >/dev/null
  fi
}

seed_sql_postgres() {
  cat <<'SQL'
INSERT INTO users (email, name, hashed_password, is_admin, time_zone)
  SELECT 'bench' || g || '@example.org', 'Bench ' || g,
         (SELECT hashed_password FROM users WHERE email = 'template@example.org'), false, 'Europe/London'
  FROM generate_series(1, 1000) g;
INSERT INTO panels (created_at, title, description, position, user_id)
  SELECT (now() AT TIME ZONE 'utc') - interval '365 days', 'Panel ' || p, NULL, p, u.id
  FROM users u CROSS JOIN generate_series(0, 8) p WHERE u.email LIKE 'bench%' ORDER BY u.id, p;
INSERT INTO entries (is_complete, timestamp, panel_id)
  SELECT (d % 3 <> 0), (now() AT TIME ZONE 'utc') - make_interval(days => d, hours => 2), pa.id
  FROM panels pa CROSS JOIN generate_series(0, 364) d;
VACUUM ANALYZE;
-- The seed's pages written out now, not by a checkpoint spread over the measurements.
CHECKPOINT;
SQL
}

seed_sql_sqlite() {
  cat <<'SQL'
WITH RECURSIVE n(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM n WHERE g < 1000)
INSERT INTO users (email, name, hashed_password, is_admin, time_zone)
  SELECT 'bench' || g || '@example.org', 'Bench ' || g,
         (SELECT hashed_password FROM users WHERE email = 'template@example.org'), 0, 'Europe/London' FROM n;
WITH RECURSIVE p(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM p WHERE i < 8)
INSERT INTO panels (created_at, title, description, position, user_id)
  SELECT datetime('now', '-365 days'), 'Panel ' || i, NULL, i, u.id FROM users u, p WHERE u.email LIKE 'bench%'
  ORDER BY u.id, i;
WITH RECURSIVE d(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM d WHERE k < 364)
INSERT INTO entries (is_complete, timestamp, panel_id)
  SELECT (k % 3 <> 0), datetime('now', '-' || k || ' days', '-2 hours'), pa.id FROM panels pa, d;
ANALYZE;
SQL
}
