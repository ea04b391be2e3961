#!/usr/bin/env bash
# Regenerates Sources/FairwayWire/Generated from proto/fairway/v1/*.proto.
# Needs: protoc (Debian: protobuf-compiler). protoc-gen-swift is built from the
# swift-protobuf dependency pinned in Package.swift, so the generator matches the runtime.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v protoc >/dev/null || { echo "protoc missing: apt-get install -y protobuf-compiler" >&2; exit 1; }
SCRATCH=.build-protoc
swift build -c release --scratch-path "$SCRATCH" --product protoc-gen-swift
PLUGIN="$(swift build -c release --scratch-path "$SCRATCH" --show-bin-path)/protoc-gen-swift"
OUT=Sources/FairwayWire/Generated
mkdir -p "$OUT"
rm -f "$OUT"/*.pb.swift
protoc --plugin=protoc-gen-swift="$PLUGIN" \
  --swift_opt=Visibility=Public --swift_opt=FileNaming=PathToUnderscores \
  --swift_out="$OUT" -I proto proto/fairway/v1/*.proto
echo "generated: $(ls "$OUT"/*.pb.swift | tr '\n' ' ')"
