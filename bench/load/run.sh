#!/usr/bin/env bash
# Load test on loopback: Cream against the framework's bare JwtBearer app (bench/BareJwt), side
# by side, on anonymous `GET /` and authenticated `GET /api/auth/me`.
#
# Usage: bench/load/run.sh
#   LOAD_DURATION=5s LOAD_ROUNDS=6 LOAD_CONNECTIONS="100 1000" bench/load/run.sh
#   LOAD_CREAM_DLL=/path/to/Cream.Api.dll bench/load/run.sh   (measure another build of Cream)
#   LOAD_PACE_MS=4 bench/load/run.sh   (the paced runs' wait per request; default connections / 25)
#
# What it does:
#   1. installs wrk with apt-get if it is missing (only as root);
#   2. builds Cream.Api and BareJwt in Release and starts both from a temp folder (not the
#      repository: the figures must not depend on the working directory) on free 127.0.0.1
#      ports. Cream: Production, a random Jwt__Secret, a temp SQLite file, the login rate
#      limit out of the way, its own appsettings.json. The peer: the same secret, issuer and
#      audience, the template's log levels. Waits until both answer;
#   3. signs up one user on Cream and gives its access token to both;
#   4. one warm-up round (not counted; LOAD_WARMUP per run, 10 s by default: both apps need
#      10-15 s of load before the JIT's last tier is in place and p99 settles), then
#      LOAD_ROUNDS rounds (6: each app has the first turn in half); in each, per connection
#      count, wrk (2 threads, --latency) on Cream then the peer for `GET /`, then the same for
#      `/api/auth/me` with the bearer token, so the two apps alternate under the same load
#      (even rounds run the peer first, so neither app always has the first turn);
#      then `/api/auth/me` paced, on both apps: each connection waits LOAD_PACE_MS between
#      a response and its next request (connections / 25 ms: 4 at 100, 40 at 1000), so both
#      apps carry about the same load, under their capacity, and their latencies compare
#      (a saturating run's p99 also measures how the cores were shared with wrk, ADR 25);
#      Then Cream's `/api/auth/me` with a DPoP-bound token and a fresh proof per request
#      (RFC 9449; the proofs are made just before each run by `Cream.Benchmarks dpop-proofs`,
#      as many as the bearer run of that round served, and half again);
#   5. prints every run, then per connection count the medians and the ratios: Cream / peer
#      on each path, `/me` / `GET /` of each app, DPoP / bearer `/me`, p50 and p99 (saturated
#      and paced), errors and timeouts. A ratio is the median over the rounds of that round's
#      ratio: the two runs it compares were seconds apart, so a slow minute of the machine
#      weighs on both;
#   6. always stops the two apps it started (by their pids) and deletes the temp folder.
#
# wrk shares the machine's cores with the apps: compare the ratios of one run, not runs.
# Traffic goes to 127.0.0.1 only; every wrk run is bounded by its duration.

set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
duration="${LOAD_DURATION:-5s}"
warmup="${LOAD_WARMUP:-10s}"
rounds="${LOAD_ROUNDS:-6}"
connections="${LOAD_CONNECTIONS:-100 1000}"
threads="${LOAD_THREADS:-2}"

log() { echo "load: $*" >&2; }
die() { log "error: $*"; exit 1; }

tmp_dir=""
pids=()

stop_apps() {
  local pid
  for pid in "${pids[@]}"; do
    # Each app runs in its own session (setsid): end its group, then wait for it.
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.2
    done
    kill -KILL -- "-$pid" 2>/dev/null || true
  done
  pids=()
}

