#!/usr/bin/env bash
# make compose-test: build fairway:latest, start the compose cluster (docker-compose.yml),
# wait until the coordinator reports every node alive (1 coordinator + 2 edge servers +
# 2 agent processes x 5 identities = 13), print the status table, run the Python client's
# cluster report against it (clients/python/examples/cluster_report.py), then a chaos check:
# kill edge-1 -> edge-1 dead and every agent alive via edge-2; start edge-1 again -> all
# 13 alive. Then `fairway-lab chaos --compose` (docs/reliability-chaos.md): a seeded
# schedule of docker kill/start, pause/unpause, network disconnect/connect and a split
# against a compose project of its own, with a recorded client history and I1-I5 checked
# over it and every container's SQLite. Always tears the clusters down; on failure prints
# the containers' logs and exits non-zero.
#
# Works on a fresh Debian 12 machine as root with no Docker: installs docker.io and
# docker-compose (1.29.2) when missing, starts dockerd when `docker info` fails, and
# stops that dockerd at the end (a dockerd it did not start is left running).
#
# Environment (all optional):
#   COMPOSE_TEST_LOGDIR       logs (dockerd.log, compose.log)   default out/compose-test
#   COMPOSE_TEST_TIMEOUT      seconds to wait for all alive     default 120
#   COMPOSE_TEST_CHAOS        0 skips the kill/restart check    default 1
#   FAIRWAY_COMPOSE_PROJECT   compose project name              default fairway
#   FAIRWAY_COORDINATOR_PORT  host port (127.0.0.1) of the coordinator's control
#                             socket, also read by docker-compose.yml   default 17400
#   SKIP_IMAGE_BUILD=1        reuse the existing fairway:latest and host fairwayctl
#   COMPOSE_CHAOS_SECONDS     length of the compose chaos run; 0 skips it  default 45
#   COMPOSE_CHAOS_SEED        its seed                                      default 1
#   COMPOSE_CHAOS_ONLY=1      only the chaos run (make compose-chaos): no compose-test cluster
set -euo pipefail
cd "$(dirname "$0")/.."

LOGDIR=${COMPOSE_TEST_LOGDIR:-out/compose-test}
TIMEOUT=${COMPOSE_TEST_TIMEOUT:-120}
CHAOS=${COMPOSE_TEST_CHAOS:-1}
CHAOS_SECONDS=${COMPOSE_CHAOS_SECONDS:-45}
CHAOS_SEED=${COMPOSE_CHAOS_SEED:-1}
CHAOS_ONLY=${COMPOSE_CHAOS_ONLY:-0}
LAB=.build/debug/fairway-lab                # the chaos harness (host, debug build)
PROJECT=${FAIRWAY_COMPOSE_PROJECT:-fairway}
export FAIRWAY_COORDINATOR_PORT=${FAIRWAY_COORDINATOR_PORT:-17400}
COORD=tcp://127.0.0.1:$FAIRWAY_COORDINATOR_PORT
CTL=.build-release/release/fairwayctl     # host build, made by scripts/build-images.sh
EXPECTED_AGENTS=10                          # agents: replicas 2 x --count 5
EXPECTED_NODES=$((1 + 2 + EXPECTED_AGENTS))

mkdir -p "$LOGDIR"
LOGDIR=$(cd "$LOGDIR" && pwd)
T_START=$(date +%s)
say() { echo "[compose-test +$(($(date +%s) - T_START))s] $*"; }
die() { say "FAIL: $*"; exit 1; }

DOCKERD_PID=""
COMPOSE_UP=0
COMPOSE=()

