#!/usr/bin/env python3
"""Join a Fairway cluster as an agent through an edge server, release differentially private
prototypes of some digits computed on this machine, contribute them, print the receipt, then
fetch and verify the contribution's inclusion proof in the DAT ledger.

    python3 agent_contribute.py --cluster-dir /tmp/fwpy
    python3 agent_contribute.py --edge tcp://127.0.0.1:7410 --coordinator tcp://127.0.0.1:7400 --labels 1,7
"""
import argparse
import sys
import time

from _urls import DEFAULT_DATA, add_url_arguments, resolve

from fairway import Agent, Client, FairwayError, NodeKey
from fairway.embedding import load_digits
from fairway.privacy import PrivacyBudget


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_url_arguments(p, edge=True, coordinator=True)
    p.add_argument("--data", default=DEFAULT_DATA, help="digits CSV (label,p0..p63)")
    p.add_argument("--labels", help="keep only these labels, e.g. 1,7")
    p.add_argument("--records", type=int, default=100, help="records summarised by the release")
    p.add_argument("--offset", type=int, default=0, help="skip this many (filtered) records first")
    p.add_argument("--epsilon", type=float, default=2.0)
    p.add_argument("--delta", type=float, default=1e-6)
    p.add_argument("--key-file", help="agent identity (created if missing); default: a fresh key")
    p.add_argument("--budget-epsilon", type=float, default=8.0, help="the identity's total ε (RDP accountant), as edge-agent's privacy.budget_epsilon")
    p.add_argument("--budget-file", help="keep the charges in this JSON file across runs (default: this run only)")
    p.add_argument("--wait-signed-head-s", type=float, default=0,
                   help="also wait up to this long for a signed tree head covering the record")
    args = p.parse_args()
    resolve(args, edge=True, coordinator=True)

    records = load_digits(args.data)
    if args.labels:
        wanted = {int(x) for x in args.labels.split(",")}
        records = [r for r in records if r.label in wanted]
    records = records[args.offset:args.offset + args.records]
    if not records:
        print("error: no records selected", file=sys.stderr)
        return 1

    key = NodeKey.load_or_create(args.key_file) if args.key_file else NodeKey.generate()
    try:
        budget = PrivacyBudget(args.budget_epsilon, 1e-5, path=args.budget_file)
        with Agent(args.edge, key, name="py-contributor", budget=budget) as agent, Client(args.coordinator) as coordinator:
            accepted = agent.join()
            print(f"joined as {agent.node_id} through {args.edge} (edge {agent.peer_id}); coordinator {accepted.coordinator_id}, epoch {accepted.epoch}")
            agent.heartbeat()
            receipt, release = agent.contribute_digits(records, epsilon=args.epsilon, delta=args.delta)
            print(f"released {len(release.prototypes)} prototypes of {release.records} records at (ε={release.epsilon}, δ={release.delta}): "
                  f"σ={release.sigma:.4f}, sensitivity {release.sensitivity:.4f}, noise multiplier {release.noise_multiplier:.4f}; "
                  f"budget: ε spent {budget.spent:.3f} of {budget.epsilon} at δ={budget.delta}")
            print(f"receipt: leaf {receipt.leaf_index} of {receipt.tree_size}, credit {receipt.credit}, novel {receipt.novel_samples}, "
                  f"normal {receipt.normal_samples}, noise {receipt.noise_samples}, agent value {receipt.agent_value:.4f}, duplicate {receipt.duplicate}")
            deadline = time.monotonic() + args.wait_signed_head_s
            while True:
                result = coordinator.verified_inclusion(receipt.leaf_index, coordinator_id=accepted.coordinator_id)
                if result.signed_head_size or time.monotonic() >= deadline:
                    break
                time.sleep(0.5)
            if result.record.agent_id != agent.node_id or not result.provenance_ok:
                print(f"error: ledger record {receipt.leaf_index} is not this agent's signed contribution", file=sys.stderr)
                return 1
            print(f"inclusion proof of leaf {result.index} in the tree of {result.tree_size}: verified against root {result.root.hex()}"
                  + (f"; in the signed tree head of size {result.signed_head_size}" if result.signed_head_size else "; no signed tree head covers it yet")
                  + "; provenance verifies (the agent's own signature)")
    except FairwayError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
