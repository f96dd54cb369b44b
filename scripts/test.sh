#!/usr/bin/env bash
# Runs the whole test suite against throwaway PostgreSQL and Redis servers.
#
# Usage: scripts/test.sh [extra dotnet test arguments...]
#   e.g. scripts/test.sh --filter "FullyQualifiedName~Orders"
#
# What it does:
#   1. installs postgresql / redis-server / nodejs / npm / chromium with
#      apt-get if they are missing (only when running as root, as CI does);
#   2. starts a private PostgreSQL and a private Redis on free loopback ports,
#      with all their files in one temp folder;
#   3. installs panva/jose (npm) into the same temp folder, never into the
#      repo, for the JOSE interop tests;
#   4. exports the connection settings the tests read (CREAM_TEST_*);
#   5. runs `dotnet test Cream.slnx -c Release`, showing progress, failures and
#      summaries (the whole output goes to TestResults/test-output.log), then
#      prints one closing line "N passed, N failed, N skipped" summed over all
#      test projects;
#   6. always stops both servers and deletes the temp folder, whatever happened.
#
# Debugging aid: if CREAM_TEST_COMMAND is set, it is run with `bash -c` instead
# of `dotnet test` (same environment, script arguments passed as "$@"). Handy to
# try the server setup without building anything, e.g.
#   CREAM_TEST_COMMAND='env | grep CREAM_; sleep 600' scripts/test.sh
#
# The exit code is dotnet test's (non-zero if any test failed).

set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

tmp_dir=""
pg_bin=""
pg_root=""      # owned by the postgres user: data and socket dirs
pg_port=""
pg_child=""     # pid of the postmaster
pg_user_cmd=()  # prefix that runs a command as the postgres OS user
pg_fault_root=""  # a second, small cluster that the fault tests stop and restart
pg_fault_port=""
pg_fault_ctl=""   # wrapper: pg_ctl -D <its data> as the postgres user
redis_server=""
redis_cli=""
redis_port=""
redis_child=""

log() { echo "test.sh: $*" >&2; }
die() { log "error: $*"; exit 1; }

is_root() { [ "$(id -u)" -eq 0 ]; }

# `command -v` alone also reports a non-executable file of that name.
have() {
  local path
  path="$(command -v "$1" 2>/dev/null)" && [ -x "$path" ]
}

# Echoes the directory holding initdb, pg_ctl, postgres and pg_isready, or
# fails. On Debian the server binaries are not on PATH: they live in
# /usr/lib/postgresql/<version>/bin (some machines add symlinks to them in
# /usr/local/bin), so look there before falling back to PATH.
find_pg_bin() {
  local dir candidates=()
  if have pg_config; then
    candidates+=("$(pg_config --bindir 2>/dev/null || true)")
  fi
  # Highest version first.
  while IFS= read -r dir; do
    candidates+=("$dir")
  done < <(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5,5 -rn)
  if have initdb; then
    candidates+=("$(dirname "$(readlink -f "$(command -v initdb)")")")
  fi
  for dir in "${candidates[@]}"; do
    if [ -n "$dir" ] && [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] \
      && [ -x "$dir/postgres" ] && [ -x "$dir/pg_isready" ]; then
      echo "$dir"
      return 0
    fi
  done
  return 1
}

# Installs only what is missing, so a machine that already has both servers
# needs neither network nor root. The packages' own cluster/service (if apt
# starts them) use the default ports and are never used by the tests.
install_missing() {
  local packages=()
  find_pg_bin >/dev/null || packages+=(postgresql)
  if ! have redis-server || ! have redis-cli; then
    packages+=(redis-server)
  fi
  # node and npm run the JOSE interop tests (an independent JWT library).
  have node || packages+=(nodejs)
  have npm || packages+=(npm)
  # The browser tests drive Debian's Chromium, never a browser of Playwright's
  # own; they look for it where this does (CREAM_TEST_CHROMIUM, else the
  # package's /usr/bin/chromium).
  [ -x "${CREAM_TEST_CHROMIUM:-/usr/bin/chromium}" ] || packages+=(chromium)
  [ "${#packages[@]}" -eq 0 ] && return 0

  if ! is_root || ! have apt-get; then
    die "missing ${packages[*]}: install them (e.g. apt-get install ${packages[*]}) or run as root on Debian"
  fi
  log "installing ${packages[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
}