# --- teardown (always) ------------------------------------------------------------
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  set +e
  if [ "$COMPOSE_UP" = 1 ]; then
    "${COMPOSE[@]}" logs --no-color --timestamps >"$LOGDIR/compose.log" 2>&1
    if [ "$rc" -ne 0 ]; then
      echo
      say "containers:"
      "${COMPOSE[@]}" ps
      echo
      say "last 50 log lines of each service (all in $LOGDIR/compose.log):"
      "${COMPOSE[@]}" logs --no-color --tail 50
      echo
    fi
    say "tearing down: docker-compose -p $PROJECT down -v"
    "${COMPOSE[@]}" down -v --remove-orphans -t 5 >"$LOGDIR/down.log" 2>&1 ||
      { say "down failed:"; cat "$LOGDIR/down.log"; }
  fi
  if [ -n "$DOCKERD_PID" ]; then
    say "stopping the dockerd this script started (pid $DOCKERD_PID)"
    kill -TERM "$DOCKERD_PID" 2>/dev/null
    for _ in $(seq 60); do kill -0 "$DOCKERD_PID" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$DOCKERD_PID" 2>/dev/null && { say "dockerd still running, SIGKILL"; kill -KILL "$DOCKERD_PID"; }
    wait "$DOCKERD_PID" 2>/dev/null
  fi
  if [ "$rc" -eq 0 ]; then say "PASS"; else say "FAILED (exit $rc); logs in $LOGDIR"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- 1. docker engine and compose ------------------------------------------------
