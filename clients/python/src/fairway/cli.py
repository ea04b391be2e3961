"""``python -m fairway`` (or ``fairway-py``): a small command line over the client.

    python -m fairway ping     --url tcp://127.0.0.1:7400
    python -m fairway status   --url URL [--json]
    python -m fairway epochs   --url URL [--limit 10] [--json]
    python -m fairway grants   --url URL [--json]
    python -m fairway valuation --url URL [--agent ID ...] [--json]
    python -m fairway ledger   --url URL [--start 0] [--limit 100] [--json]
    python -m fairway proof    --url URL --index I [--json]
    python -m fairway watch    --epoch-url URL [--count 3] [--coordinator-id fw...]
    python -m fairway identity --key-file F

Every command takes ``--key-file F`` (the identity to speak as; default a fresh key), ``--expect-id
fw...`` (pin the node's id) and ``--timeout-ms``. Exit 0 on success, 1 on a refusal or a failed
check (printed as ``error: CODE [FIELD]: MESSAGE``), 2 on bad usage.
"""
from __future__ import annotations

import argparse
import json
import sys
from typing import List, Optional

from google.protobuf.json_format import MessageToDict

from fairway.client import ROLE_NAMES, STATE_NAMES, Client
from fairway.errors import FairwayError
from fairway.identity import NodeKey
from fairway.subscribe import EpochSubscriber


def _dict(msg) -> dict:
    return MessageToDict(msg, preserving_proto_field_name=True)


def _client(args) -> Client:
    key = NodeKey.load_or_create(args.key_file) if args.key_file else None
    return Client(args.url, key, expected_node_id=args.expect_id, timeout_ms=args.timeout_ms)


def cmd_ping(args) -> int:
    with _client(args) as c:
        p = c.ping()
        if args.json:
            print(json.dumps(_dict(p)))
        else:
            print(f"{p.name} ({p.node_id}) {ROLE_NAMES.get(p.role, p.role)} {p.version}: answered in a Noise session proving {c.peer_id}")
    return 0


def cmd_status(args) -> int:
    with _client(args) as c:
        s = c.status()
    if args.json:
        print(json.dumps(_dict(s)))
        return 0
    print(f"{s.reporter_name} ({s.reporter_id}) {ROLE_NAMES.get(s.reporter_role)} epoch {s.epoch}")
    print(f"{'NAME':<14} {'ID':<44} {'ROLE':<18} {'STATE':<8} {'GRANTED':>8} {'USED':>6} {'LEFT':>6}")
    for n in s.nodes:
        print(f"{n.name:<14} {n.node_id:<44} {ROLE_NAMES.get(n.role, n.role):<18} {STATE_NAMES.get(n.state, n.state):<8} "
              f"{n.tokens_granted:>8} {n.tokens_used:>6} {n.tokens_remaining:>6}")
    return 0


def cmd_epochs(args) -> int:
    with _client(args) as c:
        epochs = c.epochs(args.limit)
    if args.json:
        print(json.dumps([_dict(e) for e in epochs]))
        return 0
    print(f"{'EPOCH':>6} {'V':>6} {'GRANTED':>8} {'AGENTS':>6} ALLOCATOR")
    for e in epochs:
        print(f"{e.epoch:>6} {e.total_tokens:>6} {e.granted:>8} {e.agents:>6} {e.allocator}")
    return 0


def cmd_grants(args) -> int:
    with _client(args) as c:
        agents = c.grants()
    if args.json:
        print(json.dumps([_dict(a) for a in agents]))
        return 0
    for a in agents:
        print(f"{a.name:<14} {a.node_id} granted {a.tokens_granted} used {a.tokens_used} remaining {a.tokens_remaining}")
    return 0


def cmd_valuation(args) -> int:
    with _client(args) as c:
        v = c.valuation(args.agent or [])
    if args.json:
        print(json.dumps(_dict(v)))
        return 0
    print(f"catalog clusters: {v.catalog_clusters}")
    for a in v.agents:
        print(f"{a.agent_id} v_n {a.value:.4f} contributions {a.contributions} novel {a.novel_samples} normal {a.normal_samples} "
              f"noise {a.noise_samples} eps {a.epsilon_spent:.3f}")
    return 0


