"""The Python client against a real Swift cluster: handshake, join through an edge, heartbeat,
contribution valued with a receipt, inference, status, epochs, ledger proofs, epoch
announcements, and what the daemons answer to hostile input."""
import os
import subprocess
import sys

import pytest

from fairway import (Agent, Client, EpochSubscriber, FairwayError, InvalidField, NodeKey, RequestClient, Replayed, Stale,
                     Unauthenticated)
from fairway._proto import envelope_pb2, membership_pb2, session_pb2, valuation_pb2
from fairway.embedding import DigitsEncoder, embed_records, load_digits
from fairway.privacy import contribution_of, release_prototypes
from fairway.session import frame_error, decode_frame
from fairway.wire import SIGNATURE_CONTEXT, make_envelope, now_ms, seal_for_session

from conftest import REPO
from integration.conftest import eventually

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def digits():
    return load_digits(os.path.join(REPO, "data", "uci-digits-8x8.csv"))


@pytest.fixture(scope="module")
def encoder():
    return DigitsEncoder.builtin()


def make_contribution(digits, encoder, start, n=100, epsilon=2.0, sequence=1):
    rel = release_prototypes(embed_records(digits[start:start + n], encoder), encoder.anchors(), epsilon=epsilon, delta=1e-6)
    return contribution_of(rel, sequence)


@pytest.fixture(scope="module")
def coordinator_id(cluster):
    return cluster.node_id(os.path.join(cluster.dir, "data", "coordinator", "node.key"))


@pytest.fixture(scope="module")
def edge_id(cluster):
    return cluster.node_id(os.path.join(cluster.dir, "data", "edge-1", "node.key"))


@pytest.fixture(scope="module")
def agent(cluster):
    a = Agent(cluster.edges[0], name="py-it-agent", bucket_size=8)
    eventually(lambda: a.join(), timeout=30)
    a.start_heartbeat()
    yield a
    a.close()


def test_handshake_proves_the_coordinator(cluster, coordinator_id):
    with Client(cluster.coordinator) as c:
        pong = c.ping()
        assert pong.node_id == coordinator_id == c.peer_id
        assert pong.role == membership_pb2.NODE_ROLE_CLOUD_COORDINATOR
        assert c.transport.handshakes == 1
        c.status()
        assert c.transport.handshakes == 1  # the session is reused
        s = c.transport.session_of()
        assert s.sent == 2 and s.window.top == 2  # counters 0 and 1 each way


def test_pinning_another_id_is_refused(cluster):
    with Client(cluster.coordinator, expected_node_id=NodeKey.generate().node_id) as c:
        with pytest.raises(Unauthenticated) as e:
            c.ping()
        assert e.value.field == "frame.handshake_response.binding"


def test_python_key_files_are_the_daemons_format(cluster, tmp_path):
    path = str(tmp_path / "py.key")
    key = NodeKey.load_or_create(path)
    out = cluster.fairwayctl("identity", "--key-file", path).stdout
    assert key.node_id in out and key.public_key.hex() in out


def test_join_through_the_edge_and_heartbeat(cluster, agent, coordinator_id, edge_id):
    assert agent.joined.coordinator_id == coordinator_id
    assert agent.peer_id == edge_id
    ack = agent.heartbeat()
    assert ack.epoch >= agent.joined.epoch

    def listed():
        with Client(cluster.coordinator) as c:
            mine = [n for n in c.status().nodes if n.node_id == agent.node_id]
        return mine and mine[0]
    me = eventually(listed)
    assert me.role == membership_pb2.NODE_ROLE_EDGE_AGENT and me.via == edge_id and me.name == "py-it-agent"
    eventually(lambda: (agent.heartbeat() and False) or listed().state == membership_pb2.MEMBER_STATE_ALIVE, timeout=15)