# Echoes a random loopback TCP port that nothing answers on. There is a small
# race until the server binds it, which is acceptable for a test run. The
# ports lie below Linux's ephemeral range (32768 and up): a port that an
# outgoing connection still holds (after a load test, say) accepts no
# connection yet cannot be bound.
free_port() {
  local port tries
  for tries in $(seq 1 200); do
    port=$((20000 + RANDOM % 12000))
    [ "$port" = "$pg_port" ] && continue
    [ "$port" = "$pg_fault_port" ] && continue
    if ! (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  die "no free loopback port found"
}

# Runs a PostgreSQL command as the postgres OS user when we are root, because
# initdb and postgres refuse to run as root. setpriv execs in place (unlike
# runuser/su, which stay around as a parent), so a backgrounded postmaster is
# a direct child of this script. The cd avoids "could not change directory"
# complaints when the caller's cwd is unreadable for that user.
as_pg_user() {
  (cd "$pg_root" && exec "${pg_user_cmd[@]}" "$@")
}

# Creates a cluster in $1 (owned by the postgres user) listening on 127.0.0.1
# port $2 with at most $3 connections.
init_pg_cluster() {
  local root="$1" port="$2" max_connections="$3"
  mkdir -p "$root/sock"
  if is_root; then
    if ! id postgres >/dev/null 2>&1; then
      useradd --system --no-create-home --shell /usr/sbin/nologin postgres
    fi
    chown -R postgres: "$root"
    pg_user_cmd=(setpriv --reuid=postgres --regid=postgres --init-groups)
  fi

  # Trust auth for the superuser "postgres": the password in the connection
  # string is then simply ignored. C locale so a minimal machine without
  # generated locales works.
  (cd "$root" && exec "${pg_user_cmd[@]}" "$pg_bin/initdb" -D "$root/data" -U postgres -A trust \
    -E UTF8 --locale=C --no-sync) >"$tmp_dir/initdb.log" 2>&1 \
    || { cat "$tmp_dir/initdb.log" >&2; die "initdb failed"; }

  # Durability is pointless for a throwaway database; turning it off makes
  # the many CREATE/DROP DATABASE calls of the tests much faster.
  cat >>"$root/data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$root/sock'
max_connections = $max_connections
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
}

# Waits until the cluster on port $1 answers; $2 is its log, $3 (optional) the
# pid of its postmaster when this script is its parent.
wait_pg_ready() {
  local port="$1" logfile="$2" child="${3:-}" i
  for i in $(seq 1 60); do
    if "$pg_bin/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres; then
      log "PostgreSQL ($pg_bin) listening on 127.0.0.1:$port"
      return 0
    fi
    if [ -n "$child" ] && ! is_running "$child"; then
      break
    fi
    sleep 0.5
  done
  cat "$logfile" >&2 2>/dev/null || true
  if [ -n "$child" ] && ! is_running "$child"; then
    die "postgres exited (log above)"
  fi
  die "PostgreSQL did not answer on 127.0.0.1:$port within 30s"
}

start_postgres() {
  pg_bin="$(find_pg_bin)" || die "PostgreSQL server binaries not found"
  pg_root="$tmp_dir/pg"
  pg_port="$(free_port)"
  # Many connections because test projects run in parallel, each with its pool.
  init_pg_cluster "$pg_root" "$pg_port" 300

  # Run the postmaster as a direct child of this script rather than
  # daemonized with `pg_ctl start`: then this script reaps it on exit, and no
  # defunct process is left behind for init to collect. (as_pg_user is
  # inlined: a backgrounded function would add one more shell in between.)
  (cd "$pg_root" && exec "${pg_user_cmd[@]}" "$pg_bin/postgres" -D "$pg_root/data") \
    </dev/null >"$tmp_dir/postgres.log" 2>&1 &
  pg_child=$!
  wait_pg_ready "$pg_port" "$tmp_dir/postgres.log" "$pg_child"
}

# A second, small cluster only for the tests that stop, restart or kill the
# database under load: the one above serves hundreds of parallel tests. The
# tests drive it with $pg_fault_ctl (pg_ctl -D <its data> as the postgres
# user, the server log appended to a file so that no postmaster holds a
# test's output open), which starts it here too: a restart by a test replaces
# the postmaster, so this script could not stay its parent anyway.
start_fault_postgres() {
  pg_fault_root="$tmp_dir/pg-fault"
  local port
  port="$(free_port)"
  init_pg_cluster "$pg_fault_root" "$port" 50
  pg_fault_ctl="$tmp_dir/pg-fault-ctl"
  cat >"$pg_fault_ctl" <<EOF
#!/bin/sh
# pg_ctl for the fault-test cluster: $pg_fault_ctl restart -m fast -w
cd '$pg_fault_root' || exit 1
exec ${pg_user_cmd[*]} '$pg_bin/pg_ctl' -D '$pg_fault_root/data' -l '$pg_fault_root/postgres.log' "\$@"
EOF
  chmod 755 "$pg_fault_ctl"
  "$pg_fault_ctl" start -w -t 30 </dev/null >/dev/null 2>&1 \
    || { cat "$pg_fault_root/postgres.log" >&2 2>/dev/null; die "the fault-test PostgreSQL did not start (log above)"; }
  pg_fault_port="$port"
  wait_pg_ready "$pg_fault_port" "$pg_fault_root/postgres.log"
}

start_redis() {
  redis_server="$(command -v redis-server)"
  redis_cli="$(command -v redis-cli)"
  redis_port="$(free_port)"
  # No persistence: the data is throwaway and the tests must not depend on it.
  # Not daemonized, for the same reason as PostgreSQL above.
  "$redis_server" --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no \
    --daemonize no --pidfile "$tmp_dir/redis.pid" --logfile "$tmp_dir/redis.log" \
    --dir "$tmp_dir" </dev/null >>"$tmp_dir/redis.log" 2>&1 &
  redis_child=$!

  local i
  for i in $(seq 1 60); do
    if [ "$("$redis_cli" -h 127.0.0.1 -p "$redis_port" ping 2>/dev/null)" = "PONG" ]; then
      log "Redis ($redis_server) listening on 127.0.0.1:$redis_port"
      return 0
    fi
    is_running "$redis_child" || break
    sleep 0.5
  done
  cat "$tmp_dir/redis.log" >&2 2>/dev/null || true
  is_running "$redis_child" || die "redis-server exited (log above)"
  die "Redis did not answer on 127.0.0.1:$redis_port within 30s"
}

# True while a pid runs. A process that exited stays a zombie until its parent
# reaps it, and kill -0 still succeeds on zombies, so read the state from /proc.
is_running() {
  local state
  state="$(sed -E 's/^.*\) //' "/proc/$1/stat" 2>/dev/null)" || return 1
  [ -n "$state" ] && [ "${state:0:1}" != "Z" ]
}

# Waits up to ~10s for a pid to go away.
wait_gone() {
  local pid="$1" i
  for i in $(seq 1 50); do
    is_running "$pid" || return 0
    sleep 0.2
  done
  return 1
}

# Installs jose 6 (an independent JOSE library) for the interop tests, which
# run node with it: into the temp folder, so the repo holds no Node files.
install_jose() {
  if ! have node || ! have npm; then
    die "node and npm are needed for the JOSE interop tests: install them (e.g. apt-get install nodejs npm)"
  fi
  npm install --prefix "$tmp_dir/node" --no-save --no-audit --no-fund jose@6 \
    >"$tmp_dir/npm.log" 2>&1 \
    || { cat "$tmp_dir/npm.log" >&2; die "npm install jose@6 failed (log above)"; }
  log "jose $(node -p 'require(process.argv[1]).version' "$tmp_dir/node/node_modules/jose/package.json") installed for the interop tests (node $(node --version))"
}

# Stops both servers and removes the temp folder. Runs on every exit and must
# never fail, so that the script keeps dotnet test's exit code.
cleanup() {
  local rc=$?
  set +e
  trap - EXIT INT TERM

  if [ -n "$pg_child" ]; then
    # Immediate mode: no checkpoint, the data is thrown away anyway.
    as_pg_user "$pg_bin/pg_ctl" -D "$pg_root/data" -m immediate -w -t 15 stop >/dev/null 2>&1
    if ! wait_gone "$pg_child"; then
      kill -9 "$pg_child" 2>/dev/null
    fi
    wait "$pg_child" 2>/dev/null
  fi

  if [ -n "$pg_fault_ctl" ] && [ -x "$pg_fault_ctl" ]; then
    # Whichever postmaster runs now (a test may have restarted it).
    "$pg_fault_ctl" stop -m immediate -w -t 15 </dev/null >/dev/null 2>&1
    local fault_pid
    fault_pid="$(head -n 1 "$pg_fault_root/data/postmaster.pid" 2>/dev/null)"
    if [ -n "$fault_pid" ] && is_running "$fault_pid"; then
      kill -9 "$fault_pid" 2>/dev/null
    fi
  fi

  if [ -n "$redis_child" ]; then
    # By port rather than pid: a test may have restarted Redis on that port.
    "$redis_cli" -h 127.0.0.1 -p "$redis_port" shutdown nosave >/dev/null 2>&1
    if ! wait_gone "$redis_child"; then
      kill -9 "$redis_child" 2>/dev/null
    fi
    wait "$redis_child" 2>/dev/null
  fi

  [ -n "$tmp_dir" ] && rm -rf "$tmp_dir"
  exit "$rc"
}

# Echoes "passed failed skipped" summed over all test projects, or nothing if
# the output holds no result. VSTest's console logger closes each project with
# either, at minimal verbosity, one line
#   Passed!  - Failed:     0, Passed:   123, Skipped:     0, Total:   123, ...
# or, at normal verbosity (what this script asks for), a block
#   Test Run Successful.        (or "Test Run Failed." / "Test Run Aborted.")
#   Total tests: 123
#        Passed: 123
#        Failed: 0              (lines with a zero count may be left out)
#    Total time: 1.5 Seconds
# Both forms are read, since extra arguments may change the verbosity; colour
# codes are stripped first.
sum_results() {
  sed -E 's/\x1b\[[0-9;]*[A-Za-z]//g' "$1" | awk '
    / *(Passed|Failed|Skipped)! +- +Failed: *[0-9]+, *Passed: *[0-9]+, *Skipped: *[0-9]+/ {
      line = $0
      sub(/.*! +- +/, "", line)        # "Failed: 0, Passed: 3, Skipped: 1, ..."
      gsub(/[:,]/, " ", line)          # "Failed  0  Passed  3  Skipped  1 ..."
      split(line, w, " ")
      mf += w[2]; mp += w[4]; ms += w[6]; mn++
      next
    }
    /^Test Run (Successful|Failed|Aborted)/ { in_block = 1; nn++; next }
    in_block && /^ *Passed: *[0-9]+ *$/  { np += $2 }
    in_block && /^ *Failed: *[0-9]+ *$/  { nf += $2 }
    in_block && /^ *Skipped: *[0-9]+ *$/ { ns += $2 }
    in_block && /Total time:/ { in_block = 0 }
    END {
      if (mn > 0) print mp + 0, mf + 0, ms + 0
      else if (nn > 0) print np + 0, nf + 0, ns + 0
    }'
}

# Filters dotnet test's normal-verbosity output down to what a reader needs: the build,
# a progress line every 100 passed tests, every failure with its message and stack, skips,
# and the summaries. Left out: one line per passed test (and what it wrote), xunit's own
# progress lines, and application log entries ("warn: Category[id]" and their indented
# continuation lines) that hosts under test write to the console.
show_progress() {
  awk '
    function flush_progress() { if (passed > shown) { printf "test.sh: %d tests passed\n", passed; fflush(); shown = passed } }
    /^  Passed / { passed++; in_pass = 1; in_log = 0; if (passed % 100 == 0) flush_progress(); next }
    in_pass && (/^   / || /^  Standard (Output|Error) Messages:/) { next }
    { in_pass = 0 }
    /^(trce|dbug|info|warn|fail|crit): / { in_log = 1; next }
    in_log && /^      / { next }
    { in_log = 0 }
    /^\[xUnit\.net / { next }
    /^Test Run (Successful|Failed|Aborted)/ { flush_progress() }
    { print; fflush() }
    END { flush_progress() }'
}

main() {
  install_missing

  tmp_dir="$(mktemp -d)"
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  # The postgres user must be able to reach its folder inside.
  chmod 755 "$tmp_dir"

  start_postgres
  start_redis
  start_fault_postgres
  install_jose

  export CREAM_TEST_POSTGRES="Host=127.0.0.1;Port=$pg_port;Username=postgres;Password=postgres;Database=postgres"
  export CREAM_TEST_REDIS="127.0.0.1:$redis_port"
  # The fault tests' own cluster, and the pg_ctl that stops, starts and
  # restarts it (e.g. "$CREAM_TEST_PG_CTL" restart -m fast -w).
  export CREAM_TEST_POSTGRES_FAULT="Host=127.0.0.1;Port=$pg_fault_port;Username=postgres;Password=postgres;Database=postgres"
  export CREAM_TEST_PG_CTL="$pg_fault_ctl"
  # With this set, tests fail instead of skipping when a server is unreachable.
  export CREAM_TEST_REQUIRE_SERVERS=1
  # Lets a test stop Redis and start it again on the same port.
  export CREAM_TEST_REDIS_SERVER_CMD="$redis_server"
  export CREAM_TEST_REDIS_PORT="$redis_port"
  # Where the interop tests import jose from.
  export CREAM_TEST_NODE_MODULES="$tmp_dir/node/node_modules"
  export DOTNET_CLI_TELEMETRY_OPTOUT=1
  export DOTNET_NOLOGO=1
  # No MSBuild worker nodes or compiler server left running after the script.
  export MSBUILDDISABLENODEREUSE=1
  export UseSharedCompilation=false

  cd "$repo_root"
  local out="$tmp_dir/dotnet-test.log" rc
  set +e
  if [ -n "${CREAM_TEST_COMMAND:-}" ]; then
    bash -c "$CREAM_TEST_COMMAND" cream-test "$@" 2>&1 </dev/null | tee "$out"
  else
    dotnet test Cream.slnx -c Release --logger "console;verbosity=normal" "$@" 2>&1 </dev/null \
      | tee "$out" | show_progress
  fi
  rc=${PIPESTATUS[0]}
  set -e
  # The whole output, passing tests and application logs included, stays for a closer look.
  mkdir -p "$repo_root/TestResults"
  cp "$out" "$repo_root/TestResults/test-output.log"

  local totals passed failed skipped
  totals="$(sum_results "$out")"
  if [ -z "$totals" ]; then
    echo "0 passed, 0 failed"
    log "no test summary found in the dotnet test output (exit code $rc)"
    [ "$rc" -ne 0 ] && exit "$rc"
    exit 1
  fi
  read -r passed failed skipped <<<"$totals"
  echo "$passed passed, $failed failed, $skipped skipped"
  if [ "$rc" -eq 0 ] && [ "$failed" -gt 0 ]; then
    rc=1
  fi
  exit "$rc"
}

main "$@"
