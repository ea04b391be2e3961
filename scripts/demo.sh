#!/usr/bin/env bash
# make demo: start a local cluster of real processes, show it working, kill an
# edge server, show the failover, stop everything.
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${1:-/tmp/fairway-demo}
CTL=.build/debug/fairwayctl
rm -rf "$DIR"
trap '$CTL cluster down --dir "$DIR" >/dev/null 2>&1 || true' EXIT
DATA="$PWD/data/uci-digits-8x8.csv"
CONTRIB="--data-path $DATA --contribute-releases 3 --contribute-interval-ms 500 --privacy-epsilon 2 --privacy-budget-epsilon 12"
echo "== starting coordinator, 2 edge servers, 10 agent identities spending tokens, and two contributing agents (logs in $DIR/logs):"
echo "   'explorer' holds every digit, 'local' only 1s; each releases 3 DP prototype sets (ε = 2 each);"
echo "   the edges take two-period contracts (edge-1 a low type, edge-2 a high one) and train digit modules;"
echo "   'asker' sends public held-out digits as inference inputs;"
echo "   edge-1 serves 4 inference requests/s itself and holds 300 labels, edge-2 serves 10/s and holds 500: the cloud shares"
echo "   its 20 requests/s, 10 training steps and 200 labels between them each epoch (Fair-Synergy, exact solver)"
URL=$($CTL cluster up --edges 2 --agents 10 --dir "$DIR" --metrics-base-port 0 --epoch-ms 2000 --tokens-per-epoch 120 --bucket-size 8 --inference-rate 4 \
  --agent-group "explorer:1:$CONTRIB --data-records-per-release 300 --bucket-size 400 --inference-rate 100" \
  --agent-group "local:1:$CONTRIB --data-labels 1 --data-records-per-release 40 --bucket-size 400 --inference-rate 100" \
  --agent-group "asker:1:--workload-inputs $DATA --inference-rate 10 --bucket-size 40" \
  "--coordinator-flags=--contracts-period-epochs 3 --contracts-data-path $DATA --cloud-inference-rps 20" \
  "--edge-flags=*:--contract-data-path $DATA --contract-shards 2 --contract-poll-ms 300" \
  "--edge-flags=1:--contract-shard 0 --contract-type1 0 --contract-type2 0 --cloud-inference-rps 4 --cloud-labelled-samples 300" \
  "--edge-flags=2:--contract-shard 1 --contract-type1 1 --contract-type2 1 --cloud-inference-rps 10 --cloud-labelled-samples 500")
echo "   coordinator at $URL"
echo
$CTL status --coordinator "$URL"
echo
echo "== waiting for the contributions to be valued (catalog matching, eq. 20) and recorded in the DAT ledger"
for i in $(seq 1 60); do
  sleep 0.5
  if $CTL valuation --coordinator "$URL" --json | python3 -c "import json,sys;a=json.load(sys.stdin)['agents'];sys.exit(0 if len(a)==2 and all(x['contributions']>=3 for x in a) else 1)"; then break; fi
done
$CTL valuation --coordinator "$URL"
EXPLORER=$($CTL valuation --coordinator "$URL" --json | python3 -c "import json,sys;a=json.load(sys.stdin)['agents'];print(max(a,key=lambda x:x['value'])['agent_id'])")
echo
echo "== the privacy the explorer spent (RDP accountant over its releases' noise multipliers)"
$CTL privacy --coordinator "$URL" --agent "$EXPLORER" --budget-epsilon 12
echo
echo "== anyone can verify the ledger: every record's provenance, every signed tree head, consistency"
sleep 2.5   # the next epoch signs a tree head over the latest records
$CTL ledger verify --coordinator "$URL"
$CTL ledger proof --coordinator "$URL" --index 0 | tail -1
echo
echo "== tokens follow the values: the explorer is granted more than the local agent (TOKENS used/granted)"
sleep 4
$CTL status --coordinator "$URL" | grep -E "explorer|local|ROLE"
echo
echo "== contracts: the menu (exact minimum-cost rewards), each edge's item by its type, period 1 paid after integration"
for i in $(seq 1 40); do
  if $CTL contract show --coordinator "$URL" --json | python3 -c "import json,sys;d=json.load(sys.stdin);sys.exit(0 if d['module_version']>=1 else 1)"; then break; fi
  sleep 0.5
