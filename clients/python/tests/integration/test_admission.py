"""A coordinator under `admission.policy: allow-list` refuses handshakes from unlisted keys
(`not-admitted`, a plaintext error frame) and serves a listed Python key."""
import os
import socket
import subprocess
import tempfile
import time

import pytest

from fairway import Client, NodeKey, NotAdmitted

pytestmark = pytest.mark.integration


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def allow_list_coordinator(fairway_bin):
    listed = NodeKey.generate()
    directory = tempfile.mkdtemp(prefix="fwpy-admission-")
    url = f"tcp://127.0.0.1:{_free_port()}"
    log = open(os.path.join(directory, "coordinator.log"), "w")
    proc = subprocess.Popen([os.path.join(fairway_bin, "cloud-coordinator"), "--data-dir", os.path.join(directory, "data"),
                             "--control-url", url, "--epoch-url", f"tcp://127.0.0.1:{_free_port()}",
                             "--admission-policy", "allow-list", "--admission-allowed-keys", listed.public_key.hex()],
                            stdout=log, stderr=log, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with Client(url, listed, timeout_ms=1000) as c:
                    c.ping()
                break
            except Exception:  # noqa: BLE001 - not up yet
                if time.monotonic() > deadline or proc.poll() is not None:
                    pytest.fail(f"allow-list coordinator did not come up: {open(log.name).read()[-2000:]}")
                time.sleep(0.2)
        yield url, listed
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        subprocess.run(["rm", "-rf", directory])


def test_listed_key_is_served(allow_list_coordinator):
    url, listed = allow_list_coordinator
    with Client(url, listed) as c:
        assert c.status().reporter_role == 1


def test_unlisted_key_is_not_admitted_at_the_handshake(allow_list_coordinator):
    url, _ = allow_list_coordinator
    with Client(url, NodeKey.generate()) as c:
        with pytest.raises(NotAdmitted) as e:
            c.ping()
        assert e.value.code == "not-admitted" and c.transport.handshakes == 0
