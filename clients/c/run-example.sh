#!/bin/sh
# Runs the C client against a real local cluster: builds clients/c, starts a coordinator, one
# edge server and one Swift agent with `fairwayctl cluster up`, then
#   1. fairway-agent-example: joins through the edge (pinned to the edge's id), submits a DP
#      contribution, resends it (same leaf), waits for tokens, runs an inference until the
#      edge's agent module (contracts are on) answers with a label;
#   2. the hostile cases: contributions with a wrong signature, another key's signature, no
#      signature, a NaN, a wrong dimension and an ε above the edge's limit are refused with a
#      clear code and field, and the same session keeps working;
#   3. fairway-session-check against the edge and the coordinator (pinning, unknown-session
#      re-handshake, resends, replayed, stale, unsigned provenance);
#   4. kill -9 of the edge and a restart, while a C client holds a session with it: its next
#      request is answered unknown-session and it re-handshakes and resends transparently;
#   5. (TLS=1, the default, with openssl) a second cluster over tls+tcp:// (mutual TLS): the
#      example with a CA-signed certificate is served; without TLS or with another CA's
#      certificate it gets no answer;
#   6. checks with fairwayctl: the C-made key file is read by Swift as the same id, the ledger
#      verifies, and the C agent has exactly one valued contribution (the refused ones were
#      not recorded);
# and tears the cluster down (also on failure). Exits non-zero on any failure.
#
# Environment: FAIRWAY_BIN (default <repo>/.build/debug: fairwayctl and the daemons),
# FAIRWAY_CLUSTER_DIR (default a fresh temporary directory), KEEP_CLUSTER=1 to leave it up,
# ASAN=1 to run the C programs built with AddressSanitizer and UBSan, TLS=0 to skip the
# mutual-TLS step (it needs openssl, for scripts/gen-certs.sh).
set -u
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
bin=${FAIRWAY_BIN:-$repo/.build/debug}
ctl="$bin/fairwayctl"
dir=${FAIRWAY_CLUSTER_DIR:-$(mktemp -d /tmp/fairway-c-example.XXXXXX)}
# ASAN=1: build and run the C programs with AddressSanitizer + UBSan (build-asan/).
if [ "${ASAN:-0}" = 1 ]; then
  out="$here/build-asan"
  makeargs="BIN=build-asan CFLAGS=-O1\ -g\ -fno-omit-frame-pointer SANITIZE=-fsanitize=address,undefined\ -fno-sanitize-recover=undefined"
else
  out="$here/build"
  makeargs=""
fi
failures=0

step() { printf '\n== %s\n' "$*"; }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

if [ ! -x "$ctl" ]; then
  echo "run-example.sh: $ctl not found (set FAIRWAY_BIN to the directory of fairwayctl and the daemons)" >&2
  exit 2
fi

step "build clients/c"
eval make -C "\$here" $makeargs all >/dev/null || { echo "run-example.sh: build failed" >&2; exit 1; }

restarted_pid=""
teardown() {
  if [ -n "$restarted_pid" ] && [ "${KEEP_CLUSTER:-0}" != 1 ]; then
    kill "$restarted_pid" 2>/dev/null || true   # the edge this script restarted (not in cluster.json)
    i=0; while kill -0 "$restarted_pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    kill -9 "$restarted_pid" 2>/dev/null || true
  fi
  if [ "${KEEP_CLUSTER:-0}" = 1 ]; then
    echo "cluster left running in $dir (fairwayctl cluster down --dir $dir)"
  else
    "$ctl" cluster down --dir "$dir" >/dev/null 2>&1 || true
    [ -f "$dir/tls/cluster.json" ] && "$ctl" cluster down --dir "$dir/tls" >/dev/null 2>&1 || true
  fi
}
trap teardown EXIT
trap 'exit 130' INT TERM

