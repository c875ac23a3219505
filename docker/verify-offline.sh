#!/usr/bin/env bash
# Builds the images and runs the compose stack on a machine with no image registry, then checks it:
# a call without an API key is refused, the seed's /call with one, a workflow, an agent run, and a
# durable timer that survives a killed coordinator.
# Needs root (apt-get, dockerd). Idempotent: the base image, the pnpm store and the image layers are
# cached between runs; the stack and its volumes are removed on exit, whatever happened.
#   npm run docker:verify            (bash docker/verify-offline.sh)
# Settings: AGNT5_DOCKER_ROOT (daemon data root and socket, default /var/lib/agnt5-docker),
# AGNT5_VERIFY_HTTP_PORT (published gateway port, default 18080), AGNT5_VERIFY_KEEP_DAEMON=1 (leave a
# daemon this script started running), DEBIAN_MIRROR (default: the first one apt is configured with).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROOT=${AGNT5_DOCKER_ROOT:-/var/lib/agnt5-docker}
RUNDIR=/run/agnt5-docker
SOCK="unix://$RUNDIR/docker.sock"
HTTP_PORT=${AGNT5_VERIFY_HTTP_PORT:-18080}
GRPC_PORT=${AGNT5_VERIFY_GRPC_PORT:-19091}
PROJECT=agnt5-verify
BASE_TAG=node:20-bookworm-slim # the Dockerfiles' FROM
# Debian's CLI and Compose v1, talking to our own daemon (a docker CLI elsewhere on PATH may be newer
# than this daemon's API, and another daemon on the default socket is not ours to use).
DOCKER=/usr/bin/docker
COMPOSE=(/usr/bin/docker-compose -p "$PROJECT" -f "$REPO/docker/docker-compose.yml" -f "$REPO/docker/docker-compose.offline.yml")
export DOCKER_HOST=$SOCK DOCKER_BUILDKIT=1 COMPOSE_DOCKER_CLI_BUILD=1
export AGNT5_HTTP_PUBLISH="127.0.0.1:$HTTP_PORT" AGNT5_GRPC_PUBLISH="127.0.0.1:$GRPC_PORT" AGNT5_IMAGE_TAG=local
GATEWAY="http://127.0.0.1:$HTTP_PORT"

# The stack runs with credentials, as in production: fresh random ones each run (the compose file
# refuses to start without them). The workers present the worker token; every call here the key.
secret() { node -e 'process.stdout.write(require("node:crypto").randomBytes(32).toString("hex"))'; }
AGNT5_BOOTSTRAP_API_KEY=$(secret)
AGNT5_BOOTSTRAP_WORKER_TOKEN=$(secret)
export AGNT5_BOOTSTRAP_API_KEY AGNT5_BOOTSTRAP_WORKER_TOKEN
AUTH=(-H "authorization: Bearer $AGNT5_BOOTSTRAP_API_KEY")

SCRIPT_START=$(date +%s.%N)
PHASE_START=$SCRIPT_START
STARTED_DAEMON=0
STACK_UP=0

log() { printf '[verify-offline] %s\n' "$*" >&2; }
# The log of the step under way, printed when it fails (CI shows only what the script prints).
STEP_LOG=
fail() {
  log "FAILED: $*"
  if [[ -n $STEP_LOG && -s $STEP_LOG ]]; then
    log "last lines of $STEP_LOG:"
    tail -40 "$STEP_LOG" >&2
  fi
  exit 1
}
phase_done() {
  local now
  now=$(date +%s.%N)
  printf '[verify-offline] phase %-22s %6.1f s\n' "$1" "$(echo "$now - $PHASE_START" | bc)" >&2
  PHASE_START=$now
}

cleanup() {
  local status=$?
  set +e
  if [[ $STACK_UP == 1 ]]; then
    if [[ $status != 0 ]]; then
      log "stack state and last log lines before teardown:"
      "${COMPOSE[@]}" ps >&2
      "${COMPOSE[@]}" logs --tail=40 --no-color >&2
    fi
    "${COMPOSE[@]}" down --volumes --remove-orphans --timeout 5 >/dev/null 2>&1
    phase_done teardown
  fi
  if [[ $STARTED_DAEMON == 1 && ${AGNT5_VERIFY_KEEP_DAEMON:-0} != 1 ]]; then
    local pid
    pid=$(cat "$RUNDIR/dockerd.pid" 2>/dev/null)
    if [[ -n $pid ]]; then
      kill "$pid"
      # dockerd removes its pid file when it has stopped (it stops its containerd first).
      for _ in $(seq 1 600); do [[ -e $RUNDIR/dockerd.pid ]] || break; sleep 0.1; done
      [[ -e $RUNDIR/dockerd.pid ]] && log "dockerd (pid $pid) is still stopping after 60 s; the next run waits for it"
    fi
  fi
  printf '[verify-offline] total %27.1f s: %s\n' "$(echo "$(date +%s.%N) - $SCRIPT_START" | bc)" \
    "$([[ $status == 0 ]] && echo PASSED || echo FAILED)" >&2
  exit "$status"
}
trap cleanup EXIT
# A command that fails outside fail() (set -e) says where, before cleanup runs.
trap 'log "FAILED at line $LINENO: $BASH_COMMAND"' ERR