def test_contribution_is_valued_with_a_receipt_and_proven(cluster, agent, digits, encoder, coordinator_id):
    agent.heartbeat()
    contribution = make_contribution(digits, encoder, 0)
    env = make_envelope(agent.node_id, "contribution", contribution)
    sealed = seal_for_session(env, agent.key)
    receipt = agent.transport.call_sealed(sealed, env.message_id).envelope.contribution_receipt
    assert receipt.agent_id == agent.node_id and receipt.contribution_id == env.message_id
    assert receipt.credit > 0 and receipt.novel_samples > 0 and not receipt.duplicate
    assert receipt.tree_size == receipt.leaf_index + 1 or receipt.tree_size > receipt.leaf_index
    # The same envelope bytes in a new session (as after a re-handshake) are recognised: the edge
    # answers with the original receipt from its reply cache, and nothing is appended.
    mine = _records_of(cluster, agent.node_id)
    handshakes = agent.transport.handshakes
    agent.transport.forget_sessions()
    again = agent.transport.call_sealed(sealed, env.message_id).envelope.contribution_receipt
    assert again == receipt and agent.transport.handshakes == handshakes + 1
    assert _records_of(cluster, agent.node_id) == mine
    with Client(cluster.coordinator) as c:
        res = c.verified_inclusion(receipt.leaf_index, coordinator_id=coordinator_id)
        assert res.verified and res.provenance_ok and res.record.agent_id == agent.node_id
        assert res.record.credit == receipt.credit
        # the provenance is the agent's own signed envelope, byte for byte
        assert res.record.provenance == sealed
        # wait for the epoch boundary's signed tree head to cover it
        res = eventually(lambda: (r := c.verified_inclusion(receipt.leaf_index, coordinator_id=coordinator_id)).signed_head_size and r, timeout=20)
        assert res.signed_head_size > receipt.leaf_index
        audit = c.audit_ledger(coordinator_id=coordinator_id)
        assert audit.ok, audit.problems
        assert audit.tree_size >= receipt.leaf_index + 1 and audit.heads >= 1
        assert c.ledger_records(receipt.leaf_index, 1)[0].agent_id == agent.node_id
        v = c.valuation([agent.node_id])
        assert v.agents[0].agent_id == agent.node_id and v.agents[0].contributions == 1
        assert v.agents[0].value == pytest.approx(receipt.agent_value)


def test_contribute_digits_convenience(agent, digits):
    receipt, release = agent.contribute_digits(digits[300:400], epsilon=2.0, sequence=2)
    assert receipt.agent_id == agent.node_id and release.records == 100


def test_inference_is_answered(agent, digits):
    def admitted():
        agent.heartbeat()
        try:
            return agent.infer(1, digits[0].pixels)
        except FairwayError as e:
            assert e.code in ("insufficient-tokens", "capacity-exhausted"), e
            assert e.field and e.retry_after_ms > 0
            return None
    reply = eventually(admitted, timeout=30, interval=0.3)
    assert reply.charged == 1 and -1 <= reply.label <= 9


def test_insufficient_tokens_is_typed(agent):
    from fairway import InsufficientTokens
    with pytest.raises(InsufficientTokens) as e:
        agent.infer(10**9)
    assert e.value.code == "insufficient-tokens" and e.value.field == "inference_request.cost"


def test_status_epochs_grants(cluster, agent, coordinator_id, edge_id):
    with Client(cluster.coordinator) as c:
        s = c.status()
        assert s.reporter_id == coordinator_id and s.reporter_role == membership_pb2.NODE_ROLE_CLOUD_COORDINATOR
        roles = {n.node_id: n.role for n in s.nodes}
        assert roles[edge_id] == membership_pb2.NODE_ROLE_EDGE_SERVER
        epochs = eventually(lambda: len(c.epochs(5)) >= 2 and c.epochs(5))
        assert epochs[0].epoch > epochs[1].epoch and all(e.granted <= e.total_tokens for e in epochs)
        grants = eventually(lambda: [g for g in c.grants() if g.node_id == agent.node_id and g.tokens_granted > 0])
        g = grants[0]
        assert g.tokens_remaining == g.tokens_granted - g.tokens_used
    with Client(cluster.edges[0]) as e:
        es = e.status()
        assert es.reporter_id == edge_id and es.reporter_role == membership_pb2.NODE_ROLE_EDGE_SERVER