pkgs=()
command -v dockerd >/dev/null && command -v docker >/dev/null || pkgs+=(docker.io)
# docker.io is only a Recommends of docker-compose, hence named above.
command -v docker-compose >/dev/null || docker compose version >/dev/null 2>&1 || pkgs+=(docker-compose)
command -v python3 >/dev/null || pkgs+=(python3)   # parses fairwayctl's JSON
if [ ${#pkgs[@]} -gt 0 ]; then
  [ "$(id -u)" -eq 0 ] || die "missing: ${pkgs[*]}; run: sudo apt-get install -y ${pkgs[*]}"
  say "installing ${pkgs[*]} (apt)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q "${pkgs[@]}" >"$LOGDIR/apt.log" 2>&1 ||
    { apt-get update -q >>"$LOGDIR/apt.log" 2>&1 && apt-get install -y -q "${pkgs[@]}" >>"$LOGDIR/apt.log" 2>&1; } ||
    { tail -20 "$LOGDIR/apt.log"; die "apt-get install ${pkgs[*]} failed"; }
fi
if command -v docker-compose >/dev/null; then
  COMPOSE=(docker-compose -p "$PROJECT" -f docker-compose.yml)
else
  COMPOSE=(docker compose -p "$PROJECT" -f docker-compose.yml)
fi
"${COMPOSE[@]}" config -q || die "docker-compose.yml does not validate"

if ! docker info >/dev/null 2>&1; then
  [ "$(id -u)" -eq 0 ] || die "the Docker engine is not running and only root can start it here"
  say "starting dockerd (log: $LOGDIR/dockerd.log)"
  dockerd >"$LOGDIR/dockerd.log" 2>&1 &
  DOCKERD_PID=$!
  for _ in $(seq 120); do
    docker info >/dev/null 2>&1 && break
    if ! kill -0 "$DOCKERD_PID" 2>/dev/null; then
      wait "$DOCKERD_PID" 2>/dev/null || true
      DOCKERD_PID=""
      # Lost a race with another starter? Then its engine comes up; otherwise fail.
      sleep 2
      docker info >/dev/null 2>&1 && break
      tail -20 "$LOGDIR/dockerd.log"; die "dockerd exited"
    fi
    sleep 0.5
  done
  docker info >/dev/null 2>&1 || { tail -20 "$LOGDIR/dockerd.log"; die "dockerd did not come up in 60 s"; }
fi
say "docker engine $(docker version -f '{{.Server.Version}}'), $("${COMPOSE[@]}" version --short 2>/dev/null || echo compose)"

# --- 2. image --------------------------------------------------------------------
if [ "${SKIP_IMAGE_BUILD:-0}" = 1 ]; then
  docker image inspect fairway:latest >/dev/null 2>&1 || die "SKIP_IMAGE_BUILD=1 but no fairway:latest"
else
  say "building fairway:latest (scripts/build-images.sh)"
  scripts/build-images.sh
fi
[ -x "$CTL" ] || die "no host fairwayctl at $CTL"

# --- helpers -----------------------------------------------------------------------
# check MODE: reads the coordinator's status; prints a one-line summary; exit 0 when
#   all-alive:  exactly EXPECTED_NODES nodes, every one alive, 2 edges, all agents;
#   edge1-dead: edge-1 dead, coordinator and edge-2 alive, every agent alive via edge-2.
STATUS_JSON=$LOGDIR/status.json
check() {
  timeout 15 "$CTL" status --coordinator "$COORD" --timeout-ms 2000 --json >"$STATUS_JSON" 2>"$LOGDIR/status.err" ||
    { echo "no status: $(tail -1 "$LOGDIR/status.err")"; return 1; }
  python3 - "$1" "$STATUS_JSON" "$EXPECTED_NODES" "$EXPECTED_AGENTS" <<'EOF'
import json, sys
mode, path, want_nodes, want_agents = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
nodes = json.load(open(path))["nodes"]
# Node ids are key addresses; operators (and this check) refer to nodes by display name.
by_id = {n["name"]: n for n in nodes}
name_of = {n["id"]: n["name"] for n in nodes}
agents = [n for n in nodes if n["role"] == "edge-agent"]
alive = [n for n in nodes if n["state"] == "alive"]
agents_alive = [n for n in agents if n["state"] == "alive"]
state = lambda i: by_id.get(i, {}).get("state", "absent")
via = {}
for a in agents_alive:
    v = name_of.get(a.get("via"), "?")
    via[v] = via.get(v, 0) + 1
print(f"{len(alive)}/{len(nodes)} alive (want {want_nodes}); coordinator {state('coordinator')}, "
      f"edge-1 {state('edge-1')}, edge-2 {state('edge-2')}, agents alive {len(agents_alive)}/{want_agents}"
      f" via {dict(sorted(via.items()))}")
edges = [n for n in nodes if n["role"] == "edge-server"]
if mode == "all-alive":
    ok = (len(nodes) == want_nodes and len(alive) == want_nodes and len(edges) == 2
          and len(agents) == want_agents and state("coordinator") == "alive")
elif mode == "edge1-dead":
    ok = (state("edge-1") == "dead" and state("edge-2") == "alive" and state("coordinator") == "alive"
          and len(agents) == want_agents and len(agents_alive) == want_agents
          and all(name_of.get(a.get("via")) == "edge-2" for a in agents_alive))
else:
    raise SystemExit(f"unknown mode {mode}")
sys.exit(0 if ok else 1)
EOF
}

# wait_for MODE SECONDS: polls check MODE every second, printing progress when it
# changes; returns non-zero on timeout. Prints the seconds it took in WAITED.
wait_for() {
  local mode=$1 budget=$2 t0 now last="" line
  t0=$(date +%s.%N)
  while :; do
    if line=$(check "$mode"); then
      WAITED=$(python3 -c "import sys;print(f'{float(sys.argv[2])-float(sys.argv[1]):.1f}')" "$t0" "$(date +%s.%N)")
      say "  $line"
      return 0
    fi
    now=$(date +%s)
    [ "$line" != "$last" ] && { say "  $line"; last=$line; }
    if [ $((now - ${t0%.*})) -ge "$budget" ]; then
      say "  gave up after $budget s waiting for $mode"
      return 1
    fi
    sleep 1
  done
}

# The harness runs on the host; its clients use the release fairwayctl built with the image.
if [ "$CHAOS_SECONDS" != 0 ] && [ ! -x "$LAB" ]; then
  say "building the chaos harness: swift build --product fairway-lab"
  swift build --product fairway-lab >"$LOGDIR/build-lab.log" 2>&1 || { tail -20 "$LOGDIR/build-lab.log"; die "cannot build fairway-lab"; }
fi

if [ "$CHAOS_ONLY" != 1 ]; then
# --- 3. cluster --------------------------------------------------------------------
# A leftover project from an aborted run would bring its old database (and agents).
"${COMPOSE[@]}" down -v --remove-orphans -t 5 >/dev/null 2>&1 || true
COMPOSE_UP=1
say "docker-compose -p $PROJECT up -d (waits for the coordinator and edges to be healthy)"
T_UP=$(date +%s.%N)
"${COMPOSE[@]}" up -d
say "up returned after $(python3 -c "import sys;print(f'{float(sys.argv[2])-float(sys.argv[1]):.1f}')" "$T_UP" "$(date +%s.%N)") s; waiting (at most $TIMEOUT s) for $EXPECTED_NODES nodes alive"
wait_for all-alive "$TIMEOUT" || die "not every node became alive"
say "all $EXPECTED_NODES nodes alive $(python3 -c "import sys;print(f'{float(sys.argv[2])-float(sys.argv[1]):.1f}')" "$T_UP" "$(date +%s.%N)") s after 'up' started"
echo
"$CTL" status --coordinator "$COORD"
echo

# --- 3b. an independent client: the Python client's report against the compose cluster ---
# Over the published coordinator port: a Noise session from outside the container network,
# every node's state, token accounts, epochs and the ledger's inclusion proofs verified.
if ! python3 -c "import fairway, pynng, noise" 2>/dev/null; then
  say "installing the Python client (clients/python)"
  flags=(); python3 -c 'import sys,sysconfig,os;sys.exit(0 if os.path.exists(os.path.join(sysconfig.get_paths()["stdlib"],"EXTERNALLY-MANAGED")) else 1)' && flags+=(--break-system-packages)
  PIP_ROOT_USER_ACTION=ignore python3 -m pip install -q "${flags[@]}" pynng noiseprotocol "protobuf>=4.21,<5" cryptography -e clients/python >"$LOGDIR/pip.log" 2>&1 ||
    { tail -20 "$LOGDIR/pip.log"; die "could not install the Python client"; }
fi
say "python client: clients/python/examples/cluster_report.py --coordinator $COORD"
(cd clients/python/examples && timeout 120 python3 cluster_report.py --coordinator "$COORD" --expect-alive "$EXPECTED_NODES" --proofs 5) ||
  die "the Python client's report against the compose cluster failed"
echo

# --- 4. chaos: kill an edge server, agents fail over, bring it back ----------------
if [ "$CHAOS" = 1 ]; then
  EDGE1=$("${COMPOSE[@]}" ps -q edge-1)
  [ -n "$EDGE1" ] || die "no edge-1 container"
  say "chaos: docker kill edge-1 (${EDGE1:0:12}); expecting edge-1 dead and all agents alive via edge-2"
  docker kill "$EDGE1" >/dev/null
  wait_for edge1-dead 60 || die "edge-1 not reported dead with every agent alive via edge-2"
  say "failover observed ${WAITED} s after the kill"
  say "chaos: docker-compose start edge-1; expecting all $EXPECTED_NODES alive again"
  "${COMPOSE[@]}" start edge-1
  wait_for all-alive 60 || die "edge-1 did not come back alive"
  say "edge-1 alive again ${WAITED} s after start"
  echo
  "$CTL" status --coordinator "$COORD"
  echo
fi

# The compose-test cluster goes before the chaos run, which brings its own.
"${COMPOSE[@]}" logs --no-color --timestamps >"$LOGDIR/compose.log" 2>&1 || true
"${COMPOSE[@]}" down -v --remove-orphans -t 5 >"$LOGDIR/down.log" 2>&1 || true
COMPOSE_UP=0
fi  # CHAOS_ONLY

# --- 5. chaos harness on the compose cluster -------------------------------------
if [ "$CHAOS_SECONDS" != 0 ]; then
  rm -rf "$LOGDIR/chaos"
  say "fairway-lab chaos --compose --duration $CHAOS_SECONDS --seed $CHAOS_SEED (run directory $LOGDIR/chaos)"
  "$LAB" chaos --compose --duration "$CHAOS_SECONDS" --seed "$CHAOS_SEED" --bin-dir "$(dirname "$CTL")" \
    --data data/uci-digits-8x8.csv --dir "$LOGDIR/chaos" --json >"$LOGDIR/chaos.out" ||
    { rc=$?; cat "$LOGDIR/chaos.out"; die "compose chaos: $([ $rc = 1 ] && echo 'an invariant failed' || echo "harness error (exit $rc)")"; }
  head -n -1 "$LOGDIR/chaos.out"
  say "compose chaos: every invariant holds"
fi
