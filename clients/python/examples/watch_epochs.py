#!/usr/bin/env python3
"""Subscribe to the coordinator's epoch announcements and print each one after checking its
Ed25519 signature and that its sender is the address of the signing key (and, with
--coordinator, the coordinator's id as its session proved it). The coordinator repeats the
current epoch's announcement every heartbeat interval; each epoch is printed once (--all: every
publication).

    python3 watch_epochs.py --cluster-dir /tmp/fwpy --count 3
    python3 watch_epochs.py --epoch-url tcp://127.0.0.1:7401 --coordinator tcp://127.0.0.1:7400
"""
import argparse
import sys

from _urls import add_url_arguments, resolve

from fairway import Client, EpochSubscriber, FairwayError


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_url_arguments(p, coordinator=True, epoch=True)
    p.add_argument("--count", type=int, default=3, help="epochs to print (0: forever)")
    p.add_argument("--all", action="store_true", help="print repeated announcements of the same epoch too")
    p.add_argument("--timeout-ms", type=int, default=30000, help="per announcement")
    args = p.parse_args()
    resolve(args, epoch=True)
    if args.cluster_dir and not args.coordinator:
        resolve(args, coordinator=True)
    try:
        coordinator_id = None
        if args.coordinator:
            with Client(args.coordinator) as c:
                coordinator_id = c.ping().node_id
            print(f"coordinator {coordinator_id} (proved by its session); only its announcements are accepted")
        with EpochSubscriber(args.epoch_url, coordinator_id=coordinator_id) as sub:
            n, last = 0, None
            while args.count == 0 or n < args.count:
                a, opened = sub.receive(args.timeout_ms)
                if a.epoch == last and not args.all:
                    continue
                last = a.epoch
                n += 1
                print(f"epoch {a.epoch} started {a.started_at_unix_ms}, {a.alive_members} members alive, next at "
                      f"{a.next_epoch_at_unix_ms}; signed by {opened.envelope.sender}", flush=True)
            if sub.dropped:
                print(f"dropped {sub.dropped} publications that did not verify (last: {sub.last_error})")
    except FairwayError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
