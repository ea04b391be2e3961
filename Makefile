# Fairway — build, test, demo, compose. Run `make help`.
SHELL := /bin/bash
SWIFT ?= swift
BIN := .build/debug
DEMO_DIR ?= /tmp/fairway-demo

.PHONY: help deps build test demo compose-test bench fuzz certs protos clean

help:
	@echo "make demo          build, start a local cluster, show it working, stop it"
	@echo "make test          the whole test suite (unit, in-process, multi-process)"
	@echo "make compose-test  build images, run the compose cluster, check every node alive"
	@echo "make bench         fairway-lab bench transport"
	@echo "make fuzz          libFuzzer over envelope decoding, FUZZ_SECONDS (default 60)"
	@echo "make certs         a cluster CA and node certificates in certs/ (scripts/gen-certs.sh)"
	@echo "make protos        regenerate Sources/FairwayWire/Generated from proto/"

deps:
	@scripts/ensure-deps.sh

build: deps
	$(SWIFT) build

test: deps
	$(SWIFT) build
	scripts/check-core-purity.sh
	$(SWIFT) test

demo: build
	@scripts/demo.sh "$(DEMO_DIR)"

compose-test: deps
	@scripts/compose-test.sh

# Same scratch path and flags as scripts/build-images.sh, so the two share one release build.
bench: deps
	$(SWIFT) build -c release --static-swift-stdlib --scratch-path .build-release --product fairway-lab
	.build-release/release/fairway-lab bench transport --transport tcp
	.build-release/release/fairway-lab bench transport --transport ipc
	.build-release/release/fairway-lab bench schedule
	.build-release/release/fairway-lab bench allocate

fuzz: deps
	@scripts/fuzz.sh

certs:
	scripts/gen-certs.sh certs coordinator edge-1 edge-2 agents fairwayctl

protos:
	scripts/generate-protos.sh

clean:
	rm -rf .build
