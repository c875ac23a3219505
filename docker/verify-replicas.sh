#!/usr/bin/env bash
# Builds and runs docker-compose.replicas.yml offline (two coordinator replicas in cluster mode on one
# PostgreSQL and one Redis, HAProxy in front, the hello-service worker connected through it), then:
# authenticated calls through the proxy, SIGKILL of the replica holding the worker's stream, calls
# through the proxy again within the lease time (AGNT5_LEASE_SECONDS), the replica started again,
# calls again. Tears the stack down on exit, whatever happened.
#   npm run docker:verify:replicas   (bash docker/verify-replicas.sh, as root)
# Shares docker/verify-lib.sh with verify-offline.sh (packages, daemon, base image, builds).
# Settings: AGNT5_VERIFY_REPLICAS_HTTP_PORT / AGNT5_VERIFY_REPLICAS_GRPC_PORT (HAProxy's published
# ports, default 28080 / 29091), AGNT5_LEASE_SECONDS (default 10), and those of verify-lib.sh.
set -euo pipefail

VERIFY_NAME=verify-replicas
# shellcheck source=docker/verify-lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/verify-lib.sh"
HTTP_PORT=${AGNT5_VERIFY_REPLICAS_HTTP_PORT:-28080}
GRPC_PORT=${AGNT5_VERIFY_REPLICAS_GRPC_PORT:-29091}
LEASE_SECONDS=${AGNT5_LEASE_SECONDS:-10}
PROJECT=agnt5-replicas
COMPOSE=(/usr/bin/docker-compose -p "$PROJECT" -f "$REPO/docker/docker-compose.replicas.yml")
# No image registry: PostgreSQL and Redis from the local Debian stand-ins (docker/standins/).
export AGNT5_POSTGRES_IMAGE=agnt5/postgres-standin:15 AGNT5_REDIS_IMAGE=agnt5/redis-standin:7
export AGNT5_HTTP_PUBLISH="127.0.0.1:$HTTP_PORT" AGNT5_GRPC_PUBLISH="127.0.0.1:$GRPC_PORT" AGNT5_IMAGE_TAG=local
export AGNT5_LEASE_SECONDS=$LEASE_SECONDS
PROXY="http://127.0.0.1:$HTTP_PORT"

AGNT5_BOOTSTRAP_API_KEY=$(secret)
AGNT5_BOOTSTRAP_WORKER_TOKEN=$(secret)
export AGNT5_BOOTSTRAP_API_KEY AGNT5_BOOTSTRAP_WORKER_TOKEN
STACK_UP=0

cleanup() {
  local status=$?
  set +e
  if [[ $STACK_UP == 1 ]]; then
    if [[ $status != 0 ]]; then
      log "stack state and last log lines before teardown:"
      "${COMPOSE[@]}" ps >&2
      "${COMPOSE[@]}" logs --tail=30 --no-color >&2
    fi
    "${COMPOSE[@]}" down --volumes --remove-orphans --timeout 5 >/dev/null 2>&1
    phase_done teardown
  fi
  stop_started_daemon
  print_total "$status"
  exit "$status"
}
trap cleanup EXIT
trap 'log "FAILED at line $LINENO: $BASH_COMMAND"' ERR

