"""Sessions across a server restart and rekeying, on a cluster of its own."""
import json
import os
import signal
import subprocess
import tempfile
import time

import pytest

from fairway import Client, TransportSettings
from fairway._proto import membership_pb2

from integration.conftest import eventually

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def small_cluster(fairway_bin):
    directory = tempfile.mkdtemp(prefix="fwpy-restart-")
    ctl = os.path.join(fairway_bin, "fairwayctl")
    up = subprocess.run([ctl, "cluster", "up", "--edges", "1", "--agents", "1", "--dir", directory, "--bin-dir", fairway_bin,
                         "--wait-s", "60"], capture_output=True, text=True, timeout=120)
    if up.returncode != 0:
        subprocess.run([ctl, "cluster", "down", "--dir", directory], capture_output=True, timeout=60)
        pytest.fail(f"fairwayctl cluster up failed: {up.stderr[-2000:]}")
    with open(os.path.join(directory, "cluster.json"), encoding="utf-8") as f:
        doc = json.load(f)
    started = []
    yield doc, started
    for p in started:  # processes this test restarted (not in cluster.json's pids)
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
    subprocess.run([ctl, "cluster", "down", "--dir", directory], capture_output=True, timeout=60)
    subprocess.run(["rm", "-rf", directory])


def test_rekeying_handshakes_again(small_cluster):
    doc, _ = small_cluster
    with Client(doc["coordinatorURL"], settings=TransportSettings(rekey_after_messages=2)) as c:
        c.ping(); c.ping()
        assert c.transport.handshakes == 1
        c.ping()
        assert c.transport.handshakes == 2
    with Client(doc["coordinatorURL"], settings=TransportSettings(rekey_after_s=0.3)) as c:
        c.ping()
        time.sleep(0.4)
        c.ping()
        assert c.transport.handshakes == 2


def test_a_restarted_server_forgets_the_session_and_the_client_handshakes_again(small_cluster):
    doc, started = small_cluster
    edge = next(p for p in doc["processes"] if p["name"] == "edge-1")
    url = doc["edgeURLs"][0]
    with Client(url, timeout_ms=10000) as c:
        before = c.ping()
        assert c.transport.handshakes == 1
        os.kill(edge["pid"], signal.SIGTERM)
        eventually(lambda: _gone(edge["pid"]), timeout=15)
        log = open(edge["log"], "a")
        started.append(subprocess.Popen([edge["executable"], *edge["arguments"]], stdout=log, stderr=log, start_new_session=True))
        # same identity (node.key), new process: it knows no session of ours -> unknown-session -> re-handshake
        after = eventually(lambda: c.request("status_request", membership_pb2.StatusRequest()), timeout=30)
        assert after.kind == "status_reply" and after.envelope.sender == before.node_id
        assert c.transport.handshakes == 2


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    # a zombie of a process we did not start is reaped by its parent; check its state
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split()[2] == "Z"
    except FileNotFoundError:
        return True
