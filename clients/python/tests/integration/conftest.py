"""A real local cluster for the integration tests: `fairwayctl cluster up --edges 1 --agents 2`
with the daemons from $FAIRWAY_BIN (default <repo>/.build/debug). Missing binaries fail the
tests: they are never skipped."""
import json
import os
import shutil
import subprocess
import tempfile
import time

import pytest

from conftest import REPO


PARITY_RECORDS = 50
PARITY_LABELS = "1,7,3"
PARITY_GROUPS = {
    "swiftnone": "--privacy-mode none",
    "swiftdp": "--privacy-mode multimodal --privacy-epsilon 2 --privacy-delta 1e-6",
}


def _bin_dir() -> str:
    return os.environ.get("FAIRWAY_BIN") or os.path.join(REPO, ".build", "debug")


@pytest.fixture(scope="session")
def fairway_bin() -> str:
    d = _bin_dir()
    missing = [b for b in ("fairwayctl", "cloud-coordinator", "edge-server", "edge-agent") if not os.access(os.path.join(d, b), os.X_OK)]
    if missing:
        pytest.fail(f"missing Fairway binaries in {d}: {', '.join(missing)} (build with `swift build` or set FAIRWAY_BIN)")
    return d


class Cluster:
    def __init__(self, bin_dir: str, directory: str, doc: dict):
        self.bin_dir = bin_dir
        self.dir = directory
        self.coordinator = doc["coordinatorURL"]
        self.edges = doc["edgeURLs"]
        self.epoch_url = doc["epochURL"]
        self.doc = doc

    def fairwayctl(self, *args, check=True) -> subprocess.CompletedProcess:
        return subprocess.run([os.path.join(self.bin_dir, "fairwayctl"), *args], capture_output=True, text=True, timeout=60, check=check)

    def node_id(self, key_file: str) -> str:
        out = self.fairwayctl("identity", "--key-file", key_file).stdout
        return next(tok for tok in out.split() if tok.startswith("fw") and len(tok) == 42)


@pytest.fixture(scope="session")
def cluster(fairway_bin):
    directory = tempfile.mkdtemp(prefix="fwpy-")
    ctl = os.path.join(fairway_bin, "fairwayctl")
    data = os.path.join(REPO, "data", "uci-digits-8x8.csv")
    # Two Swift agents that each contribute one release, for the parity test: an exact one
    # (privacy mode none) and a private one.
    groups = [f"{name}:1:--data-path {data} --contribute-releases 1 --data-records-per-release {PARITY_RECORDS} "
              f"--data-labels {PARITY_LABELS} {flags}" for name, flags in PARITY_GROUPS.items()]
    up = subprocess.run([ctl, "cluster", "up", "--edges", "1", "--agents", "2", "--dir", directory, "--bin-dir", fairway_bin,
                         "--epoch-ms", "1500", "--wait-s", "60", *[a for g in groups for a in ("--agent-group", g)]],
                        capture_output=True, text=True, timeout=120)
    if up.returncode != 0:
        subprocess.run([ctl, "cluster", "down", "--dir", directory], capture_output=True, timeout=60)
        pytest.fail(f"fairwayctl cluster up failed ({up.returncode}): {up.stderr[-2000:]}")
    with open(os.path.join(directory, "cluster.json"), encoding="utf-8") as f:
        doc = json.load(f)
    c = Cluster(fairway_bin, directory, doc)
    try:
        yield c
    finally:
        subprocess.run([ctl, "cluster", "down", "--dir", directory], capture_output=True, timeout=60)
        if os.environ.get("FAIRWAY_KEEP_CLUSTER") != "1":
            shutil.rmtree(directory, ignore_errors=True)


def eventually(fn, timeout=20.0, interval=0.2):
    """Calls fn until it returns a truthy value (returned) or raises nothing past the timeout."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        try:
            v = fn()
            if v:
                return v
        except Exception as e:  # noqa: BLE001 - retried until the deadline
            last = e
        if time.monotonic() >= deadline:
            if last:
                raise last
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(interval)
