#!/usr/bin/env bash
# Installs the Python client and its test dependencies, runs its pytest suite (unit tests and
# integration tests against a real local cluster), then runs every example against a fresh
# `fairwayctl cluster up` cluster. For a fresh Debian 12 machine as root (pyenv's or Debian's
# python3 with pip). The Swift binaries must exist: FAIRWAY_BIN (default <repo>/.build/debug,
# i.e. run `swift build` or `make test` first); missing binaries fail, never skip.
#
#   bash clients/python/tests/run.sh            # from anywhere
#   FAIRWAY_BIN=/path/to/bin bash clients/python/tests/run.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
client="$(dirname "$here")"
repo="$(cd "$client/../.." && pwd)"
export FAIRWAY_BIN="${FAIRWAY_BIN:-$repo/.build/debug}"
export PIP_ROOT_USER_ACTION=ignore PIP_DISABLE_PIP_VERSION_CHECK=1
PY="${PYTHON:-python3}"

echo "== python client: dependencies"
if ! command -v "$PY" >/dev/null; then
  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3 python3-pip
fi
if ! command -v protoc >/dev/null && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  # Only for the test that the committed generated modules are current (skipped without protoc).
  (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q protobuf-compiler) >/dev/null || echo "protoc not installed: that test will skip"
fi
pip_flags=()
if "$PY" -c 'import sys, sysconfig, os; sys.exit(0 if os.path.exists(os.path.join(sysconfig.get_paths()["stdlib"], "EXTERNALLY-MANAGED")) else 1)'; then
  pip_flags+=(--break-system-packages)  # Debian's own python3 (PEP 668); pyenv's needs nothing
fi
"$PY" -m pip install -q "${pip_flags[@]}" pynng noiseprotocol "protobuf>=4.21,<5" cryptography pytest
"$PY" -m pip install -q "${pip_flags[@]}" -e "$client"

for b in fairwayctl cloud-coordinator edge-server edge-agent; do
  [ -x "$FAIRWAY_BIN/$b" ] || { echo "missing $FAIRWAY_BIN/$b: build the Swift tree first (swift build) or set FAIRWAY_BIN" >&2; exit 1; }
done

echo "== python client: pytest (unit + integration against a local cluster)"
(cd "$client" && "$PY" -m pytest -q -p no:cacheprovider tests)

echo "== python client: examples against fairwayctl cluster up --edges 1 --agents 2"
dir="$(mktemp -d /tmp/fwpy-examples.XXXXXX)"
cleanup() { "$FAIRWAY_BIN/fairwayctl" cluster down --dir "$dir" >/dev/null 2>&1 || true; rm -rf "$dir"; }
trap cleanup EXIT
"$FAIRWAY_BIN/fairwayctl" cluster up --edges 1 --agents 2 --dir "$dir" --bin-dir "$FAIRWAY_BIN" --epoch-ms 2000 >/dev/null
coordinator="$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["coordinatorURL"])' "$dir/cluster.json")"
passed=0; failed=0
run_example() {
  echo "-- $*"
  if (cd "$client/examples" && timeout 180 "$PY" "$@"); then passed=$((passed + 1)); else echo "FAILED: $*" >&2; failed=$((failed + 1)); fi
}
run_example agent_contribute.py --cluster-dir "$dir" --labels 1,7 --wait-signed-head-s 10
run_example inference.py --cluster-dir "$dir" --requests 3
run_example watch_epochs.py --cluster-dir "$dir" --count 2
run_example cluster_report.py --coordinator "$coordinator" --expect-alive 4
(cd "$client" && "$PY" -m fairway status --url "$coordinator" >/dev/null) && passed=$((passed + 1)) || { echo "FAILED: python -m fairway status" >&2; failed=$((failed + 1)); }
echo "examples: $passed passed, $failed failed"
[ "$failed" = 0 ]
