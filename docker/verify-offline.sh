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

VERIFY_NAME=verify-offline
# shellcheck source=docker/verify-lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/verify-lib.sh"
HTTP_PORT=${AGNT5_VERIFY_HTTP_PORT:-18080}
GRPC_PORT=${AGNT5_VERIFY_GRPC_PORT:-19091}
PROJECT=agnt5-verify
COMPOSE=(/usr/bin/docker-compose -p "$PROJECT" -f "$REPO/docker/docker-compose.yml" -f "$REPO/docker/docker-compose.offline.yml")
export AGNT5_HTTP_PUBLISH="127.0.0.1:$HTTP_PORT" AGNT5_GRPC_PUBLISH="127.0.0.1:$GRPC_PORT" AGNT5_IMAGE_TAG=local
GATEWAY="http://127.0.0.1:$HTTP_PORT"

# The stack runs with credentials, as in production: fresh random ones each run (the compose file
# refuses to start without them). The workers present the worker token; every call here the key.
AGNT5_BOOTSTRAP_API_KEY=$(secret)
AGNT5_BOOTSTRAP_WORKER_TOKEN=$(secret)
export AGNT5_BOOTSTRAP_API_KEY AGNT5_BOOTSTRAP_WORKER_TOKEN
AUTH=(-H "authorization: Bearer $AGNT5_BOOTSTRAP_API_KEY")
STACK_UP=0

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
  stop_started_daemon
  print_total "$status"
  exit "$status"
}
trap cleanup EXIT
# A command that fails outside fail() (set -e) says where, before cleanup runs.
trap 'log "FAILED at line $LINENO: $BASH_COMMAND"' ERR

api() {
  local method=$1 path=$2 body=${3:-}
  local args=(-sS --fail-with-body --max-time 90 -X "$method" "${AUTH[@]}" "$GATEWAY$path")
  [[ -n $body ]] && args+=(-H 'content-type: application/json' -d "$body")
  curl "${args[@]}"
}

take_verify_lock
ensure_packages
phase_done packages
start_daemon
phase_done daemon
ensure_base_image
phase_done base-image
build -f "$REPO/docker/standins/postgres.Dockerfile" -t agnt5/postgres-standin:15 "$REPO/docker/standins"
phase_done image-postgres
snapshot_sources
build_app_images coordinator hello-service workflows agents
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
