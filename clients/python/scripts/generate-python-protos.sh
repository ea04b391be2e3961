#!/usr/bin/env bash
# Regenerates the Python protobuf modules of the Fairway client from proto/fairway/v1/*.proto.
#
#   apt-get install -y protobuf-compiler      # Debian 12: protoc 3.21.12
#   clients/python/scripts/generate-python-protos.sh
#
# protoc writes fairway/v1/X_pb2.py with absolute imports `from fairway.v1 import Y_pb2`; the
# modules live flat in the package `fairway._proto`, so those imports are rewritten to
# `from fairway._proto import Y_pb2`. The descriptors keep their proto file names
# ("fairway/v1/envelope.proto"), so they stay wire-compatible with every other generator.
# Also regenerates src/fairway/_data/digits_encoder.json from the Swift weights file.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
client="$(dirname "$here")"
repo="$(cd "$client/../.." && pwd)"
out="$client/src/fairway/_proto"

command -v protoc >/dev/null || { echo "protoc not found: apt-get install -y protobuf-compiler" >&2; exit 1; }
want="libprotoc 3.21.12"
have="$(protoc --version)"
[ "$have" = "$want" ] || echo "warning: $have, the committed modules come from $want" >&2

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
protoc -I "$repo/proto" --python_out="$tmp" --pyi_out="$tmp" "$repo"/proto/fairway/v1/*.proto

rm -f "$out"/*_pb2.py "$out"/*_pb2.pyi
for f in "$tmp"/fairway/v1/*_pb2.py "$tmp"/fairway/v1/*_pb2.pyi; do
  sed -e 's/^from fairway\.v1 import /from fairway._proto import /' "$f" > "$out/$(basename "$f")"
done
cat > "$out/__init__.py" <<'PY'
"""Generated protobuf modules of wire protocol 2 (proto/fairway/v1), by
clients/python/scripts/generate-python-protos.sh with protoc 3.21.12. Do not edit."""
PY
if grep -q "^from fairway\.v1\|^import fairway\.v1" "$out"/*.py; then
  echo "unrewritten fairway.v1 import left in $out" >&2; exit 1
fi

python3 "$here/extract_encoder_weights.py" \
  "$repo/Sources/FairwayCore/Embedding/DigitsEncoderWeights.swift" "$client/src/fairway/_data/digits_encoder.json"
echo "generated $(ls "$out"/*_pb2.py | wc -l) modules in $out"
