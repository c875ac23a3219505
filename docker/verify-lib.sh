# Shared by docker/verify-offline.sh and docker/verify-replicas.sh (sourced, not run): the packages,
# our own dockerd, the locally made base image, one snapshot of the sources, image builds, and the
# small helpers the checks use. The sourcing script sets VERIFY_NAME (its log prefix) first.
# Settings: AGNT5_DOCKER_ROOT (daemon data root, default /var/lib/agnt5-docker), DEBIAN_MIRROR
# (default: the first one apt is configured with), AGNT5_VERIFY_KEEP_DAEMON=1 (leave a daemon this
# script started running).

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROOT=${AGNT5_DOCKER_ROOT:-/var/lib/agnt5-docker}
RUNDIR=/run/agnt5-docker
SOCK="unix://$RUNDIR/docker.sock"
BASE_TAG=node:20-bookworm-slim # the Dockerfiles' FROM
# Debian's CLI and Compose v1, talking to our own daemon (a docker CLI elsewhere on PATH may be newer
# than this daemon's API, and another daemon on the default socket is not ours to use).
DOCKER=/usr/bin/docker
export DOCKER_HOST=$SOCK DOCKER_BUILDKIT=1 COMPOSE_DOCKER_CLI_BUILD=1

SCRIPT_START=$(date +%s.%N)
PHASE_START=$SCRIPT_START
STARTED_DAEMON=0

secret() { node -e 'process.stdout.write(require("node:crypto").randomBytes(32).toString("hex"))'; }
log() { printf '[%s] %s\n' "$VERIFY_NAME" "$*" >&2; }
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
  printf '[%s] phase %-22s %6.1f s\n' "$VERIFY_NAME" "$1" "$(echo "$now - $PHASE_START" | bc)" >&2
  PHASE_START=$now
}
print_total() {
  printf '[%s] total %27.1f s: %s\n' "$VERIFY_NAME" "$(echo "$(date +%s.%N) - $SCRIPT_START" | bc)" \
    "$([[ $1 == 0 ]] && echo PASSED || echo FAILED)" >&2
}

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

expect_contains() {
  local what=$1 haystack=$2 needle=$3
  [[ $haystack == *"$needle"* ]] || fail "$what: expected $needle in: $haystack"
  log "ok: $what"
}

# One verification at a time on this machine: they share the daemon (the first one stops it), the
# snapshot of the sources and the build log. The lock is held until the script exits.
take_verify_lock() {
  [[ $(id -u) == 0 ]] || fail "run as root (apt-get, dockerd)"
  mkdir -p "$ROOT"
  exec 9>"$ROOT/verify.lock"
  flock -n 9 || {
    log "another verification holds $ROOT/verify.lock; waiting for it"
    flock 9
  }
}

# --- packages -------------------------------------------------------------------------------------
ensure_packages() {
  local missing=()
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
}

# --- daemon ---------------------------------------------------------------------------------------
daemon_pid() { cat "$RUNDIR/dockerd.pid" 2>/dev/null || true; }
daemon_gone() {
  local pid
  pid=$(daemon_pid)
  [[ -z $pid ]] || ! kill -0 "$pid" 2>/dev/null
}
daemon_answers_or_gone() { $DOCKER info || daemon_gone; }
start_daemon() {
  mkdir -p "$ROOT" "$RUNDIR"
  if ! $DOCKER info >/dev/null 2>&1; then
    # A daemon of an earlier run may still be stopping (wait for it); one killed outright leaves its
    # pid file behind, which would stop a new one from starting.
    wait_for "the previous dockerd (pid $(daemon_pid)) to stop or answer" 90 daemon_answers_or_gone
  fi
  if ! $DOCKER info >/dev/null 2>&1; then
    rm -f "$RUNDIR/dockerd.pid"
    # No iptables on these machines: service names resolve and published ports work without it.
    # The daemon may outlive this script (AGNT5_VERIFY_KEEP_DAEMON=1): it must not inherit the
    # descriptors 3-9, which hold our verify.lock, or a lock of whoever ran us (flock without -o).
    /usr/sbin/dockerd --data-root "$ROOT/data" --exec-root "$RUNDIR/exec" --pidfile "$RUNDIR/dockerd.pid" \
      --host "$SOCK" --iptables=false --ip6tables=false >>"$ROOT/dockerd.log" 2>&1 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
    STARTED_DAEMON=1
    STEP_LOG=$ROOT/dockerd.log
    wait_for "dockerd (log: $ROOT/dockerd.log)" 60 $DOCKER info
    STEP_LOG=
  fi
}
# In the EXIT trap: stops the daemon if this script started it (unless AGNT5_VERIFY_KEEP_DAEMON=1).
stop_started_daemon() {
  [[ $STARTED_DAEMON == 1 && ${AGNT5_VERIFY_KEEP_DAEMON:-0} != 1 ]] || return 0
  local pid
  pid=$(daemon_pid)
  [[ -n $pid ]] || return 0
  kill "$pid"
  # dockerd removes its pid file when it has stopped (it stops its containerd first).
  for _ in $(seq 1 600); do [[ -e $RUNDIR/dockerd.pid ]] || break; sleep 0.1; done
  [[ -e $RUNDIR/dockerd.pid ]] && log "dockerd (pid $pid) is still stopping after 60 s; the next run waits for it"
  return 0
}

# --- base image: debootstrap + the host's Node 20 and CA bundle, under the Dockerfiles' FROM tag ---
ensure_base_image() {
  $DOCKER image inspect "$BASE_TAG" >/dev/null 2>&1 && return 0
  # The first Debian mirror apt is configured with (one-line or deb822 sources; either file may be absent).
  local mirror rootfs node_major
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
}

# --- images ---------------------------------------------------------------------------------------
BUILD_LOG="$ROOT/build.log"
# Compose v1 cannot build with the host network: every image is built here, then `up --no-build`.
build() {
  $DOCKER build --network host --progress=plain "$@" >>"$BUILD_LOG" 2>&1 || {
    tail -40 "$BUILD_LOG" >&2
    fail "docker build $* (log: $BUILD_LOG)"
  }
}
# One snapshot of the sources for the builds, in $CONTEXT: the working tree may change while they
# run (other work goes on in it), and a changed context would rebuild the workspace for every target.
# Build caches compare content, so an unchanged snapshot reuses every layer of the previous run.
CONTEXT="$ROOT/context"
snapshot_sources() {
  rm -rf "$CONTEXT" && mkdir -p "$CONTEXT"
  git -C "$REPO" ls-files -z --cached --others --exclude-standard |
    tar -C "$REPO" --null -T - --ignore-failed-read -c 2>/dev/null | tar -C "$CONTEXT" -x
}
# The workspace's images for these Dockerfile targets, from the snapshot.
build_app_images() {
  local target
  for target in "$@"; do
    build -f "$CONTEXT/docker/Dockerfile" --target "$target" -t "agnt5/$target:local" "$CONTEXT"
  done
  # The previous run's images, untagged by this one's: removed, or every run would keep a copy.
  $DOCKER image prune --force >/dev/null
}
