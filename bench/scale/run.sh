#!/usr/bin/env bash
# Scale benchmark: the revocation resync, memory, start-up, /me latency and the admin lists
# with 1M users, 1M recent revocations of each kind and 10M audit rows on PostgreSQL.
#
# Usage: bench/scale/run.sh
#   SCALE_SOURCE=/path/to/another/checkout bench/scale/run.sh   (measure another build, e.g. main)
#   SCALE_USERS=100000 SCALE_REVOKED=100000 SCALE_AUDIT=1000000 bench/scale/run.sh
#
# What it does (a few minutes on 2 cores; everything on 127.0.0.1, all of it stops by itself):
#   1. publishes Cream.Api (Release) from SCALE_SOURCE (default: this checkout), as the README
#      deploys it (ReadyToRun for this machine's runtime) and portable;
#   2. starts a throwaway PostgreSQL (fsync off, pg_stat_statements) in a temp folder, as
#      scripts/test.sh does, migrates it with the service's `migrate` command;
#   3. seeds with SQL (seed-users.sql): SCALE_USERS users, none revoked, SCALE_AUDIT audit rows;
#   4. phase "empty": starts the service, times start-up (launch to /health/ready), reads RSS,
#      measures two resyncs (rows and buffers from pg_stat_statements, bytes the service
#      received from PostgreSQL from the kernel's per-socket counters), /me p50/p99 with wrk
#      (-c50) and the admin list timings;
#   5. seeds SCALE_REVOKED users cut off, ended sessions and revoked jtis (seed-revocations.sql,
#      with the change rows when the table exists), and repeats: start-up (four times: the first
#      read after the seed also sets PostgreSQL's hint bits on the fresh rows; then again, the
#      portable build, and the ReadyToRun one once more), RSS, an idle resync,
#      a resync after 1,000 sessions ended (change-sessions.sql), /me under wrk across resyncs;
#   6. prints one line per measure; always stops the service and PostgreSQL, deletes the folder.
#
# The service resyncs every SCALE_RESYNC_SECONDS (default 5, to keep the run short); per-resync
# numbers do not depend on the interval.

set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source_dir="${SCALE_SOURCE:-$(cd "$here/../.." && pwd)}"
users="${SCALE_USERS:-1000000}"
revoked="${SCALE_REVOKED:-1000000}"
audit="${SCALE_AUDIT:-10000000}"
resync="${SCALE_RESYNC_SECONDS:-5}"

log() { echo "scale: $*" >&2; }
die() { log "error: $*"; exit 1; }

tmp_dir="$(mktemp -d -t cream-scale.XXXXXX)"
chmod 755 "$tmp_dir"
pg_pid=""
service_pid=""

stop_service() {
  if [ -n "$service_pid" ] && kill -0 "$service_pid" 2>/dev/null; then
    kill -TERM "$service_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$service_pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$service_pid" 2>/dev/null || true
  fi
  service_pid=""
}

cleanup() {
  local status=$?
  stop_service
  if [ -n "$pg_pid" ] && kill -0 "$pg_pid" 2>/dev/null; then
    kill -INT "$pg_pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pg_pid" 2>/dev/null || break; sleep 0.2; done
  fi
  rm -rf "$tmp_dir"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  local port
  for _ in $(seq 1 50); do
    port=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return; fi
  done
  die "no free port found"
}

# --- build -----------------------------------------------------------------------------
# As the README deploys: ReadyToRun for this machine's runtime. The portable build (no -r) is
# started too, once, with the state loaded, to show what ReadyToRun buys.
rid="$(dotnet --info | awk '/^ *RID:/ { print $2; exit }')"
log "publishing Cream.Api (Release, ReadyToRun for $rid, and portable) from $source_dir"
dotnet publish "$source_dir/src/Cream.Api" -c Release -r "$rid" -p:PublishReadyToRun=true -o "$tmp_dir/app" -v quiet -nologo >"$tmp_dir/build.log" 2>&1 \
  || { cat "$tmp_dir/build.log" >&2; die "build failed"; }
dotnet publish "$source_dir/src/Cream.Api" -c Release -o "$tmp_dir/app-portable" -v quiet -nologo >"$tmp_dir/build.log" 2>&1 \
  || { cat "$tmp_dir/build.log" >&2; die "build failed"; }

# --- PostgreSQL --------------------------------------------------------------------------
pg_bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5,5 -rn | head -1)"
[ -x "$pg_bin/initdb" ] || die "PostgreSQL server binaries not found"
pg_port="$(free_port)"
as_pg=()
if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin postgres
  as_pg=(setpriv --reuid=postgres --regid=postgres --init-groups)
fi
mkdir -p "$tmp_dir/pg/sock"
[ "$(id -u)" -eq 0 ] && chown -R postgres: "$tmp_dir/pg"
(cd "$tmp_dir/pg" && exec "${as_pg[@]}" "$pg_bin/initdb" -D "$tmp_dir/pg/data" -U postgres -A trust -E UTF8 --locale=C --no-sync) >"$tmp_dir/initdb.log" 2>&1 \
  || { cat "$tmp_dir/initdb.log" >&2; die "initdb failed"; }