# The seed's /call through the proxy, with the key; prints the answer, fails on anything but 2xx.
SEED_BODY='{"serviceName":"hello-service","handlerName":"greet","inputData":"QWxpY2U="}'
seed_call() {
  curl -sS --fail-with-body --max-time 15 -X POST "$PROXY/call" -H "authorization: Bearer $AGNT5_BOOTSTRAP_API_KEY" \
    -H 'content-type: application/json' -d "$SEED_BODY"
}
seed_call_ok() { seed_call | grep -q '"output":"Hello, Alice!"'; }
# Four calls in a row: HAProxy sends each new connection to the next replica, so both answer.
calls_through_proxy() {
  local i
  for i in 1 2 3 4; do
    expect_contains "$1 ($i of 4)" "$(seed_call)" '"output":"Hello, Alice!"'
  done
}
healthy() { [[ $($DOCKER inspect -f '{{.State.Health.Status}}' "$("${COMPOSE[@]}" ps -q "$1")") == healthy ]]; }
# The replica HAProxy sent the worker's newest gRPC connection to (logged when made: option logasap).
worker_replica() {
  # Connection lines read "<client> [<date>] grpc coordinators_grpc/coordinator-N ..."; health
  # check lines name servers too ("Server coordinators_grpc/coordinator-2 is UP"), without " grpc ".
  "${COMPOSE[@]}" logs --no-color haproxy | grep -oE '\] grpc coordinators_grpc/coordinator-[0-9]+ ' | tail -1 |
    cut -d/ -f2 | tr -d ' '
}

# HAProxy's own view of a replica (its stats page, inside the container: the base image has Node).
proxy_routes_to() {
  "${COMPOSE[@]}" exec -T haproxy node -e \
    'fetch("http://127.0.0.1:8404/stats;csv").then(r=>r.text()).then(t=>process.stdout.write(t))' |
    awk -F, -v name="$1" '$1 == "coordinators_http" && $2 == name { print $18 }' | grep -q '^UP'
}

take_verify_lock
ensure_packages
phase_done packages
start_daemon
phase_done daemon
ensure_base_image
phase_done base-image
build -f "$REPO/docker/standins/postgres.Dockerfile" -t agnt5/postgres-standin:15 "$REPO/docker/standins"
build -f "$REPO/docker/standins/redis.Dockerfile" -t agnt5/redis-standin:7 "$REPO/docker/standins"
build -f "$REPO/docker/haproxy/Dockerfile" -t agnt5/haproxy:local "$REPO/docker/haproxy"
phase_done images-standins-proxy
snapshot_sources
build_app_images coordinator hello-service
phase_done images-app

# --- stack ----------------------------------------------------------------------------------------
"${COMPOSE[@]}" down --volumes --remove-orphans --timeout 5 >/dev/null 2>&1 || true # a run killed earlier
STACK_UP=1
up_output=$("${COMPOSE[@]}" up -d --no-build 2>&1) || fail "docker-compose up: $up_output"
wait_for "coordinator-1's health check" 180 healthy coordinator-1
wait_for "coordinator-2's health check" 180 healthy coordinator-2
wait_for "a call through the proxy (the worker registered through HAProxy)" 120 seed_call_ok
phase_done up-and-healthy

expect_contains "a call through the proxy without an API key is refused" \
  "$(curl -sS -o /dev/null -w '%{http_code}' --max-time 15 -X POST "$PROXY/call" -H 'content-type: application/json' -d "$SEED_BODY")" 401
calls_through_proxy "an authenticated call through the proxy"
phase_done calls

# --- one replica killed: the one the worker is connected to, so the worker has to move too ---------
victim=$(worker_replica)
[[ -n $victim ]] || fail "no worker connection in HAProxy's log"
log "the worker is connected to $victim: killing it (SIGKILL)"
"${COMPOSE[@]}" kill "$victim" >/dev/null 2>&1
killed_at=$(date +%s.%N)
wait_for "a call through the proxy within the lease time (${LEASE_SECONDS}s) after $victim was killed" \
  "$LEASE_SECONDS" seed_call_ok
log "ok: a call through the proxy answered $(echo "$(date +%s.%N) - $killed_at" | bc | xargs printf '%.1f')s after $victim was killed (lease ${LEASE_SECONDS}s)"
calls_through_proxy "a call through the proxy with $victim dead"
phase_done kill-one-replica

"${COMPOSE[@]}" start "$victim" >/dev/null 2>&1
wait_for "$victim's health check after its restart" 180 healthy "$victim"
wait_for "HAProxy to route to $victim again" 60 proxy_routes_to "$victim"
calls_through_proxy "a call through the proxy with both replicas again"
phase_done restart-replica