done
$CTL contract show --coordinator "$URL"
sleep 2
echo
echo "== inference answered by the integrated module: the asker's predictions and how many were right"
python3 -c "import json,sys;u=json.load(open(sys.argv[1]))[0]['usage'];print('   %d answers with a prediction, %d right (%.1f %%), module version %d' % (u['predictions'],u['correct'],100*u['correct']/max(1,u['predictions']),u['moduleVersion']))" "$DIR/data/asker/usage.json"
$CTL ledger export --coordinator "$URL" | python3 -c "import json,sys;[print('   ledger leaf %d: paid %s %.2f for round %d period %d item %d' % (r['index'],r['agent_id'][:14],r['credit'],r['contract_round'],r['contract_period'],r['contract_item'])) for r in map(json.loads,sys.stdin) if r['kind']=='payment']"
echo
echo "== cloud shares (Fair-Synergy): the edge with less of its own gets more of the cloud; saturated edges offload"
echo "   within their share (USED/QUOTA this epoch) and are refused beyond it; labels go into their next training"
$CTL cloud --coordinator "$URL"
python3 -c "import json,sys;rows=[r['usage'] for p in sys.argv[1:] for r in json.load(open(p))];print('   agents: %d answers came from the cloud, %d requests refused with capacity-exhausted (and a retry-after)' % (sum(u['servedByCloud'] for u in rows),sum(u['capacityRefused'] for u in rows)))" "$DIR"/data/*/usage.json
echo
echo "== metrics: every daemon serves Prometheus text at /metrics (here on loopback ports; cluster.json has the URLs)"
python3 - "$DIR/cluster.json" <<'PY'
import json, sys, urllib.request
want = ("fairway_epochs_completed_total", "fairway_tokens_granted_total", "fairway_tokens_used_total", "fairway_ledger_records",
        "fairway_contract_payments_total", "fairway_edge_tokens_debited_total", "fairway_privacy_epsilon_spent", "fairway_handshakes_completed_total")
for p in json.load(open(sys.argv[1]))["processes"]:
    if p["name"] not in ("coordinator", "edge-1", "explorer") or not p.get("metricsURL"):
        continue
    lines = urllib.request.urlopen(p["metricsURL"], timeout=5).read().decode().splitlines()
    shown = [l for l in lines if l.startswith(want)][:6]
    print(f"   {p['name']} {p['metricsURL']}")
    for l in shown:
        print(f"     {l}")
PY
EDGE=$(python3 -c "import json,sys;print([p['pid'] for p in json.load(open(sys.argv[1]))['processes'] if p['name']=='edge-1'][0])" "$DIR/cluster.json")
echo
echo "== every exchange runs in an encrypted Noise session (wire protocol 2): each ping opens one, and the node proves its key in the handshake"
$CTL ping --coordinator "$URL"
for u in $(python3 -c "import json,sys;print(' '.join(json.load(open(sys.argv[1]))['edgeURLs']))" "$DIR/cluster.json"); do $CTL ping --url "$u"; done
echo
echo "== kill -9 edge-1 (pid $EDGE); its agents fail over to edge-2"
kill -9 "$EDGE"
for i in $(seq 1 20); do
  sleep 0.5
  if $CTL status --coordinator "$URL" --json | python3 -c "import json,sys;n=json.load(sys.stdin)['nodes'];sys.exit(0 if any(x['name']=='edge-1' and x['state']=='dead' for x in n) and all(x['state']=='alive' for x in n if x['role']=='edge-agent') else 1)"; then break; fi
done
$CTL status --coordinator "$URL"
echo
echo "== epochs: V, tokens granted (never more than V), allocator"
$CTL epochs --coordinator "$URL" --limit 5
echo
echo "== stopping the cluster"
$CTL cluster down --dir "$DIR"
trap - EXIT
echo
echo "== the same roles in a deterministic simulation: 3 edges and 6 agents under crashes, partitions, loss and"
echo "   duplicates for 50 000 steps, every invariant checked after every step (fairway-lab simulate; docs/reliability.md)"
"$(dirname "$CTL")/fairway-lab" simulate --seed 1 --steps 50000 2>/dev/null | grep -v '^  '