cat >>"$tmp_dir/pg/data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $pg_port
unix_socket_directories = '$tmp_dir/pg/sock'
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 256MB
max_wal_size = 4GB
shared_preload_libraries = 'pg_stat_statements'
pg_stat_statements.track = all
EOF
(cd "$tmp_dir/pg" && exec "${as_pg[@]}" "$pg_bin/postgres" -D "$tmp_dir/pg/data") >"$tmp_dir/pg/postgres.log" 2>&1 &
pg_pid=$!
for _ in $(seq 1 60); do "$pg_bin/pg_isready" -q -h 127.0.0.1 -p "$pg_port" -U postgres && break; sleep 0.5; done
psql_() { psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$pg_port" -U postgres -d cream "$@"; }
psql -X -q -h 127.0.0.1 -p "$pg_port" -U postgres -c "CREATE DATABASE cream" postgres
psql_ -c "CREATE EXTENSION pg_stat_statements"
connection="Host=127.0.0.1;Port=$pg_port;Database=cream;Username=postgres;Password=unused"

secret="$(head -c 48 /dev/urandom | base64 | tr -d '\n')"
service_env=(ASPNETCORE_ENVIRONMENT=Production DOTNET_ENVIRONMENT=Production "Jwt__Secret=$secret"
  "ConnectionStrings__Cream=$connection" "DataDirectory=$tmp_dir/data" RateLimits__PerIpPerMinute=1000000000
  RateLimits__SignupsPerIpPerHour=1000000 Logging__LogLevel__Default=Warning "Revocation__ResyncSeconds=$resync"
  Logging__LogLevel__Cream.Api.Auth.Revocation=Information)
log "migrating"
(cd "$tmp_dir/app" && env "${service_env[@]}" dotnet Cream.Api.dll migrate) >"$tmp_dir/migrate.log" 2>&1 || { cat "$tmp_dir/migrate.log" >&2; die "migrate failed"; }

log "seeding $users users and $audit audit rows"
started=$(date +%s.%N)
psql_ -v users="$users" -v audit="$audit" -f "$here/seed-users.sql"
log "seeded in $(echo "$(date +%s.%N) - $started" | bc) s"

# --- measures ----------------------------------------------------------------------------
port="$(free_port)"
base="http://127.0.0.1:$port"
result() { printf '%-58s %s\n' "$1" "$2"; }
rss_mb() { awk '/VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$service_pid/status"; }

start_service() {
  local t0 t1
  t0=$(date +%s.%N)
  (cd "$tmp_dir/${2:-app}" && exec env "${service_env[@]}" ASPNETCORE_URLS="$base" dotnet Cream.Api.dll) >"$tmp_dir/service.log" 2>&1 &
  service_pid=$!
  for _ in $(seq 1 1200); do
    kill -0 "$service_pid" 2>/dev/null || { cat "$tmp_dir/service.log" >&2; die "the service exited during start"; }
    curl -fsS -o /dev/null --max-time 2 "$base/health/ready" 2>/dev/null && break
    sleep 0.05
  done
  t1=$(date +%s.%N)
  result "$1: start-up (launch to /health/ready)" "$(echo "$t1 - $t0" | bc | xargs printf '%.2f s')"
  grep -o 'Revocation state loaded[^;]*' "$tmp_dir/service.log" | sed "s/^/  $1: /" || true
}

# Bytes the service has received from PostgreSQL: the kernel's counter on each of its sockets.
pg_bytes() {
  ss -tinpH "dport = :$pg_port" 2>/dev/null | awk -v pid="pid=$service_pid," '
    /users:/ { mine = index($0, pid) > 0 }
    { if (mine && match($0, /bytes_received:[0-9]+/)) { total += substr($0, RSTART + 15, RLENGTH - 15) } }
    END { print total + 0 }'
}

# Two resyncs' cost: pg_stat_statements over two intervals (calls says how many ran), and the bytes received.
measure_resync() {
  local label="$1" changes="${2:-0}" before after
  sleep 1
  psql_ -c "SELECT pg_stat_statements_reset()" >/dev/null
  before=$(pg_bytes)
  if [ "$changes" -gt 0 ]; then
    psql_ -v changes="$changes" -f "$here/change-sessions.sql" >/dev/null
  fi
  # Two intervals: the changes may commit just after one resync has read the feed.
  sleep "$((2 * resync)).5"
  after=$(pg_bytes)
  result "$label: bytes received from PostgreSQL in two resync intervals" "$((after - before)) B"
  psql_ -At -F ' | ' -c "
    SELECT calls, rows, shared_blks_hit + shared_blks_read, round(total_exec_time::numeric, 1),
           regexp_replace(left(query, 90), '\s+', ' ', 'g')
    FROM pg_stat_statements
    WHERE query ~* 'revocation_events|revoked_at|tokens_valid_after|is_active|deleted_users|revoked_access_tokens'
      AND query !~* 'pg_stat_statements'
    ORDER BY total_exec_time DESC" | sed "s/^/  $label: calls | rows | buffers | ms | query: /"
  psql_ -At -F ' | ' -c "SELECT sum(calls), sum(rows) FROM pg_stat_statements WHERE query !~* 'pg_stat_statements|INSERT|BEGIN|COMMIT|DO'" \
    | sed "s/^/  $label: every statement of the service: calls | rows: /"
  psql_ -At -c "SELECT 'seq scans of app_users, sessions, revoked_access_tokens since start: ' || sum(seq_scan)
    FROM pg_stat_user_tables WHERE relname IN ('app_users','sessions','revoked_access_tokens')" | sed "s/^/  $label: /"
}

me_latency() {
  local label="$1" token="$2" output
  wrk -t2 -c50 -d3s -H "Authorization: Bearer $token" "$base/api/auth/me" >/dev/null # warm-up: JIT tiers, pools, caches
  output="$(wrk -t2 -c50 -d"${3:-10}s" --latency -H "Authorization: Bearer $token" "$base/api/auth/me")"
  result "$label: /me p50 / p99 (wrk -c50)" "$(echo "$output" | awk '/^ +50%/ { p50 = $2 } /^ +99%/ { p99 = $2 } END { print p50 " / " p99 }')"
}

time_get() {
  local label="$1" path="$2" token="$3" timing
  curl -fsS -o /dev/null --max-time 60 -H "Authorization: Bearer $token" "$base$path" || true # warm
  timing=$(curl -sS -o /dev/null -w '%{http_code} %{time_total}' --max-time 60 -H "Authorization: Bearer $token" "$base$path")
  result "$label" "$(echo "$timing" | awk '{ printf "%s in %.0f ms", $1, $2 * 1000 }')"
}

sign_up() {
  curl -fsS --max-time 30 -H 'Content-Type: application/json' \
    -d "{\"email\":\"$1\",\"password\":\"correct horse battery staple\",\"first_name\":\"Scale\",\"last_name\":\"Bench\"}" \
    "$base/api/auth/signup" | sed -E 's/.*"access_token":"([^"]+)".*/\1/'
}

# Phase 1: 1M users, nothing revoked.
start_service "empty"
result "empty: RSS after start" "$(rss_mb) MB"
token="$(sign_up "scale-$RANDOM@example.com")"
measure_resync "empty"
result "empty: RSS after resyncs" "$(rss_mb) MB"
me_latency "empty" "$token"
stop_service
(cd "$tmp_dir/app" && env "${service_env[@]}" dotnet Cream.Api.dll create-admin --email scale-admin@example.com \
  --password 'correct horse battery staple') >/dev/null
start_service "empty (again, with an admin)"
admin="$(curl -fsS --max-time 30 -d 'username=scale-admin@example.com&password=correct horse battery staple' "$base/api/auth/login" \
  | sed -E 's/.*"access_token":"([^"]+)".*/\1/')"
some_user="$(psql_ -At -c "SELECT id FROM app_users ORDER BY created_at LIMIT 1 OFFSET 5000")"
time_get "admin users, page 1" "/api/admin/users?page=1&page_size=50" "$admin"
time_get "admin users, page 200 (the deepest page mode reaches)" "/api/admin/users?page=200&page_size=50" "$admin"
time_get "admin users, page 20000 (beyond the reach: 422)" "/api/admin/users?page=20000&page_size=50" "$admin"
time_get "admin users, email filter" "/api/admin/users?email=user777777@example.com" "$admin"
time_get "admin users, limit=50 (cursor paging)" "/api/admin/users?limit=50" "$admin"
time_get "audit, page 1" "/api/admin/audit?page=1" "$admin"
time_get "audit, user_id filter" "/api/admin/audit?user_id=$some_user" "$admin"
time_get "audit, type filter" "/api/admin/audit?type=logout" "$admin"
time_get "audit, type filter, page 200" "/api/admin/audit?type=logout&page=200" "$admin"
time_get "audit, type filter, limit=50 (cursor paging)" "/api/admin/audit?type=logout&limit=50" "$admin"
time_get "audit, request_id filter" "/api/admin/audit?request_id=req-4242424" "$admin"
time_get "audit, limit=50 (cursor paging)" "/api/admin/audit?limit=50" "$admin"
stop_service

# Phase 2: 1M recent revocations of each kind.
log "seeding $revoked revocations of each kind"
started=$(date +%s.%N)
psql_ -v revoked="$revoked" -f "$here/seed-revocations.sql"
log "seeded in $(echo "$(date +%s.%N) - $started" | bc) s"
start_service "revoked"
# The first read after the seed also sets PostgreSQL's hint bits on 3M fresh rows; a restart reads them as they stay.
stop_service
start_service "revoked (restarted)"
stop_service
start_service "revoked (restarted, portable build)" app-portable
stop_service
start_service "revoked (restarted again)"
result "revoked: RSS after start" "$(rss_mb) MB"
token="$(sign_up "scale-$RANDOM@example.com")"
measure_resync "revoked, nothing changed"
result "revoked: RSS after resyncs" "$(rss_mb) MB"
measure_resync "revoked, 1,000 sessions ended meanwhile" 1000
me_latency "revoked, during resyncs" "$token" "$((resync * 3))"
result "revoked: RSS at the end" "$(rss_mb) MB"
