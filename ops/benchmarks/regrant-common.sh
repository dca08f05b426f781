# Shared by ops/benchmarks/regrant-*: sourced, not run (not executable, so ops/bench skips it).
#
# Brings up the whole product against the simulator as separate processes, the way an operator
# would: a release `cpv`, the worktree's private PostgreSQL (ops/postgres) with a fresh database,
# `cpv simulator` with a world whose application accepts our consent callback, `cpv serve` (with
# its built-in workers), a partner onboarded through the real redirect chain (consent URL →
# simulated Entra authorize → /consent/callback), and its customers synced with `cpv sync`.
#
# Progress goes to stderr; callers print the markdown.

say() { echo "$(basename "$0"): $*" >&2; }
die() { say "$*"; exit 1; }

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo"
for tool in curl jq python3; do command -v "$tool" >/dev/null || die "$tool is required"; done

bench_work=$(mktemp -d)
bench_pids=()
bench_cleanup() {
  local pid
  for pid in "${bench_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${bench_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  # BENCH_KEEP=DIR keeps the logs of the last cell (serve, workers, simulator) for a post-mortem.
  if [ -n "${BENCH_KEEP:-}" ]; then
    mkdir -p "$BENCH_KEEP" && cp -r "$bench_work"/. "$BENCH_KEEP"/ && echo "bench: logs kept in $BENCH_KEEP" >&2
  fi
  rm -rf "$bench_work"
}
trap bench_cleanup EXIT

build_release() {
  say "building cpv (release) ..."
  swift build -c release --product cpv >&2 || die "release build failed"
  cpv="$(swift build -c release --show-bin-path)/cpv"
}

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

# start_simulator CUSTOMERS [simulator flags...]: one partner with CUSTOMERS customers; sets sim_base,
# app_id, app_secret, partner_tenant, partner_admin. CPV's callback URL must be known ($cpv_port).
start_simulator() {
  local customers=$1; shift
  local world=$bench_work/world.json
  # A generated world, saved, with our callback added to the application's redirect URIs and the
  # registration's directory-role claim (`wids`) that docs/onboarding.md asks for, by which the
  # consent callback confirms that the consenting user is an admin.
  # The files exist before the background jobs start: a job's redirections happen in the forked
  # child, and a poll that ran first would fail on a missing file and end the script (set -e).
  : >"$bench_work/sim0.out"
  : >"$bench_work/sim.out"
  "$cpv" simulator --port 0 --seed 7 --partners 1 --customers "$customers" --log-level warning \
    >"$bench_work/sim0.out" 2>"$bench_work/sim0.err" &
  local pid=$!
  local base=""
  for _ in $(seq 1 300); do
    base=$(sed -n 's/^simulator listening on //p' "$bench_work/sim0.out")
    [ -n "$base" ] && break
    sleep 0.1
  done
  [ -n "$base" ] || die "the simulator did not start: $(cat "$bench_work/sim0.err")"
  curl -sf "$base/_sim/world" | jq --arg cb "http://127.0.0.1:$cpv_port/consent/callback" \
    '.applications[0].redirectURIs += [$cb] | .applications[0].groupMembershipClaims = "DirectoryRole"' >"$world"
  kill "$pid"; wait "$pid" 2>/dev/null || true

  "$cpv" simulator --port 0 --world "$world" --log-level warning "$@" >"$bench_work/sim.out" 2>"$bench_work/sim.err" &
  sim_pid=$!
  bench_pids+=("$sim_pid")
  sim_base=""
  for _ in $(seq 1 300); do
    sim_base=$(sed -n 's/^simulator listening on //p' "$bench_work/sim.out")
    [ -n "$sim_base" ] && break
    sleep 0.1
  done
  [ -n "$sim_base" ] || die "the simulator did not start: $(cat "$bench_work/sim.err")"
  app_id=$(jq -r '.applications[0].appId' "$world")
  app_secret=$(jq -r '.applications[0].clientSecrets[0].value' "$world")
  partner_tenant=$(jq -r '.partners[0].tenantId' "$world")
  partner_admin=$(jq -r '.partners[0].adminUsers[0].userPrincipalName' "$world")
  say "simulator at $sim_base ($customers customers, flags: $*)"
}

# prepare_database NAME: a fresh database on the worktree's private cluster; sets database_url.
prepare_database() {
  local name=$1
  ops/postgres start --fast >/dev/null
  ops/postgres psql -q -c "DROP DATABASE IF EXISTS $name WITH (FORCE)" >/dev/null
  ops/postgres psql -q -c "CREATE DATABASE $name" >/dev/null
  database_url=$(ops/postgres url "$name")
}

