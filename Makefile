# Fairway — build, test, demo, compose. Run `make help`.
SHELL := /bin/bash
SWIFT ?= swift
BIN := .build/debug
DEMO_DIR ?= /tmp/fairway-demo
CHAOS_SECONDS ?= 120
CHAOS_SEED ?= 1

.PHONY: help deps build test client-test demo chaos compose-test compose-chaos bench fuzz simulate certs protos clean
SIM_SEEDS ?= 20
SIM_STEPS ?= 50000

help:
	@echo "make demo          build, start a local cluster, show it working, stop it"
	@echo "make test          the whole test suite (unit, in-process, multi-process, then client-test)"
	@echo "make client-test   the Python and C clients (tests, examples, hostile cases against local clusters) and the"
	@echo "                   cross-implementation test (Swift, Python and C read each other's messages identically)"
	@echo "make chaos         a real process cluster under seeded faults for CHAOS_SECONDS (120), seed CHAOS_SEED (1); checks I1–I5"
	@echo "make compose-test  build images, run the compose cluster, check every node alive, then COMPOSE_CHAOS_SECONDS (45) of chaos on it"
	@echo "make compose-chaos only the chaos run on the compose cluster: COMPOSE_CHAOS_SECONDS (120), seed COMPOSE_CHAOS_SEED (1); checks I1–I5"
	@echo "make bench         fairway-lab bench transport"
	@echo "make fuzz          libFuzzer over envelope decoding, FUZZ_SECONDS (default 60)"
	@echo "make simulate      deterministic cluster simulation: SIM_SEEDS (20) seeds × SIM_STEPS (50000) steps, I1–I5 after every step"
	@echo "make certs         a cluster CA and node certificates in certs/ (scripts/gen-certs.sh)"
	@echo "make protos        regenerate Sources/FairwayWire/Generated from proto/"

deps:
	@scripts/ensure-deps.sh

build: deps
	$(SWIFT) build

# One build of the code and the tests (a plain `swift build` and then `swift test` would relink
# every executable twice).
test: deps
	$(SWIFT) build --build-tests
	scripts/check-core-purity.sh
	$(SWIFT) test --skip-build
	$(MAKE) client-test

# The Python client first: it installs pytest and noiseprotocol, which the C client's Noise
# interoperability test also uses (so nothing there is skipped).
client-test: deps
	$(SWIFT) build
	bash clients/python/tests/run.sh
	$(MAKE) -C clients/c test
	FAIRWAY_BIN=$(CURDIR)/$(BIN) clients/c/run-example.sh
	FAIRWAY_BIN=$(CURDIR)/$(BIN) sh clients/cross/run.sh

demo: build
	@scripts/demo.sh "$(DEMO_DIR)"

chaos: build
	.build/debug/fairway-lab chaos --duration $(CHAOS_SECONDS) --seed $(CHAOS_SEED)

compose-test: deps
	@scripts/compose-test.sh

compose-chaos: deps
	@COMPOSE_CHAOS_ONLY=1 COMPOSE_CHAOS_SECONDS=$${COMPOSE_CHAOS_SECONDS:-120} scripts/compose-test.sh

# Same scratch path and flags as scripts/build-images.sh, so the two share one release build.
bench: deps
	$(SWIFT) build -c release --static-swift-stdlib --scratch-path .build-release --product fairway-lab
	.build-release/release/fairway-lab bench transport --transport tcp
	.build-release/release/fairway-lab bench transport --transport ipc
	.build-release/release/fairway-lab bench schedule
	.build-release/release/fairway-lab bench allocate

fuzz: deps
	@scripts/fuzz.sh

simulate: build
	$(BIN)/fairway-lab simulate --seed 1 --seeds $(SIM_SEEDS) --steps $(SIM_STEPS)

certs:
	scripts/gen-certs.sh certs coordinator edge-1 edge-2 agents fairwayctl

protos:
	scripts/generate-protos.sh

clean:
	rm -rf .build
