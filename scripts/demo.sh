#!/usr/bin/env bash
# make demo: start a local cluster of real processes, show it working, kill an
# edge server, show the failover, stop everything.
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${1:-/tmp/fairway-demo}
CTL=.build/debug/fairwayctl
rm -rf "$DIR"
trap '$CTL cluster down --dir "$DIR" >/dev/null 2>&1 || true' EXIT
echo "== starting coordinator, 2 edge servers, 10 agent identities spending tokens (logs in $DIR/logs)"
URL=$($CTL cluster up --edges 2 --agents 10 --dir "$DIR" --epoch-ms 2000 --tokens-per-epoch 30 --bucket-size 8 --inference-rate 4)
echo "   coordinator at $URL"
echo
$CTL status --coordinator "$URL"
EDGE=$(python3 -c "import json,sys;print([p['pid'] for p in json.load(open(sys.argv[1]))['processes'] if p['name']=='edge-1'][0])" "$DIR/cluster.json")
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
