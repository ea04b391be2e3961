"""Shared argument handling of the examples: URLs given directly, or read from the cluster.json
that `fairwayctl cluster up --dir DIR` writes."""
import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_DATA = os.path.normpath(os.path.join(HERE, "..", "..", "..", "data", "uci-digits-8x8.csv"))


def add_url_arguments(p: argparse.ArgumentParser, *, edge=False, coordinator=False, epoch=False) -> None:
    p.add_argument("--cluster-dir", help="directory of `fairwayctl cluster up --dir DIR` (reads DIR/cluster.json)")
    if coordinator:
        p.add_argument("--coordinator", help="coordinator control URL, e.g. tcp://127.0.0.1:7400")
    if edge:
        p.add_argument("--edge", help="edge server URL, e.g. tcp://127.0.0.1:7410")
    if epoch:
        p.add_argument("--epoch-url", help="coordinator PUB URL, e.g. tcp://127.0.0.1:7401")


def resolve(args, *, edge=False, coordinator=False, epoch=False) -> None:
    """Fills args.edge / args.coordinator / args.epoch_url from --cluster-dir where not given."""
    doc = {}
    if args.cluster_dir:
        path = os.path.join(args.cluster_dir, "cluster.json")
        try:
            with open(path, encoding="utf-8") as f:
                doc = json.load(f)
        except OSError as e:
            sys.exit(f"error: cannot read {path}: {e}")
    if coordinator and not args.coordinator:
        args.coordinator = doc.get("coordinatorURL")
    if edge and not args.edge:
        args.edge = (doc.get("edgeURLs") or [None])[0]
    if epoch and not args.epoch_url:
        args.epoch_url = doc.get("epochURL")
    missing = [n for n, want, v in (("--coordinator", coordinator, getattr(args, "coordinator", 1)),
                                     ("--edge", edge, getattr(args, "edge", 1)),
                                     ("--epoch-url", epoch, getattr(args, "epoch_url", 1))) if want and not v]
    if missing:
        sys.exit(f"error: give {', '.join(missing)} or --cluster-dir")
