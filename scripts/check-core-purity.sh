#!/usr/bin/env bash
# Checks, from the package's build graph (`swift package describe`), that the role cores (and the
# deterministic simulation that drives them) are pure: CoordinatorCore, EdgeServerCore and EdgeAgentCore depend (transitively) only on
# FairwayCore, FairwayWire and what those use (swift-protobuf, swift-crypto), never on storage,
# sockets, config files, logging, lifecycle or metrics (GRDB, NNG, Yams, swift-log,
# ServiceLifecycle, swift-metrics, swift-prometheus, swift-nio): the shells emit metrics.
set -euo pipefail
cd "$(dirname "$0")/.."
swift package describe --type json 2>/dev/null | python3 -c '
import json, sys
pkg = json.load(sys.stdin)
targets = {t["name"]: t for t in pkg["targets"]}
cores = ["CoordinatorCore", "EdgeServerCore", "EdgeAgentCore", "FairwaySimulation"]
allowed_targets = {"FairwayCore", "FairwayWire"}
# The simulation drives the cores and computes the contract menus (GLPK, no I/O).
allowed_by_core = {"FairwaySimulation": {"CoordinatorCore", "EdgeServerCore", "EdgeAgentCore", "FairwayCore", "FairwayWire", "ContractSolver"}}
forbidden = {"GRDB", "NNG", "CNNG", "Yams", "Logging", "ServiceLifecycle", "FairwayRuntime", "ArgumentParser",
             "Metrics", "CoreMetrics", "Prometheus", "NIOCore", "NIOPosix", "NIOHTTP1"}
failed = False
for core in cores:
    if core not in targets:
        print(f"missing target {core}"); failed = True; continue
    direct = set(targets[core].get("target_dependencies", []))
    allowed = allowed_by_core.get(core, allowed_targets)
    if not direct <= allowed:
        print(f"{core} depends on {sorted(direct - allowed)}; it may depend on {sorted(allowed)} only"); failed = True
    seen, stack, products = set(), [core], set()
    while stack:
        t = stack.pop()
        if t in seen: continue
        seen.add(t)
        products |= set(targets.get(t, {}).get("product_dependencies", []))
        stack += targets.get(t, {}).get("target_dependencies", [])
    bad = (seen | products) & forbidden
    if bad:
        print(f"{core} reaches {sorted(bad)}"); failed = True
    else:
        print(f"{core}: pure (targets {sorted(seen - {core})}, products {sorted(products)})")
sys.exit(1 if failed else 0)
'