def test_epoch_announcement_is_received_and_verified(cluster, coordinator_id):
    with EpochSubscriber(cluster.epoch_url, coordinator_id=coordinator_id) as sub:
        a, opened = sub.receive(timeout_ms=15000)
        assert opened.envelope.sender == coordinator_id and opened.signed
        assert a.epoch > 0 and a.next_epoch_at_unix_ms > a.started_at_unix_ms
        b, _ = sub.receive(timeout_ms=15000)
        assert b.epoch >= a.epoch
        assert sub.dropped == 0


def test_subscriber_pinned_to_another_coordinator_drops_everything(cluster):
    from fairway import NoReply
    with EpochSubscriber(cluster.epoch_url, coordinator_id=NodeKey.generate().node_id) as sub:
        with pytest.raises(NoReply):
            sub.receive(timeout_ms=3000)
        assert sub.dropped >= 1 and sub.last_error.field == "envelope.sender"


# --- hostile input: what the Swift daemons answer ----------------------------------------------

def _records_of(cluster, agent_id):
    """How many ledger records the agent has (other agents of the cluster may contribute meanwhile)."""
    with Client(cluster.coordinator) as c:
        return sum(1 for r in c.ledger_records(0, 1000) if r.agent_id == agent_id)


def test_contribution_with_a_wrong_signature_is_refused(cluster, agent, digits, encoder):
    before = _records_of(cluster, agent.node_id)
    env = make_envelope(agent.node_id, "contribution", make_contribution(digits, encoder, 500))
    inner = env.SerializeToString()
    forged = envelope_pb2.SignedEnvelope(envelope=inner, public_key=agent.key.public_key,
                                         signature=NodeKey.generate().sign(SIGNATURE_CONTEXT + inner)).SerializeToString()
    with pytest.raises(Unauthenticated) as e:
        agent.transport.call_sealed(forged, env.message_id)
    assert e.value.code == "unauthenticated" and e.value.field == "signed_envelope.signature" and e.value.remote
    # signed by another key than the session's
    other = NodeKey.generate()
    env = make_envelope(agent.node_id, "contribution", make_contribution(digits, encoder, 500))
    inner = env.SerializeToString()
    foreign = envelope_pb2.SignedEnvelope(envelope=inner, public_key=other.public_key, signature=other.sign(SIGNATURE_CONTEXT + inner)).SerializeToString()
    with pytest.raises(Unauthenticated) as e:
        agent.transport.call_sealed(foreign, env.message_id)
    assert e.value.field == "signed_envelope.public_key"
    # not signed at all: provenance kinds must be
    with pytest.raises(Unauthenticated) as e:
        agent.transport.call("contribution", make_contribution(digits, encoder, 500), sign=False)
    assert e.value.field == "signed_envelope.signature"
    assert _records_of(cluster, agent.node_id) == before


@pytest.mark.parametrize("mutate,field", [
    (lambda c: setattr(c, "epsilon", 50.0), "contribution.epsilon"),
    (lambda c: setattr(c, "delta", 0.5), "contribution.delta"),
    (lambda c: setattr(c, "noise_multiplier", 0.0), "contribution.noise_multiplier"),
    (lambda c: setattr(c.prototypes[3], "count", float("nan")), "contribution.prototypes[3].count"),
    (lambda c: setattr(c.prototypes[2], "count", 1e9), "contribution.prototypes[2].count"),
    (lambda c: c.prototypes[1].image.__setitem__(0, 1000.0), "contribution.prototypes[1].image"),
])
def test_contribution_with_a_bad_field_is_refused(cluster, agent, digits, encoder, mutate, field):
    before = _records_of(cluster, agent.node_id)
    c = make_contribution(digits, encoder, 600)
    mutate(c)
    with pytest.raises(InvalidField) as e:
        agent.contribute(c)
    assert e.value.code == "invalid-field" and e.value.field == field and e.value.remote
    assert _records_of(cluster, agent.node_id) == before