# cpv_environment [KEY=VALUE...]: exports the server environment (after start_simulator).
cpv_environment() {
  export CPV_DATABASE_URL=$database_url CPV_MIGRATIONS_DIR=$repo/migrations CPV_TEMPLATES_DIR=$repo/Templates
  export CPV_HTTP_HOST=127.0.0.1 CPV_HTTP_PORT=$cpv_port CPV_PUBLIC_URL=http://127.0.0.1:$cpv_port
  export CPV_APP_ID=$app_id CPV_APP_SECRET=$app_secret CPV_SEALING_KEYS=$("$cpv" keys generate --id bench)
  export CPV_AUDIT_KEYS=$("$cpv" keys generate --id benchaudit)
  export CPV_LOGIN_URL=$sim_base CPV_PARTNER_CENTER_URL=$sim_base CPV_GRAPH_URL=$sim_base CPV_ARM_URL=$sim_base
  export CPV_LOG_LEVEL=${BENCH_LOG_LEVEL:-warning} CPV_SYNC_INTERVAL_HOURS=0
  local pair
  for pair in "$@"; do export "${pair?}"; done
}

# start_serve: migrates, creates an admin token ($api_token), starts `cpv serve` ($serve_pid), waits for /readyz.
start_serve() {
  "$cpv" migrate >&2 || die "cpv migrate failed"
  api_token=$("$cpv" tokens create --name bench --role admin --json | jq -r .token)
  "$cpv" serve >"$bench_work/serve.out" 2>"$bench_work/serve.err" &
  serve_pid=$!
  bench_pids+=("$serve_pid")
  for _ in $(seq 1 600); do
    curl -sf "http://127.0.0.1:$cpv_port/readyz" >/dev/null 2>&1 && break
    kill -0 "$serve_pid" 2>/dev/null || die "cpv serve exited: $(tail -5 "$bench_work/serve.err")"
    sleep 0.1
  done
  curl -sf "http://127.0.0.1:$cpv_port/readyz" >/dev/null || die "cpv serve is not ready"
  say "cpv serve ready on port $cpv_port (pid $serve_pid)"
}

api() {
  local method=$1 path=$2; shift 2
  curl -sS -X "$method" "http://127.0.0.1:$cpv_port$path" -H "Authorization: Bearer $api_token" \
    -H 'Content-Type: application/json' "$@"
}

# onboard_partner: registers the partner and consents through the redirect chain; sets partner_id.
onboard_partner() {
  local answer consent
  answer=$(api POST /api/v1/partners -d "{\"tenantId\":\"$partner_tenant\",\"displayName\":\"Bench Partner\",\"cloud\":\"global\"}")
  partner_id=$(jq -r '.id // .partner.id // empty' <<<"$answer")
  consent=$(jq -r '.consentUrl // .partner.consentUrl // empty' <<<"$answer")
  [ -n "$partner_id" ] && [ -n "$consent" ] || die "partner registration failed: $answer"
  curl -sS -L -o "$bench_work/consent.html" -c "$bench_work/jar" -b "$bench_work/jar" "$consent"
  local status
  status=$(api GET "/api/v1/partners/$partner_id" | jq -r '.status // .partner.status')
  [ "$status" = active ] || die "the partner is $status after the consent flow: $(sed -e '/<style>/,/<\/style>/d' -e 's/<[^>]*>//g' "$bench_work/consent.html" | tr -s ' \n' ' ' | head -c 600)"
  say "partner $partner_id consented"
}

sync_customers() {
  "$cpv" sync --all >&2 || die "cpv sync failed"
  local count
  count=$(sql "SELECT count(*) FROM customers")
  say "synced $count customers"
}

sql() { "$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)/psql" "$database_url" -qAt -c "$1"; }

# regrant_all: `cpv regrant --all --wait` (progress to stderr); sets run_id, run_tasks, run_seconds
# (the run's first claim to its last task's completion), run_succeeded.
regrant_all() {
  "$cpv" regrant --all --wait | tee "$bench_work/regrant.out" | while IFS= read -r line; do say "$line"; done
  run_id=$(sql "SELECT id FROM runs ORDER BY created_at DESC LIMIT 1")
  run_tasks=$(sql "SELECT total_tasks FROM runs WHERE id = '$run_id'")
  run_succeeded=$(sql "SELECT count(*) FROM run_tasks WHERE run_id = '$run_id' AND status = 'succeeded'")
  run_seconds=$(sql "SELECT extract(epoch FROM max(t.finished_at) - r.started_at) FROM run_tasks t JOIN runs r ON r.id = t.run_id WHERE r.id = '$run_id' GROUP BY r.started_at")
  say "run $run_id: $run_succeeded/$run_tasks succeeded in ${run_seconds}s"
}

# naive SAMPLE: the CPV sample's sequential loop over the first SAMPLE customers; sets naive_per_second.
naive() {
  local out
  out=$(python3 ops/benchmarks/naive-cpv-sample.py --base "$sim_base" --app-id "$app_id" --secret "$app_secret" \
    --partner-tenant "$partner_tenant" --admin "$partner_admin" --customers "$1") || die "the naive sample failed"
  naive_per_second=$(jq -r .perSecond <<<"$out")
  naive_customers=$(jq -r .customers <<<"$out")
  say "naive: $out"
}

# cpu_seconds PID: user + system CPU seconds of a process so far.
cpu_seconds() {
  awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) / hz }' "/proc/$1/stat"
}

calc() { python3 -c "print(format($1, '$2'))"; }
