#!/usr/bin/env bash
# Load test on loopback: anonymous `GET /` against authenticated `GET /api/auth/me`.
#
# Usage: bench/load/run.sh
#   LOAD_DURATION=10s LOAD_ROUNDS=3 LOAD_CONNECTIONS="100 1000" bench/load/run.sh
#
# What it does:
#   1. installs wrk with apt-get if it is missing (only as root);
#   2. builds Cream.Api in Release and starts it on a free 127.0.0.1 port (Production,
#      a random Jwt__Secret, a temp SQLite file, login rate limit out of the way, logs at
#      Warning), then waits for /health/ready;
#   3. signs up one user with curl and keeps its access token;
#   4. for each round and each connection count, runs wrk (2 threads, --latency) on the
#      anonymous endpoint, then the same on the authenticated one with the bearer token;
#   5. prints every run (req/s, p50, p99, errors, timeouts, server CPU per request) and, per
#      connection count, the medians over the rounds and the ratios authenticated/anonymous;
#   6. always stops the service and deletes the temp folder.
#
# wrk shares the machine's cores with the service, as it would on any one-box test: compare
# the two endpoints of one run, not runs. Traffic goes to 127.0.0.1 only; every wrk run is
# bounded by its duration.

set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
duration="${LOAD_DURATION:-10s}"
rounds="${LOAD_ROUNDS:-3}"
connections="${LOAD_CONNECTIONS:-100 1000}"
threads="${LOAD_THREADS:-2}"

log() { echo "load: $*" >&2; }
die() { log "error: $*"; exit 1; }

tmp_dir=""
service_pid=""

cleanup() {
  local status=$?
  if [ -n "$service_pid" ] && kill -0 "$service_pid" 2>/dev/null; then
    # The service runs in its own session: end its whole group (dotnet run and the app).
    kill -TERM -- "-$service_pid" 2>/dev/null || kill -TERM "$service_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
      kill -0 "$service_pid" 2>/dev/null || break
      sleep 0.2
    done
    kill -KILL -- "-$service_pid" 2>/dev/null || true
  fi
  if [ -n "$tmp_dir" ] && [ -d "$tmp_dir" ]; then
    rm -rf "$tmp_dir"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- tools -------------------------------------------------------------------------------
have() { command -v "$1" >/dev/null 2>&1; }

if ! have wrk; then
  [ "$(id -u)" -eq 0 ] || die "wrk is not installed; install it (apt-get install wrk) or run as root"
  log "installing wrk"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
for tool in curl dotnet awk setsid; do
  have "$tool" || die "$tool is required"
done

# 1000 connections need 1000+ descriptors in wrk and in the service (started below, inherits).
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt 4096 ]; then
  log "warning: only $(ulimit -n) file descriptors; 1000 connections may fail"
fi

tmp_dir="$(mktemp -d -t cream-load.XXXXXX)"

free_port() {
  local port
  for _ in $(seq 1 50); do
    port=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
  die "no free port found"
}

# --- service -----------------------------------------------------------------------------
log "building Cream.Api (Release)"
dotnet build -c Release "$repo_root/src/Cream.Api" -v quiet -nologo >"$tmp_dir/build.log" 2>&1 \
  || { cat "$tmp_dir/build.log" >&2; die "build failed"; }

port="$(free_port)"
base="http://127.0.0.1:$port"
log "starting the service on $base"
(
  cd "$repo_root"
  export ASPNETCORE_URLS="$base"
  export ASPNETCORE_ENVIRONMENT=Production
  export DOTNET_ENVIRONMENT=Production
  export Jwt__Secret
  Jwt__Secret="$(head -c 48 /dev/urandom | base64 | tr -d '\n')"
  export ConnectionStrings__Cream="Data Source=$tmp_dir/cream.db"
  export DataDirectory="$tmp_dir/data"
  export RateLimits__PerIpPerMinute=1000000000
  export Logging__LogLevel__Default=Warning
  exec setsid dotnet run -c Release --no-build --project src/Cream.Api --no-launch-profile
) >"$tmp_dir/service.log" 2>&1 &
service_pid=$!

ready=""
for _ in $(seq 1 240); do
  if ! kill -0 "$service_pid" 2>/dev/null; then
    cat "$tmp_dir/service.log" >&2
    die "the service exited during start"
  fi
  if curl -fsS -o /dev/null --max-time 2 "$base/health/ready" 2>/dev/null; then
    ready=yes
    break
  fi
  sleep 0.5
done
[ -n "$ready" ] || { cat "$tmp_dir/service.log" >&2; die "the service was not ready within 120 s"; }

# The app itself (dotnet run's child) is the process whose CPU time we read.
app_pid="$service_pid"
for child in $(pgrep -P "$service_pid" 2>/dev/null || true); do
  if tr '\0' ' ' <"/proc/$child/cmdline" 2>/dev/null | grep -q "Cream.Api"; then
    app_pid="$child"
  fi
done
clock_ticks="$(getconf CLK_TCK)"
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$app_pid/stat" 2>/dev/null || echo 0; }

# --- a user and its token ----------------------------------------------------------------
email="load-$(date +%s)-$RANDOM@example.com"
signup="$(curl -fsS --max-time 30 -H 'Content-Type: application/json' \
  -d "{\"email\":\"$email\",\"password\":\"correct horse battery staple\",\"first_name\":\"Load\",\"last_name\":\"Test\"}" \
  "$base/api/auth/signup")" || die "signup failed"