cleanup() {
  local status=$?
  stop_apps
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

# 1000 connections need 1000+ descriptors in wrk and in the apps (started below, inherit).
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

# --- the two apps ------------------------------------------------------------------------
build() {
  log "building $1 (Release)"
  dotnet build -c Release "$repo_root/$1" -v quiet -nologo >"$tmp_dir/build.log" 2>&1 \
    || { cat "$tmp_dir/build.log" >&2; die "build of $1 failed"; }
}
cream_dll="${LOAD_CREAM_DLL:-}"
if [ -z "$cream_dll" ]; then
  build src/Cream.Api
  cream_dll="$repo_root/src/Cream.Api/bin/Release/net10.0/Cream.Api.dll"
fi
build bench/BareJwt
peer_dll="$repo_root/bench/BareJwt/bin/Release/net10.0/BareJwt.dll"
build bench/Cream.Benchmarks
proof_maker="$repo_root/bench/Cream.Benchmarks/bin/Release/net10.0/Cream.Benchmarks.dll"
[ -f "$cream_dll" ] || die "$cream_dll not found"

secret="$(head -c 48 /dev/urandom | base64 | tr -d '\n')"

# start_app NAME DLL [VAR=VALUE...]: runs the app from the temp folder in a session of its own on
# a free port, and waits until it answers; another process taking the port first means a new one.
start_app() {
  local name="$1" dll="$2" port url pid ready_path="/"
  shift 2
  [ "$name" = cream ] && ready_path="/health/ready"
  for _ in 1 2 3; do
    port="$(free_port)"
    url="http://127.0.0.1:$port"
    (
      cd "$tmp_dir"
      export ASPNETCORE_URLS="$url" ASPNETCORE_ENVIRONMENT=Production DOTNET_ENVIRONMENT=Production
      export Jwt__Secret="$secret"
      for setting in "$@"; do export "${setting//__PORT__/$port}"; done
      exec setsid dotnet "$dll"
    ) >"$tmp_dir/$name.log" 2>&1 &
    pid=$!
    pids+=("$pid")
    for _ in $(seq 1 240); do
      kill -0 "$pid" 2>/dev/null || break
      if curl -fsS -o /dev/null --max-time 2 "$url$ready_path" 2>/dev/null; then
        eval "${name}_pid=$pid ${name}_base=$url"
        return
      fi
      sleep 0.5
    done
    if kill -0 "$pid" 2>/dev/null || ! grep -q "address already in use" "$tmp_dir/$name.log"; then
      break
    fi
    unset 'pids[-1]' # it has exited: never signal that pid again
    log "$name: port $port was taken meanwhile; trying another"
  done
  cat "$tmp_dir/$name.log" >&2
  die "$name did not start"
}

log "starting Cream and the bare JwtBearer app (working folder $tmp_dir)"
start_app cream "$cream_dll" \
  "ConnectionStrings__Cream=Data Source=$tmp_dir/cream.db" \
  "DataDirectory=$tmp_dir/data" \
  "RateLimits__PerIpPerMinute=1000000000" \
  "Accounts__PublicBaseUrl=http://127.0.0.1:__PORT__"
start_app peer "$peer_dll"
log "Cream on $cream_base, the peer on $peer_base"

clock_ticks="$(getconf CLK_TCK)"
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }

# --- a user and its token ----------------------------------------------------------------
email="load-$(date +%s)-$RANDOM@example.com"
password="correct horse battery staple"
signup="$(curl -fsS --max-time 30 -H 'Content-Type: application/json' \
  -d "{\"email\":\"$email\",\"password\":\"$password\",\"first_name\":\"Load\",\"last_name\":\"Test\"}" \
  "$cream_base/api/auth/signup")" || die "signup failed"
token="$(printf '%s' "$signup" | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')"
[ -n "$token" ] || die "no access_token in the signup response: $signup"
for base in "$cream_base" "$peer_base"; do
  status="$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -H "Authorization: Bearer $token" "$base/api/auth/me")"
  [ "$status" = 200 ] || die "GET $base/api/auth/me with the token answered $status"
  status="$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$base/")"
  [ "$status" = 200 ] || die "GET $base/ answered $status"
done

