#!/usr/bin/env python3
"""Join through an edge server, heartbeat until the coordinator's grants reach the edge, then send
inference requests (8x8 digits as features) and print what the edge answered.

    python3 inference.py --cluster-dir /tmp/fwpy --requests 3
    python3 inference.py --edge tcp://127.0.0.1:7410
"""
import argparse
import sys
import time

from _urls import DEFAULT_DATA, add_url_arguments, resolve

from fairway import Agent, FairwayError, NodeKey
from fairway.embedding import load_digits


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_url_arguments(p, edge=True)
    p.add_argument("--data", default=DEFAULT_DATA)
    p.add_argument("--requests", type=int, default=3)
    p.add_argument("--cost", type=int, default=1)
    p.add_argument("--bucket-size", type=int, default=4)
    p.add_argument("--timeout-s", type=float, default=60, help="give up after this long without an answered request")
    p.add_argument("--key-file")
    args = p.parse_args()
    resolve(args, edge=True)
    digits = load_digits(args.data)
    key = NodeKey.load_or_create(args.key_file) if args.key_file else NodeKey.generate()
    answered = 0
    try:
        with Agent(args.edge, key, name="py-inference", bucket_size=args.bucket_size) as agent:
            accepted = agent.join()
            print(f"joined as {agent.node_id} through {args.edge}; heartbeat every {accepted.heartbeat_interval_ms} ms")
            interval = max(accepted.heartbeat_interval_ms, 100) / 1000
            deadline = time.monotonic() + args.timeout_s
            next_beat = 0.0
            i = 0
            while answered < args.requests:
                if time.monotonic() >= next_beat:
                    agent.heartbeat()
                    next_beat = time.monotonic() + interval
                record = digits[i % len(digits)]
                try:
                    r = agent.infer(args.cost, record.pixels)
                except FairwayError as e:
                    if e.code not in ("insufficient-tokens", "capacity-exhausted", "unavailable"):
                        raise
                    if time.monotonic() >= deadline:
                        print(f"error: no request admitted within {args.timeout_s} s; last refusal: {e}", file=sys.stderr)
                        return 1
                    print(f"refused ({e.code}), retrying after {e.retry_after_ms} ms")
                    time.sleep(min(max(e.retry_after_ms, 50) / 1000, interval))
                    continue
                answered += 1
                i += 1
                pred = (f"predicted {r.label} (true {record.label}, confidence {r.confidence:.2f}, module v{r.module_version})"
                        if r.label >= 0 else "admitted (the edge holds no module yet: no prediction)")
                print(f"request {answered}: charged {r.charged}, {r.remaining} tokens left, {pred}"
                      + (", served by the cloud" if r.served_by_cloud else ""))
                deadline = time.monotonic() + args.timeout_s
    except FairwayError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