token="$(printf '%s' "$signup" | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')"
[ -n "$token" ] || die "no access_token in the signup response: $signup"
me_status="$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -H "Authorization: Bearer $token" "$base/api/auth/me")"
[ "$me_status" = 200 ] || die "GET /api/auth/me with the new token answered $me_status"
anon_status="$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$base/")"
[ "$anon_status" = 200 ] || die "GET / answered $anon_status"

# wrk reports exact figures through a Lua done() hook: one line per run.
cat >"$tmp_dir/report.lua" <<'LUA'
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("CREAM_RESULT %d %d %d %d %d %d %d %d %d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect, e.read, e.write, e.status, e.timeout))
end
LUA

# run_wrk NAME CONNECTIONS DURATION [HEADER]: appends "name conns rps p50us p99us errors timeouts cpu_us_per_req"
results="$tmp_dir/results.txt"
: >"$results"
run_wrk() {
  local name="$1" conns="$2" length="$3" header="${4:-}" path out before after
  path="/"
  [ "$name" = auth ] && path="/api/auth/me"
  local args=(-t"$threads" -c"$conns" -d"$length" --latency -s "$tmp_dir/report.lua")
  [ -n "$header" ] && args+=(-H "$header")
  before="$(cpu_ticks)"
  out="$(wrk "${args[@]}" "$base$path" 2>&1)" || { printf '%s\n' "$out" >&2; die "wrk failed"; }
  after="$(cpu_ticks)"
  printf '%s\n' "$out" >>"$tmp_dir/wrk.log"
  printf '%s\n' "$out" | awk -v name="$name" -v conns="$conns" -v cpu=$((after - before)) -v hz="$clock_ticks" '
    $1 == "CREAM_RESULT" {
      requests = $2; seconds = $3 / 1e6
      errors = $6 + $7 + $8 + $9
      printf "%s %d %.1f %d %d %d %d %.1f\n", name, conns, requests / seconds, $4, $5, errors, $10,
        (requests > 0 ? (cpu / hz) * 1e6 / requests : 0)
    }' >>"$results"
}

log "warming up (not counted)"
for conns in $connections; do
  run_wrk warmup-anon "$conns" 3s
  run_wrk warmup-auth "$conns" 3s "Authorization: Bearer $token"
done
: >"$results"

for round in $(seq 1 "$rounds"); do
  for conns in $connections; do
    log "round $round/$rounds, $conns connections: GET / then GET /api/auth/me ($duration each)"
    run_wrk anon "$conns" "$duration"
    run_wrk auth "$conns" "$duration" "Authorization: Bearer $token"
  done
done

# --- report ------------------------------------------------------------------------------
echo
echo "Cream load test: wrk -t$threads -d$duration --latency, $rounds rounds, 127.0.0.1, $(nproc) cores shared by wrk and the service"
echo "anon = GET /   auth = GET /api/auth/me with a bearer token"
echo
awk '
  BEGIN {
    printf "%-5s %6s %12s %10s %10s %8s %9s %12s\n", "path", "conns", "req/s", "p50 ms", "p99 ms", "errors", "timeouts", "CPU us/req"
  }
  {
    printf "%-5s %6d %12.0f %10.2f %10.2f %8d %9d %12.1f\n", $1, $2, $3, $4 / 1000, $5 / 1000, $6, $7, $8
  }' "$results"

echo
echo "Medians over the rounds (errors and timeouts: totals), and authenticated / anonymous:"
echo
awk '
  function median(list,    n, values, i, j, t) {
    n = split(list, values, " ")
    for (i = 2; i <= n; i++) {
      t = values[i] + 0
      for (j = i - 1; j >= 1 && values[j] + 0 > t; j--) values[j + 1] = values[j]
      values[j + 1] = t
    }
    return (n % 2) ? values[(n + 1) / 2] : (values[n / 2] + values[n / 2 + 1]) / 2
  }
  {
    key = $1 SUBSEP $2
    rps[key] = rps[key] " " $3; p50[key] = p50[key] " " $4; p99[key] = p99[key] " " $5; cpu[key] = cpu[key] " " $8
    errors[key] += $6; timeouts[key] += $7
    if (!($2 in seen)) { seen[$2] = 1; order[++count] = $2 }
  }
  END {
    printf "%6s %5s %12s %10s %10s %8s %9s %12s\n", "conns", "path", "req/s", "p50 ms", "p99 ms", "errors", "timeouts", "CPU us/req"
    for (i = 1; i <= count; i++) {
      c = order[i]
      for (p = 1; p <= 2; p++) {
        name = (p == 1) ? "anon" : "auth"; key = name SUBSEP c
        m_rps[name] = median(rps[key]); m_p50[name] = median(p50[key]); m_p99[name] = median(p99[key]); m_cpu[name] = median(cpu[key])
        printf "%6d %5s %12.0f %10.2f %10.2f %8d %9d %12.1f\n", c, name, m_rps[name], m_p50[name] / 1000, m_p99[name] / 1000, errors[key], timeouts[key], m_cpu[name]
      }
      printf "%6d ratio auth/anon: throughput %.2fx, p50 %.2fx, p99 %.2fx; extra server CPU per authenticated request %.1f us\n\n", c,
        (m_rps["anon"] > 0 ? m_rps["auth"] / m_rps["anon"] : 0),
        (m_p50["anon"] > 0 ? m_p50["auth"] / m_p50["anon"] : 0),
        (m_p99["anon"] > 0 ? m_p99["auth"] / m_p99["anon"] : 0),
        (m_cpu["auth"] - m_cpu["anon"])
    }
  }' "$results"

if grep -qiE "fail|exception" "$tmp_dir/service.log"; then
  echo "The service logged warnings or errors during the run (last lines):"
  tail -n 20 "$tmp_dir/service.log"
fi