def test_tampered_ciphertext_is_refused_and_the_session_keeps_serving(cluster):
    with RequestClient(cluster.edges[0]) as t:
        t.call("ping", membership_pb2.Ping())
        s = t.session_of()
        m = s.seal(seal_for_session(make_envelope(t.identity.node_id, "ping", membership_pb2.Ping()), t.identity))
        ct = bytearray(m.ciphertext)
        ct[len(ct) // 2] ^= 0x40
        m.ciphertext = bytes(ct)
        reply = decode_frame(t.exchange_raw(session_pb2.Frame(session=m).SerializeToString()), 1 << 22)
        err = frame_error(reply)
        assert err is not None and err.code == "unauthenticated" and err.field == "frame.session.ciphertext"
        # the same session serves on, with no new handshake
        assert t.call("ping", membership_pb2.Ping()).kind == "pong"
        assert t.handshakes == 1 and t.session_of() is s


def test_reused_counter_with_other_content_is_refused(cluster):
    with RequestClient(cluster.coordinator) as t:
        t.call("ping", membership_pb2.Ping())
        s = t.session_of()
        s.next_counter -= 1  # reuse counter 0 for a different request
        with pytest.raises(FairwayError) as e:
            t.call("status_request", membership_pb2.StatusRequest())
        assert e.value.code == "replayed"


def test_unknown_session_is_handled_by_re_handshaking(cluster):
    with RequestClient(cluster.coordinator) as t:
        t.call("ping", membership_pb2.Ping())
        t.session_of().id ^= 0xFFFF  # the server knows no such session now
        reply = t.call("status_request", membership_pb2.StatusRequest())
        assert reply.kind == "status_reply" and t.handshakes == 2


def test_stale_and_replayed_message_ids(cluster):
    with RequestClient(cluster.coordinator) as t:
        with pytest.raises(Stale) as e:
            t.call("ping", membership_pb2.Ping(), sent_at_ms=now_ms() - 10 * 60 * 1000)
        assert e.value.field
        mid = os.urandom(16)
        sent = now_ms()
        first = t.call("ping", membership_pb2.Ping(), message_id=mid, sent_at_ms=sent)
        again = t.call("ping", membership_pb2.Ping(), message_id=mid, sent_at_ms=sent)  # an honest resend: the original reply
        assert again.envelope.message_id == first.envelope.message_id
        with pytest.raises(Replayed):
            t.call("status_request", membership_pb2.StatusRequest(), message_id=mid, sent_at_ms=sent)


def test_unknown_sender_contribution_rejoins(cluster, digits, encoder):
    """An agent the edge does not know: the edge refuses (and remembers refusing) the first id;
    the client joins and sends the contribution again under a fresh id."""
    from fairway import UnknownSender
    with Agent(cluster.edges[0]) as stranger:
        c = make_contribution(digits, encoder, 900)
        with pytest.raises(UnknownSender) as e:
            stranger.transport.call("contribution", c)
        assert e.value.field == "envelope.sender"
        receipt = stranger.contribute(c)
        assert receipt.agent_id == stranger.node_id and stranger.joined is not None


def test_unknown_sender_heartbeat(cluster):
    from fairway import UnknownSender
    with Agent(cluster.edges[0]) as stranger:
        with pytest.raises(UnknownSender):
            stranger.request("heartbeat", membership_pb2.Heartbeat(node_id=stranger.node_id))
        assert stranger.heartbeat().epoch > 0  # Agent.heartbeat joins on unknown-sender and retries


# --- CLI and examples --------------------------------------------------------------------------

EXAMPLES = os.path.join(os.path.dirname(__file__), "..", "..", "examples")


def run(*args, timeout=120):
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=timeout)