# Polls until "$@" succeeds; what is awaited is another process's state, which has no event to wait on.
wait_for() {
  local what=$1 seconds=$2
  shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || fail "timed out after ${seconds}s waiting for $what"
    sleep 0.5
  done
}

api() {
  local method=$1 path=$2 body=${3:-}
  local args=(-sS --fail-with-body --max-time 90 -X "$method" "${AUTH[@]}" "$GATEWAY$path")
  [[ -n $body ]] && args+=(-H 'content-type: application/json' -d "$body")
  curl "${args[@]}"
}

expect_contains() {
  local what=$1 haystack=$2 needle=$3
  [[ $haystack == *"$needle"* ]] || fail "$what: expected $needle in: $haystack"
  log "ok: $what"
}

# --- packages -------------------------------------------------------------------------------------
[[ $(id -u) == 0 ]] || fail "run as root (apt-get, dockerd)"
missing=()
[[ -x /usr/sbin/dockerd && -x $DOCKER ]] || missing+=(docker.io)
[[ -x /usr/bin/docker-compose ]] || missing+=(docker-compose)
command -v debootstrap >/dev/null || missing+=(debootstrap)
command -v bc >/dev/null || missing+=(bc)
command -v curl >/dev/null || missing+=(curl)
command -v git >/dev/null || missing+=(git)
if ((${#missing[@]})); then
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 || {
    apt-get update -qq >/dev/null
    apt-get install -y -qq "${missing[@]}" >/dev/null
  }
fi
phase_done packages

# --- daemon ---------------------------------------------------------------------------------------
mkdir -p "$ROOT" "$RUNDIR"
daemon_pid() { cat "$RUNDIR/dockerd.pid" 2>/dev/null || true; }
daemon_gone() { local pid; pid=$(daemon_pid); [[ -z $pid ]] || ! kill -0 "$pid" 2>/dev/null; }
if ! $DOCKER info >/dev/null 2>&1; then
  # A daemon of an earlier run may still be stopping (wait for it); one killed outright leaves its
  # pid file behind, which would stop a new one from starting.
  daemon_answers_or_gone() { $DOCKER info || daemon_gone; }
  wait_for "the previous dockerd (pid $(daemon_pid)) to stop or answer" 90 daemon_answers_or_gone
fi
if ! $DOCKER info >/dev/null 2>&1; then
  rm -f "$RUNDIR/dockerd.pid"
  # No iptables on these machines: service names resolve and published ports work without it.
  /usr/sbin/dockerd --data-root "$ROOT/data" --exec-root "$RUNDIR/exec" --pidfile "$RUNDIR/dockerd.pid" \
    --host "$SOCK" --iptables=false --ip6tables=false >>"$ROOT/dockerd.log" 2>&1 &
  STARTED_DAEMON=1
  STEP_LOG=$ROOT/dockerd.log
  wait_for "dockerd (log: $ROOT/dockerd.log)" 60 $DOCKER info
  STEP_LOG=
fi
phase_done daemon

# --- base image: debootstrap + the host's Node 20 and CA bundle, under the Dockerfiles' FROM tag ---
if ! $DOCKER image inspect "$BASE_TAG" >/dev/null 2>&1; then
  # The first Debian mirror apt is configured with (one-line or deb822 sources; either file may be absent).
  mirror=${DEBIAN_MIRROR:-$( (cat /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null || true) |
    awk '$1 ~ /^(URIs:|deb)$/ && $2 ~ /^https?:\/\/.*\/debian\/?$/ { print $2; exit }')}
  rootfs="$ROOT/rootfs"
  rm -rf "$rootfs"
  log "debootstrap bookworm from ${mirror:-http://deb.debian.org/debian} (2-6 minutes)"
  STEP_LOG=$ROOT/debootstrap.log
  debootstrap --variant=minbase bookworm "$rootfs" "${mirror:-http://deb.debian.org/debian}" >"$ROOT/debootstrap.log" 2>&1 ||
    fail "debootstrap (log: $ROOT/debootstrap.log)"
  STEP_LOG=
  node_major=$(node -p 'process.versions.node.split(".")[0]')
  [[ $node_major == 20 ]] || fail "the host's Node is $node_major; the image tag says 20"
  mkdir -p "$rootfs/usr/lib/node_modules" "$rootfs/etc/ssl/certs"
  cp "$(command -v node)" "$rootfs/usr/bin/node"
  cp -a "$(dirname "$(readlink -f "$(command -v npm)")")/.." "$rootfs/usr/lib/node_modules/npm"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/bin/npx"
  cp /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/ca-certificates.crt"
  tar -C "$rootfs" -c . | $DOCKER import \
    -c 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' \
    -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' - "$BASE_TAG" >/dev/null
  rm -rf "$rootfs"
fi
phase_done base-image

# --- images ---------------------------------------------------------------------------------------
build_log="$ROOT/build.log"
: >"$build_log"
build() {
  $DOCKER build --network host --progress=plain "$@" >>"$build_log" 2>&1 || {
    tail -40 "$build_log" >&2
    fail "docker build $* (log: $build_log)"
  }
}
build -f "$REPO/docker/standins/postgres.Dockerfile" -t agnt5/postgres-standin:15 "$REPO/docker/standins"
phase_done image-postgres
# One snapshot of the sources for the four builds: the working tree may change while they run (other
# work goes on in it), and a changed context would rebuild the workspace for every target. Build
# caches compare content, so an unchanged snapshot reuses every layer of the previous run.
context="$ROOT/context"
rm -rf "$context" && mkdir -p "$context"
git -C "$REPO" ls-files -z --cached --others --exclude-standard |
  tar -C "$REPO" --null -T - --ignore-failed-read -c 2>/dev/null | tar -C "$context" -x
# Compose v1 cannot build with the host network: every image is built here, then `up --no-build`.
for target in coordinator hello-service workflows agents; do
  build -f "$context/docker/Dockerfile" --target "$target" -t "agnt5/$target:local" "$context"
done
# The previous run's images, untagged by this one's: removed, or every run would keep a copy.
$DOCKER image prune --force >/dev/null
phase_done images-app

# --- stack ----------------------------------------------------------------------------------------
# Without credentials, compose refuses with a message that says what to set (an empty env file, so a
# developer's docker/.env does not answer for them).
: >"$ROOT/empty.env"
refusal=$(env -u AGNT5_BOOTSTRAP_API_KEY "${COMPOSE[@]}" --env-file "$ROOT/empty.env" config -q 2>&1) &&
  fail "docker-compose accepted a configuration without AGNT5_BOOTSTRAP_API_KEY"
expect_contains "compose refuses to start without credentials" "$refusal" "set AGNT5_BOOTSTRAP_API_KEY"
"${COMPOSE[@]}" down --volumes --remove-orphans --timeout 5 >/dev/null 2>&1 || true # a run killed earlier
STACK_UP=1
up_output=$("${COMPOSE[@]}" up -d --no-build 2>&1) || fail "docker-compose up: $up_output"
coordinator_id=$("${COMPOSE[@]}" ps -q coordinator)
healthy() { [[ $($DOCKER inspect -f '{{.State.Health.Status}}' "$coordinator_id") == healthy ]]; }
wait_for "the coordinator's health check" 180 healthy
services_live() {
  local body
  body=$(api GET /v1/services)
  for s in hello-service workflow-service agents-service; do
    node -e 'const b=JSON.parse(process.argv[1]);const s=(b.services??b).find(x=>x.name===process.argv[2]);process.exit(s&&s.status==="live"?0:1)' "$body" "$s" || return 1
  done
}
wait_for "hello-service, workflow-service and agents-service to register" 120 services_live
phase_done up-and-healthy

# --- calls ----------------------------------------------------------------------------------------
SEED_BODY='{"serviceName":"hello-service","handlerName":"greet","inputData":"QWxpY2U="}'
seed_call() { api POST /call "$SEED_BODY"; }
# The HTTP status of the seed's /call with these extra curl arguments (no key, a wrong key).
seed_call_status() {
  curl -sS -o /dev/null -w '%{http_code}' --max-time 30 -X POST "$GATEWAY/call" \
    -H 'content-type: application/json' -d "$SEED_BODY" "$@"
}
expect_contains "the seed's /call without an API key is refused" "$(seed_call_status)" 401
expect_contains "the seed's /call with a wrong API key is refused" \
  "$(seed_call_status -H "authorization: Bearer wrong-$(secret)")" 401
expect_contains "the seed's /call (hello-service greet)" "$(seed_call)" '"output":"Hello, Alice!"'
run_id="verify-agent-$(date +%s%N)"
api POST /v1/agents/assistant/runs "{\"input\":\"How do I retry a step?\",\"runId\":\"$run_id\"}" >/dev/null
expect_contains "agent run (assistant, offline model)" "$(api GET "/v1/runs/$run_id/result?timeoutMs=60000")" '"status":"completed"'
phase_done calls

# --- a killed coordinator: a durable timer started before the kill completes after the restart -----
timer_id="verify-timer-$(date +%s%N)"
api POST /v1/workflows/reminder/runs "{\"input\":{\"message\":\"after the restart\",\"delaySeconds\":3},\"runId\":\"$timer_id\"}" >/dev/null
waiting() { api GET "/v1/runs/$timer_id" | grep -q '"status":"waiting"'; }
wait_for "the reminder run to sleep" 60 waiting
$DOCKER kill --signal KILL "$coordinator_id" >/dev/null
$DOCKER start "$coordinator_id" >/dev/null
wait_for "the restarted coordinator's health check" 180 healthy
wait_for "the workers to reconnect" 120 services_live
expect_contains "reminder started before the kill" "$(api GET "/v1/runs/$timer_id/result?timeoutMs=60000")" '"message":"after the restart"'
expect_contains "the seed's /call after the restart" "$(seed_call)" '"output":"Hello, Alice!"'
phase_done kill-and-restart