def cmd_ledger(args) -> int:
    from fairway._proto import ledger_pb2
    from fairway.merkle import verify_tree_head
    with _client(args) as c:
        r = c.ledger(args.start, args.limit)
        coordinator = c.peer_id
    records = []
    for leaf in r.leaves:
        d = ledger_pb2.DatRecord()
        d.ParseFromString(leaf)
        records.append(d)
    heads_ok = all(verify_tree_head(h, coordinator) for h in r.heads)
    if args.json:
        print(json.dumps({"tree_size": r.tree_size, "heads": len(r.heads), "heads_verified": heads_ok,
                          "records": [{k: v for k, v in _dict(d).items() if k != "provenance"} for d in records]}))
    else:
        print(f"tree size {r.tree_size}, {len(r.heads)} signed tree heads ({'all verify' if heads_ok else 'SOME DO NOT VERIFY'})")
        for d in records:
            print(f"[{d.index}] agent {d.agent_id} credit {d.credit} value {d.agent_value:.4f} epoch {d.epoch} edge {d.edge_id}")
    return 0 if heads_ok else 1


def cmd_proof(args) -> int:
    with _client(args) as c:
        res = c.verified_inclusion(args.index)
    doc = {"index": res.index, "tree_size": res.tree_size, "root": res.root.hex(), "verified": res.verified,
           "signed_head_size": res.signed_head_size, "provenance_ok": res.provenance_ok, "agent_id": res.record.agent_id}
    if args.json:
        print(json.dumps(doc))
    else:
        print(f"leaf {res.index} of {res.tree_size}: root {res.root.hex()} verified"
              + (f"; also in the signed tree head of size {res.signed_head_size}" if res.signed_head_size else "; no signed tree head covers it yet")
              + f"; provenance {'verifies' if res.provenance_ok else 'DOES NOT VERIFY'}")
    return 0 if res.provenance_ok else 1


def cmd_watch(args) -> int:
    with EpochSubscriber(args.epoch_url, coordinator_id=args.coordinator_id) as sub:
        for _ in range(args.count):
            a, opened = sub.receive(args.timeout_ms)
            if args.json:
                print(json.dumps({"sender": opened.envelope.sender, **_dict(a)}), flush=True)
            else:
                print(f"epoch {a.epoch} from {opened.envelope.sender} (signature verified): {a.alive_members} alive, "
                      f"next at {a.next_epoch_at_unix_ms}", flush=True)
    return 0


def cmd_identity(args) -> int:
    key = NodeKey.load_or_create(args.key_file)
    print(json.dumps({"id": key.node_id, "public_key": key.public_key.hex()}) if args.json else f"{key.node_id} {key.public_key.hex()}")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m fairway", description="Fairway wire protocol 2 client")
    sub = p.add_subparsers(dest="command", required=True)

    def add(name, fn, help, url=True):
        s = sub.add_parser(name, help=help)
        if url:
            s.add_argument("--url", "--coordinator", dest="url", required=True, help="the node's REP URL, e.g. tcp://127.0.0.1:7400")
            s.add_argument("--expect-id", help="refuse a node proving another id (fw...)")
        s.add_argument("--key-file", help="identity key file (created if missing); default: a fresh key")
        s.add_argument("--timeout-ms", type=int, default=5000)
        s.add_argument("--json", action="store_true")
        s.set_defaults(fn=fn)
        return s

    add("ping", cmd_ping, "handshake and ping")
    add("status", cmd_status, "the node's view of the cluster")
    add("epochs", cmd_epochs, "epoch history (coordinator)").add_argument("--limit", type=int, default=10)
    add("grants", cmd_grants, "every agent's tokens granted/used/remaining (coordinator)")
    add("valuation", cmd_valuation, "agents' data values (coordinator)").add_argument("--agent", action="append")
    s = add("ledger", cmd_ledger, "DAT ledger records and signed tree heads (coordinator)")
    s.add_argument("--start", type=int, default=0)
    s.add_argument("--limit", type=int, default=100)
    add("proof", cmd_proof, "verified inclusion proof of a record (coordinator)").add_argument("--index", type=int, required=True)
    s = add("watch", cmd_watch, "verified epoch announcements (coordinator's PUB socket)", url=False)
    s.add_argument("--epoch-url", required=True)
    s.add_argument("--coordinator-id")
    s.add_argument("--count", type=int, default=3)
    s = sub.add_parser("identity", help="create or show a key file")
    s.add_argument("--key-file", required=True)
    s.add_argument("--json", action="store_true")
    s.set_defaults(fn=cmd_identity)
    return p


def main(argv: Optional[List[str]] = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.fn(args)
    except FairwayError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except (OSError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
