"""Envelopes, signatures and typed errors (WireCodec.swift, SignedEnvelopeCodec.swift, SessionPlaintext.swift)."""
import hashlib

import pytest

from fairway import NodeKey, node_address
from fairway._proto import envelope_pb2, error_pb2, membership_pb2, valuation_pb2
from fairway.errors import (ERROR_CLASSES, FairwayError, InsufficientTokens, InvalidField, Malformed, UnknownSession, error_for,
                            from_wire, to_wire)
from fairway.errors import Unauthenticated, UnsupportedVersion
from fairway.identity import verify_signature
from fairway.wire import (PROVENANCE_KINDS, SIGNATURE_CONTEXT, make_envelope, open_from_session, open_signed, seal_for_session)


def test_address_is_fw_and_sha256_prefix():
    key = NodeKey.from_seed(bytes(32))
    assert key.node_id == "fw" + hashlib.sha256(key.public_key).hexdigest()[:40]
    assert node_address(key.public_key) == key.node_id and len(key.node_id) == 42


def test_key_file_round_trip(tmp_path):
    p = tmp_path / "k" / "node.key"
    key = NodeKey.load_or_create(str(p))
    assert (p.stat().st_mode & 0o777) == 0o600
    assert p.read_text() == key.seed.hex() + "\n"
    assert NodeKey.load(str(p)).node_id == key.node_id
    p.chmod(0o644)
    with pytest.raises(PermissionError):
        NodeKey.load(str(p))


def test_provenance_kinds_are_swifts():
    assert PROVENANCE_KINDS == {"join", "contribution", "contribution_batch", "usage_report", "grant_request",
                                "contract_selection", "module_upload", "cloud_inference_request"}
    fields = envelope_pb2.Envelope.DESCRIPTOR.oneofs_by_name["payload"].fields
    assert PROVENANCE_KINDS <= {f.name for f in fields}


def test_provenance_kind_is_signed_over_tag_zero_and_exact_bytes():
    key = NodeKey.generate()
    env = make_envelope(key.node_id, "contribution", valuation_pb2.Contribution(sequence=1))
    sealed = envelope_pb2.SignedEnvelope()
    sealed.ParseFromString(seal_for_session(env, key))
    assert sealed.envelope == env.SerializeToString() and sealed.public_key == key.public_key
    assert verify_signature(key.public_key, sealed.signature, b"fairway/v1/envelope\x00" + sealed.envelope)
    assert SIGNATURE_CONTEXT == b"fairway/v1/envelope\x00"
    assert env.protocol_version == 2 and len(env.message_id) == 16


def test_other_kinds_carry_only_the_envelope():
    key = NodeKey.generate()
    env = make_envelope(key.node_id, "status_request", membership_pb2.StatusRequest())
    inner = env.SerializeToString()
    assert seal_for_session(env, key) == b"\x0a" + bytes([len(inner)]) + inner  # as sealForSession writes it


def test_fresh_message_ids():
    key = NodeKey.generate()
    ids = {make_envelope(key.node_id, "ping", membership_pb2.Ping()).message_id for _ in range(100)}
    assert len(ids) == 100


def _reply(peer: NodeKey, kind="pong", sign=False, sender=None, **over):
    env = make_envelope(sender or peer.node_id, kind, membership_pb2.Pong(node_id=peer.node_id) if kind == "pong" else valuation_pb2.Contribution())
    for k, v in over.items():
        setattr(env, k, v)
    inner = env.SerializeToString()
    if sign:
        return envelope_pb2.SignedEnvelope(envelope=inner, public_key=peer.public_key, signature=peer.sign(SIGNATURE_CONTEXT + inner)).SerializeToString()
    return envelope_pb2.SignedEnvelope(envelope=inner).SerializeToString()


def test_open_from_session_checks():
    peer, other = NodeKey.generate(), NodeKey.generate()
    assert open_from_session(_reply(peer), peer.public_key).kind == "pong"
    assert open_from_session(_reply(peer, sign=True), peer.public_key).signed
    with pytest.raises(Unauthenticated) as e:
        open_from_session(_reply(peer, sender=other.node_id), peer.public_key)
    assert e.value.field == "envelope.sender"
    with pytest.raises(Unauthenticated) as e:
        open_from_session(_reply(other, sign=True), peer.public_key)
    assert e.value.field == "signed_envelope.public_key"
    with pytest.raises(Unauthenticated) as e:
        open_from_session(_reply(peer, kind="contribution"), peer.public_key)
    assert e.value.field == "signed_envelope.signature"
    with pytest.raises(UnsupportedVersion):
        open_from_session(_reply(peer, protocol_version=1), peer.public_key)
    with pytest.raises(Malformed) as e:
        open_from_session(_reply(peer, message_id=b"short"), peer.public_key)
    assert e.value.field == "envelope.message_id"


def test_open_signed_checks_signature_and_sender():
    peer, other = NodeKey.generate(), NodeKey.generate()
    assert open_signed(_reply(peer, sign=True)).envelope.sender == peer.node_id
    with pytest.raises(Unauthenticated):
        open_signed(_reply(peer))  # unsigned
    forged = envelope_pb2.SignedEnvelope()
    forged.ParseFromString(_reply(peer, sign=True))
    forged.envelope = forged.envelope + b"\x00"
    with pytest.raises((Unauthenticated, Malformed)):
        open_signed(forged.SerializeToString())
    with pytest.raises(Unauthenticated) as e:
        open_signed(_reply(other, sign=True, sender=peer.node_id))
    assert e.value.field == "envelope.sender"


def test_typed_errors_from_the_wire():
    e = from_wire(error_pb2.ErrorReply(code=13, message="needs 1 token", field="inference_request.cost", retry_after_ms=250), peer="fwx")
    assert isinstance(e, InsufficientTokens) and isinstance(e, FairwayError)
    assert (e.code, e.field, e.message, e.retry_after_ms, e.peer, e.remote) == ("insufficient-tokens", "inference_request.cost", "needs 1 token", 250, "fwx", True)
    assert "insufficient-tokens [inference_request.cost]" in str(e)
    assert isinstance(from_wire(error_pb2.ErrorReply(code=16)), UnknownSession)
    assert isinstance(from_wire(error_pb2.ErrorReply(code=5)), InvalidField)
    bad = from_wire(error_pb2.ErrorReply(code=99))
    assert isinstance(bad, Malformed) and bad.field == "error.code"
    assert from_wire(error_pb2.ErrorReply(code=7, retry_after_ms=-1)).field == "error.retry_after_ms"
    for code, cls in ERROR_CLASSES.items():
        err = error_for(code, "m", field="f", retry_after_ms=3)
        assert type(err) is cls and err.code == code
        if code != "no-reply":
            back = from_wire(to_wire(err))
            assert (type(back), back.field, back.retry_after_ms) == (cls, "f", 3)