# Contracts on (4-epoch periods, edge-1 takes the type-0 item), so the edge trains and serves
# an agent module and the example's inference gets a prediction, not only an admission.
digits="$repo/data/uci-digits-8x8.csv"
step "cluster up (1 coordinator, 1 edge with contracts, 1 Swift agent) in $dir"
url=$("$ctl" cluster up --edges 1 --agents 1 --dir "$dir" --epoch-ms 1000 \
  "--coordinator-flags=--contracts-period-epochs 4 --contracts-data-path $digits" \
  "--edge-flags=*:--contract-data-path $digits --contract-type1 0" 2>"$dir/cluster-up.log" | tail -1)
case "$url" in
  tcp://*) echo "coordinator $url" ;;
  *) cat "$dir/cluster-up.log" >&2; echo "run-example.sh: cluster up failed" >&2; exit 1 ;;
esac
edge=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["edgeURLs"][0])' "$dir/cluster.json")
edge_id=$("$ctl" identity --key-file "$dir/data/edge-1/node.key" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
echo "edge $edge ($edge_id)"

key="$dir/c-agent.key"

step "fairway-agent-example (join, contribution, resend, tokens, inference)"
if "$out/fairway-agent-example" --edge "$edge" --pin "$edge_id" --key-file "$key" --name c-agent --prototypes 3 \
    --epsilon 1 --delta 1e-6 --wait-s 60 --want-label > "$dir/example.out" 2>&1; then
  cat "$dir/example.out"
else
  cat "$dir/example.out"
  fail "fairway-agent-example exited non-zero"
fi
agent_id=$(sed -n 's/^joined .* as \(fw[0-9a-f]*\) .*/\1/p' "$dir/example.out" | head -1)
grep -q '^receipt: ' "$dir/example.out" || fail "no contribution receipt printed"
grep -q '^inference: charged=.* label=[0-9]' "$dir/example.out" || fail "no inference answer (label) printed"

step "hostile cases (refused contributions; the session keeps working)"
if "$out/fairway-agent-example" --edge "$edge" --pin "$edge_id" --key-file "$key" --name c-agent --hostile-only \
    > "$dir/hostile.out" 2>&1; then
  cat "$dir/hostile.out"
else
  cat "$dir/hostile.out"
  fail "hostile cases did not all behave as expected"
fi

step "session checks against the edge and the coordinator"
"$out/fairway-session-check" "$edge" || fail "session checks against the edge"
"$out/fairway-session-check" "$url" || fail "session checks against the coordinator"

step "edge restart: kill -9 and start again; a live C client re-handshakes transparently"
"$out/fairway-session-check" --restart-wait "$dir/edge-restarted" "$edge" > "$dir/restart.out" 2>&1 &
check_pid=$!
i=0; while ! grep -q READY "$dir/restart.out" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
edge_pid=$(python3 -c 'import json,sys; print([p["pid"] for p in json.load(open(sys.argv[1]))["processes"] if p["name"] == "edge-1"][0])' "$dir/cluster.json")
kill -9 "$edge_pid" 2>/dev/null && echo "killed edge-1 (pid $edge_pid)"
i=0; while kill -0 "$edge_pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
# start it again with its recorded executable and arguments (same data dir: same key, same port)
# (python: setsid, then exec the daemon in place, so $! is the edge's own pid)
python3 -c 'import json,os,sys
p = [p for p in json.load(open(sys.argv[1]))["processes"] if p["name"] == "edge-1"][0]
os.setsid()
os.execv(p["executable"], [p["executable"]] + p["arguments"])' "$dir/cluster.json" >> "$dir/logs/edge-1.restarted.log" 2>&1 < /dev/null &
restarted_pid=$!
i=0; until "$ctl" ping --url "$edge" >/dev/null 2>&1 || [ $i -ge 50 ]; do sleep 0.2; i=$((i + 1)); done
[ $i -ge 50 ] && echo "note: the restarted edge-1 did not answer fairwayctl ping within 10 s"
echo "edge-1 restarted (pid $restarted_pid)"
touch "$dir/edge-restarted"
if wait "$check_pid"; then cat "$dir/restart.out"; else cat "$dir/restart.out"; fail "client across the edge restart"; fi

step "fairwayctl: key file, ledger, valuation"
swift_id=$("$ctl" identity --key-file "$key" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
if [ -n "$agent_id" ] && [ "$swift_id" = "$agent_id" ]; then
  echo "ok   the C-made key file reads in Swift as the same id $swift_id"
else
  fail "key file: C says '$agent_id', fairwayctl says '$swift_id'"
fi
if "$ctl" ledger verify --coordinator "$url"; then echo "ok   ledger verifies (the C agent's signed envelope is a leaf's provenance)"; else fail "ledger verify"; fi
count=$("$ctl" valuation --coordinator "$url" --agent "$agent_id" --json 2>/dev/null |
  python3 -c 'import json,sys; a=json.load(sys.stdin)["agents"]; print(a[0]["contributions"] if a else 0)')
if [ "$count" = 1 ]; then
  echo "ok   the C agent has exactly 1 valued contribution (the resend and the refused ones were not recorded)"
else
  fail "the C agent has '$count' valued contributions, expected 1"
fi
"$ctl" valuation --coordinator "$url" --agent "$agent_id"

if [ "${TLS:-1}" = 1 ] && command -v openssl >/dev/null; then
  step "mutual TLS: a second cluster on tls+tcp://; the C client with a CA-signed certificate, and without"
  bash "$repo/scripts/gen-certs.sh" "$dir/certs" coordinator edge-1 agents c-agent > /dev/null
  bash "$repo/scripts/gen-certs.sh" "$dir/other-ca" c-agent > /dev/null
  mkdir -p "$dir/tls"
  tls_url=$("$ctl" cluster up --edges 1 --agents 1 --dir "$dir/tls" --epoch-ms 1000 --tls-ca-file "$dir/certs/ca.pem" \
    --tls-cert-key-file "$dir/certs/edge-1.pem" 2>"$dir/tls/cluster-up.log" | tail -1)
  case "$tls_url" in
    tls+tcp://*)
      tls_edge=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["edgeURLs"][0])' "$dir/tls/cluster.json")
      if "$out/fairway-agent-example" --edge "$tls_edge" --tls-ca-file "$dir/certs/ca.pem" \
          --tls-cert-key-file "$dir/certs/c-agent.pem" --prototypes 1 --wait-s 30 > "$dir/tls/example.out" 2>&1 &&
          grep -q '^receipt: ' "$dir/tls/example.out" && grep -q '^inference: charged=' "$dir/tls/example.out"; then
        for pat in '^joined' '^receipt: ' '^inference: charged'; do grep -m1 "$pat" "$dir/tls/example.out"; done
        echo "ok   over $tls_edge with a CA-signed certificate: joined, contributed, inferred"
      else
        cat "$dir/tls/example.out"; fail "the example over tls+tcp://"
      fi
      for how in none other-ca; do
        if [ $how = none ]; then args=""; else args="--tls-ca-file $dir/other-ca/ca.pem --tls-cert-key-file $dir/other-ca/c-agent.pem"; fi
        # shellcheck disable=SC2086
        if "$out/fairway-agent-example" --edge "$tls_edge" $args --timeout-ms 1500 > "$dir/tls/refused-$how.out" 2>&1; then
          fail "a client with $how certificate was served over TLS"
        else
          echo "ok   a client with $( [ $how = none ] && echo 'no certificate' || echo 'a certificate of another CA') gets no answer: $(tail -1 "$dir/tls/refused-$how.out")"
        fi
      done
      ;;
    *) cat "$dir/tls/cluster-up.log" >&2; fail "TLS cluster up" ;;
  esac
  "$ctl" cluster down --dir "$dir/tls" >/dev/null 2>&1 || true
fi

step "result"
if [ "$failures" = 0 ]; then
  echo "run-example.sh: all passed"
  exit 0
fi
echo "run-example.sh: $failures failure(s)"
exit 1