def test_cli(cluster, coordinator_id):
    r = run("-m", "fairway", "ping", "--url", cluster.coordinator, "--expect-id", coordinator_id)
    assert r.returncode == 0 and coordinator_id in r.stdout, r.stderr
    r = run("-m", "fairway", "status", "--url", cluster.coordinator, "--json")
    assert r.returncode == 0 and coordinator_id in r.stdout
    r = run("-m", "fairway", "ping", "--url", cluster.coordinator, "--expect-id", NodeKey.generate().node_id)
    assert r.returncode == 1 and "unauthenticated" in r.stderr
    for args in (["epochs", "--limit", "3"], ["grants"], ["valuation"], ["ledger", "--json"], ["proof", "--index", "0", "--json"]):
        r = run("-m", "fairway", *args, "--url", cluster.coordinator)
        assert r.returncode == 0, (args, r.stdout, r.stderr)
    assert '"provenance_ok": true' in r.stdout
    r = run("-m", "fairway", "watch", "--epoch-url", cluster.epoch_url, "--coordinator-id", coordinator_id, "--count", "1", "--json")
    assert r.returncode == 0 and coordinator_id in r.stdout, r.stderr
    r = run("-m", "fairway", "proof", "--index", "100000", "--url", cluster.coordinator)
    assert r.returncode == 1 and r.stderr.startswith("error: ")


@pytest.mark.parametrize("script,args", [
    ("agent_contribute.py", ["--records", "50", "--offset", "700"]),
    ("inference.py", ["--requests", "2"]),
    ("watch_epochs.py", ["--count", "2"]),
    ("cluster_report.py", ["--expect-alive", "3"]),
])
def test_examples(cluster, script, args):
    r = run(os.path.join(EXAMPLES, script), "--cluster-dir", cluster.dir, *args)
    assert r.returncode == 0, f"{script}: {r.stdout}\n{r.stderr}"


def test_example_fails_clearly_without_urls():
    r = run(os.path.join(EXAMPLES, "inference.py"))
    assert r.returncode != 0 and "--edge" in r.stderr


def test_oversized_envelope_and_bad_inference_fields(cluster, agent):
    from fairway import MessageTooLarge
    with pytest.raises(MessageTooLarge) as e:
        agent.infer(1, input=b"x" * (1 << 20))
    assert e.value.field == "envelope" and e.value.remote
    with pytest.raises(InvalidField) as e:
        agent.infer(1, input=b"x" * 70000)
    assert e.value.field == "inference_request.input"
    with pytest.raises(InvalidField) as e:
        agent.infer(1, features=[1.0, float("inf")])
    assert e.value.field == "inference_request.features[1]"
    assert agent.ping().node_id == agent.peer_id  # and the edge serves on


def test_concurrent_calls_share_one_handshake(cluster):
    """Eight threads at once through one client: each call has its own nng context; one of them
    leads the handshake and the others wait for its session."""
    import threading
    errors, replies = [], []
    with RequestClient(cluster.coordinator) as t:
        def work():
            try:
                for _ in range(10):
                    replies.append(t.call("ping", membership_pb2.Ping()).kind)
            except Exception as e:  # noqa: BLE001 - collected and asserted below
                errors.append(e)
        threads = [threading.Thread(target=work) for _ in range(8)]
        for th in threads:
            th.start()
        for th in threads:
            th.join(60)
        assert not errors, errors
        assert replies == ["pong"] * 80 and t.handshakes == 1
        assert t.session_of().sent == 80


def test_ledger_agrees_with_fairwayctl(cluster, agent, digits, encoder):
    """The client's recomputed root, leaf hashes and paths are fairwayctl's (Swift's MerkleTree)."""
    import json as _json
    from fairway.merkle import leaf_hash
    agent.contribute(make_contribution(digits, encoder, 1100, sequence=9))
    with Client(cluster.coordinator) as c:
        audit = c.audit_ledger()
        size = audit.tree_size
        swift = _json.loads(cluster.fairwayctl("ledger", "verify", "--coordinator", cluster.coordinator, "--json").stdout)
        if swift["tree_size"] == size:  # no contribution landed in between
            assert swift["ok"] and swift["root"] == audit.root.hex()
        proof = _json.loads(cluster.fairwayctl("ledger", "proof", "--coordinator", cluster.coordinator, "--index", "0",
                                               "--size", str(size), "--json").stdout)
        mine = c.ledger_proof(0, tree_size=size)
        assert proof["verified"] and proof["leaf_hash"] == leaf_hash(mine.leaf).hex()
        assert proof["path"] == [p.hex() for p in mine.inclusion_path] and proof["root"] == mine.root_hash.hex()