# wrk reports exact figures through a Lua done() hook: one line per run.
cat >"$tmp_dir/report.lua" <<'LUA'
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("CREAM_RESULT %d %d %d %d %d %d %d %d %d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect, e.read, e.write, e.status, e.timeout))
end
LUA

# The DPoP run's script: the token on the first line of the proofs file, then one proof per
# request; each wrk thread takes every n-th line, so no proof is sent twice.
cat "$tmp_dir/report.lua" >"$tmp_dir/dpop.lua"
cat >>"$tmp_dir/dpop.lua" <<'LUA'
local threads, counter = {}, 0
setup = function(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end
local proofs, next_proof, token = {}, 1, ""
init = function(args)
  local file = io.open(args[1])
  token = file:read("*l")
  local line_number = 0
  for line in file:lines() do
    if line_number % tonumber(args[2]) == id then proofs[#proofs + 1] = line end
    line_number = line_number + 1
  end
  file:close()
end
request = function()
  local proof = proofs[next_proof] or proofs[#proofs]
  next_proof = next_proof + 1
  return wrk.format("GET", "/api/auth/me", { ["Authorization"] = "DPoP " .. token, ["DPoP"] = proof })
end
LUA

# The paced runs' script: wait the given milliseconds before each request.
cat "$tmp_dir/report.lua" >"$tmp_dir/paced.lua"
cat >>"$tmp_dir/paced.lua" <<'LUA'
local pace = 0
init = function(args) pace = tonumber(args[1]) end
delay = function() return pace end
LUA

# run_wrk APP PATH CONNECTIONS DURATION ROUND: appends "app path conns rps p50us p99us errors timeouts cpu_us_per_req round"
results="$tmp_dir/results.txt"
: >"$results"
run_wrk() {
  local app="$1" path="$2" conns="$3" length="$4" number="$5" base pid url out before after
  if [ "$app" = cream ]; then base="$cream_base" pid="$cream_pid"; else base="$peer_base" pid="$peer_pid"; fi
  local args=(-t"$threads" -c"$conns" -d"$length" --latency -s "$tmp_dir/report.lua")
  url="$base/"
  if [ "$path" = me ]; then
    url="$base/api/auth/me"
    args+=(-H "Authorization: Bearer $token")
  elif [ "$path" = paced ]; then
    url="$base/api/auth/me"
    args=(-t"$threads" -c"$conns" -d"$length" --latency -s "$tmp_dir/paced.lua" -H "Authorization: Bearer $token"
      "$url" -- "${LOAD_PACE_MS:-$((conns / 25))}")
  elif [ "$path" = dpop ]; then
    # As many proofs as the bearer /me run of this round served, and half again.
    local served seconds
    served="$(awk -v c="$conns" '$1 == "cream" && $2 == "me" && $3 == c { rps = $4 } END { printf "%d", rps }' "$results")"
    seconds="${length%s}"
    "$(command -v dotnet)" "$proof_maker" dpop-proofs "$base" "$email" "$password" $(( (served > 2000 ? served : 2000) * seconds * 3 / 2 )) "$tmp_dir/proofs.txt" \
      || die "making DPoP proofs failed"
    url="$base/api/auth/me"
    args=(-t"$threads" -c"$conns" -d"$length" --latency -s "$tmp_dir/dpop.lua" "$url" -- "$tmp_dir/proofs.txt" "$threads")
  fi
  before="$(cpu_ticks "$pid")"
  if [ "$path" = dpop ] || [ "$path" = paced ]; then
    out="$(wrk "${args[@]}" 2>&1)" || { printf '%s\n' "$out" >&2; die "wrk failed"; }
  else
    out="$(wrk "${args[@]}" "$url" 2>&1)" || { printf '%s\n' "$out" >&2; die "wrk failed"; }
  fi
  after="$(cpu_ticks "$pid")"
  printf '%s\n' "$out" >>"$tmp_dir/wrk.log"
  printf '%s\n' "$out" | awk -v app="$app" -v path="$path" -v conns="$conns" -v cpu=$((after - before)) -v hz="$clock_ticks" -v round="$number" '
    $1 == "CREAM_RESULT" {
      requests = $2; seconds = $3 / 1e6
      errors = $6 + $7 + $8 + $9
      printf "%s %s %d %.1f %d %d %d %d %.1f %d\n", app, path, conns, requests / seconds, $4, $5, errors, $10,
        (requests > 0 ? (cpu / hz) * 1e6 / requests : 0), round
    }' >>"$results"
}

# round NUMBER LENGTH [DPOP_LENGTH]: every path at every connection count, the two apps
# alternating; even rounds start with the peer, so neither app always runs first.
round() {
  local number="$1" length="$2" dpop_length="${3:-$2}" conns path first=cream second=peer
  if [ $((number % 2)) -eq 0 ]; then first=peer second=cream; fi
  for conns in $connections; do
    for path in root me paced; do
      run_wrk "$first" "$path" "$conns" "$length" "$number"
      run_wrk "$second" "$path" "$conns" "$length" "$number"
    done
    run_wrk cream dpop "$conns" "$dpop_length" "$number"
  done
}

log "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
log "warm-up round ($warmup per run, the DPoP runs $duration; not counted)"
# The DPoP run needs a proof per request, made beforehand: its warm-up is no longer than a round's.
round 1 "$warmup" "$duration"
: >"$results"
for r in $(seq 1 "$rounds"); do
  log "round $r/$rounds ($duration per run)"
  round "$r" "$duration"
done
log "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

# --- report ------------------------------------------------------------------------------
echo
echo "Cream vs the bare JwtBearer app: wrk -t$threads -d$duration --latency, $rounds rounds after a warm-up round,"
echo "127.0.0.1, $(nproc) cores shared by wrk and both apps; root = GET /, me = GET /api/auth/me with a bearer token,"
echo "paced = /api/auth/me with each connection waiting before its next request (about the same load on both apps),"
echo "dpop = Cream's /api/auth/me with a DPoP-bound token and a new proof per request"
echo
awk '
  BEGIN { printf "%-5s %-5s %6s %12s %10s %10s %8s %9s %12s\n", "app", "path", "conns", "req/s", "p50 ms", "p99 ms", "errors", "timeouts", "CPU us/req" }
  { printf "%-5s %-5s %6d %12.0f %10.2f %10.2f %8d %9d %12.1f\n", $1, $2, $3, $4, $5 / 1000, $6 / 1000, $7, $8, $9 }' "$results"

echo
echo "Medians over the rounds (errors and timeouts: totals); each ratio is the median of the rounds' ratios:"
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
    key = $1 SUBSEP $2 SUBSEP $3
    rps[key] = rps[key] " " $4; p50[key] = p50[key] " " $5; p99[key] = p99[key] " " $6; cpu[key] = cpu[key] " " $9
    errors[key] += $7; timeouts[key] += $8
    RR[key, $10] = $4; R50[key, $10] = $5; R99[key, $10] = $6
    if (!($10 in seen_round)) { seen_round[$10] = 1; round_count++ }
    if (!($3 in seen)) { seen[$3] = 1; order[++count] = $3 }
  }
  # ratio(TABLE, A, B, C): the median over the rounds of TABLE[A] / TABLE[B] for connection count C,
  # each quotient taken within one round, where the two runs were seconds apart.
  function ratio(table, a, b, c,    r, n, d, list) {
    list = ""
    for (r = 1; r <= round_count; r++) {
      if (table == "rps") { n = RR[a SUBSEP c, r]; d = RR[b SUBSEP c, r] }
      else if (table == "p50") { n = R50[a SUBSEP c, r]; d = R50[b SUBSEP c, r] }
      else { n = R99[a SUBSEP c, r]; d = R99[b SUBSEP c, r] }
      if (d > 0) list = list " " n / d
    }
    return list == "" ? 0 : median(list)
  }
  END {
    printf "%6s %-5s %-5s %12s %10s %10s %8s %9s %12s\n", "conns", "app", "path", "req/s", "p50 ms", "p99 ms", "errors", "timeouts", "CPU us/req"
    for (i = 1; i <= count; i++) {
      c = order[i]
      for (a = 1; a <= 2; a++) for (p = 1; p <= 3; p++) {
        app = (a == 1) ? "cream" : "peer"; path = (p == 1) ? "root" : (p == 2) ? "me" : "paced"; key = app SUBSEP path SUBSEP c
        printf "%6d %-5s %-5s %12.0f %10.2f %10.2f %8d %9d %12.1f\n", c, app, path, median(rps[key]), median(p50[key]) / 1000,
          median(p99[key]) / 1000, errors[key], timeouts[key], median(cpu[key])
      }
      cm = "cream" SUBSEP "me"; cr = "cream" SUBSEP "root"; pm = "peer" SUBSEP "me"; pr = "peer" SUBSEP "root"
      line = "%6d %-39s %6.3fx\n"
      printf line, c, "throughput /me, Cream / peer", ratio("rps", cm, pm, c)
      printf line, c, "throughput GET /, Cream / peer", ratio("rps", cr, pr, c)
      printf line, c, "throughput Cream /me / Cream GET /", ratio("rps", cm, cr, c)
      printf line, c, "throughput peer /me / peer GET /", ratio("rps", pm, pr, c)
      printf line, c, "p50 /me, Cream / peer", ratio("p50", cm, pm, c)
      printf line, c, "p99 /me, Cream / peer", ratio("p99", cm, pm, c)
      printf line, c, "p99 GET /, Cream / peer", ratio("p99", cr, pr, c)
      cp = "cream" SUBSEP "paced"; pp = "peer" SUBSEP "paced"
      printf line, c, "paced /me: throughput, Cream / peer", ratio("rps", cp, pp, c)
      printf line, c, "paced /me: p50, Cream / peer", ratio("p50", cp, pp, c)
      printf line, c, "paced /me: p99, Cream / peer", ratio("p99", cp, pp, c)
      key = "cream" SUBSEP "dpop" SUBSEP c
      if (key in rps) {
        printf "%6d %-5s %-5s %12.0f %10.2f %10.2f %8d %9d %12.1f\n", c, "cream", "dpop", median(rps[key]), median(p50[key]) / 1000,
          median(p99[key]) / 1000, errors[key], timeouts[key], median(cpu[key])
        printf line, c, "throughput Cream /me, DPoP / bearer", ratio("rps", "cream" SUBSEP "dpop", cm, c)
        printf "%6d %-39s %6.1f us\n", c, "server CPU a proof adds per request", median(cpu[key]) - median(cpu["cream" SUBSEP "me" SUBSEP c])
      }
      print ""
    }
  }' "$results"

for name in cream peer; do
  if grep -qiE "fail|exception" "$tmp_dir/$name.log"; then
    echo "$name logged warnings or errors during the run (last lines):"
    tail -n 20 "$tmp_dir/$name.log"
  fi
done
