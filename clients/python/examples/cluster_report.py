#!/usr/bin/env python3
"""A report of a cluster from its coordinator alone: membership, token accounts, epochs, data
values, and the DAT ledger with every signed tree head and up to --proofs inclusion proofs
verified client-side. Needs only the coordinator's control URL, so it works against the compose
cluster too (docker-compose.yml publishes only that port):

    python3 cluster_report.py --coordinator tcp://127.0.0.1:17400      # compose
    python3 cluster_report.py --cluster-dir /tmp/fwpy                   # fairwayctl cluster up
"""
import argparse
import sys

from _urls import add_url_arguments, resolve

from fairway import Client, FairwayError
from fairway.client import ROLE_NAMES, STATE_NAMES


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_url_arguments(p, coordinator=True)
    p.add_argument("--proofs", type=int, default=10, help="verify the inclusion proofs of the first N records")
    p.add_argument("--expect-alive", type=int, default=0, help="fail unless at least this many nodes are alive")
    args = p.parse_args()
    resolve(args, coordinator=True)
    try:
        with Client(args.coordinator) as c:
            pong = c.ping()
            print(f"{pong.name} {pong.node_id} ({ROLE_NAMES.get(pong.role)}, {pong.version}); session proved {c.peer_id}")
            if pong.node_id != c.peer_id:
                print("error: the pong names another node than the session proved", file=sys.stderr)
                return 1
            status = c.status()
            alive = sum(1 for n in status.nodes if n.state == 1)
            print(f"epoch {status.epoch}: {len(status.nodes)} nodes, {alive} alive")
            for n in status.nodes:
                extra = f" tokens granted {n.tokens_granted} used {n.tokens_used} left {n.tokens_remaining}" if n.role == 3 else ""
                print(f"  {n.name:<14} {n.node_id} {ROLE_NAMES.get(n.role):<18} {STATE_NAMES.get(n.state)}{extra}")
            if alive < args.expect_alive:
                print(f"error: {alive} nodes alive, expected at least {args.expect_alive}", file=sys.stderr)
                return 1
            for e in c.epochs(5):
                print(f"  epoch {e.epoch}: V {e.total_tokens}, granted {e.granted} to {e.agents} agents ({e.allocator})")
            v = c.valuation()
            print(f"valuation: {len(v.agents)} contributing agents, {v.catalog_clusters} catalog clusters")
            for a in v.agents:
                print(f"  {a.agent_id} v_n {a.value:.4f} from {a.contributions} contributions, ε spent {a.epsilon_spent:.3f}")
            audit = c.audit_ledger(coordinator_id=pong.node_id)
            print(f"ledger: {audit.tree_size} records, {audit.heads} signed tree heads, root {audit.root.hex()}: "
                  + ("every head signed by the coordinator and matching the records, every provenance verifies" if audit.ok
                     else "; ".join(audit.problems)))
            if not audit.ok:
                return 1
            leaves = c.ledger(limit=args.proofs).leaves
            for i in range(min(args.proofs, len(leaves))):
                res = c.verified_inclusion(i, coordinator_id=pong.node_id)
                if not res.provenance_ok or res.leaf != leaves[i]:
                    print(f"error: record {i} does not verify", file=sys.stderr)
                    return 1
                print(f"  record {i}: agent {res.record.agent_id} credit {res.record.credit}: proof verified"
                      + (f", in signed head {res.signed_head_size}" if res.signed_head_size else "") + ", provenance verifies")
    except FairwayError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
