"""The session layer's byte-level rules (SessionCipher.swift, SessionFrame.swift, ReplayWindow.swift)."""
import struct

import pytest
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

from fairway._proto import envelope_pb2, error_pb2, session_pb2
from fairway.errors import Malformed, MessageTooLarge, Replayed, Unauthenticated, UnsupportedVersion
from fairway.session import (WINDOW_SIZE, ClientSession, PeerIdentity, ReplayWindow, SessionKeys, associated_data, decode_frame,
                             frame_error, nonce, open_message, seal)

KEY = bytes(range(32))


def test_nonce_and_associated_data_layout():
    assert nonce(1) == b"\x00\x00\x00\x00" + struct.pack("<Q", 1)
    assert nonce(0x0102030405060708) == bytes([0, 0, 0, 0, 8, 7, 6, 5, 4, 3, 2, 1])
    assert associated_data(0xAABB, 5) == b"fairway/2/session" + struct.pack(">QQ", 0xAABB, 5)


def test_seal_is_chacha20poly1305_with_that_nonce_and_ad():
    m = seal(b"hello", KEY, 42, 3)
    assert (m.session_id, m.counter) == (42, 3)
    expected = ChaCha20Poly1305(KEY).encrypt(b"\0\0\0\0" + struct.pack("<Q", 3), b"hello", b"fairway/2/session" + struct.pack(">QQ", 42, 3))
    assert m.ciphertext == expected and len(m.ciphertext) == 5 + 16
    assert open_message(m, KEY) == b"hello"


@pytest.mark.parametrize("change", ["ciphertext", "counter", "session", "key"])
def test_tampering_is_unauthenticated(change):
    m = seal(b"hello world", KEY, 42, 3)
    key = KEY
    if change == "ciphertext":
        ct = bytearray(m.ciphertext)
        ct[0] ^= 1
        m.ciphertext = bytes(ct)
    elif change == "counter":
        m.counter = 4
    elif change == "session":
        m.session_id = 43
    else:
        key = bytes(32)
    with pytest.raises(Unauthenticated) as e:
        open_message(m, key)
    assert e.value.field == "frame.session.ciphertext"


def test_frame_round_trips():
    first = seal(b"x", KEY, 9, 0)
    frames = [
        session_pb2.Frame(handshake_init=session_pb2.HandshakeInit(noise=bytes(32))),
        session_pb2.Frame(handshake_response=session_pb2.HandshakeResponse(handshake_id=9, noise=bytes(96))),
        session_pb2.Frame(handshake_finish=session_pb2.HandshakeFinish(handshake_id=9, noise=bytes(64), first=first)),
        session_pb2.Frame(session=seal(b"y", KEY, 9, 1)),
        session_pb2.Frame(error=error_pb2.ErrorReply(code=16, message="no such session", field="frame.session.session_id")),
    ]
    for f in frames:
        data = f.SerializeToString()
        assert decode_frame(data, 1 << 20) == f
    err = frame_error(decode_frame(frames[-1].SerializeToString(), 1 << 20))
    assert err.code == "unknown-session" and err.field == "frame.session.session_id" and err.remote


def test_frame_fields_start_at_16():
    f = session_pb2.Frame(handshake_init=session_pb2.HandshakeInit(noise=bytes(32)))
    assert f.SerializeToString()[:2] == b"\x82\x01"  # field 16, wire type 2


@pytest.mark.parametrize("frame,field", [
    (session_pb2.Frame(handshake_init=session_pb2.HandshakeInit(noise=bytes(31))), "frame.handshake_init.noise"),
    (session_pb2.Frame(handshake_response=session_pb2.HandshakeResponse(handshake_id=1, noise=bytes(47))), "frame.handshake_response.noise"),
    (session_pb2.Frame(handshake_response=session_pb2.HandshakeResponse(handshake_id=1, noise=bytes(1025))), "frame.handshake_response.noise"),
    (session_pb2.Frame(handshake_finish=session_pb2.HandshakeFinish(handshake_id=1, noise=bytes(64))), "frame.handshake_finish.first"),
    (session_pb2.Frame(handshake_finish=session_pb2.HandshakeFinish(handshake_id=1, noise=bytes(64), first=seal(b"", KEY, 2, 0))),
     "frame.handshake_finish.first.session_id"),
    (session_pb2.Frame(session=session_pb2.SessionMessage(session_id=1, counter=0, ciphertext=bytes(15))), "frame.session.ciphertext"),
    (session_pb2.Frame(session=session_pb2.SessionMessage(session_id=1, counter=2**64 - 1, ciphertext=bytes(16))), "frame.session.counter"),
    (session_pb2.Frame(), "frame.kind"),
])
def test_malformed_frames(frame, field):
    with pytest.raises(Malformed) as e:
        decode_frame(frame.SerializeToString(), 1 << 20)
    assert e.value.field == field


def test_garbage_and_size():
    with pytest.raises(Malformed):
        decode_frame(b"\xff\xff\xff\xff", 1 << 20)
    with pytest.raises(MessageTooLarge):
        decode_frame(bytes(100), 99)


def test_version1_signed_envelope_is_recognised():
    old = envelope_pb2.SignedEnvelope(envelope=b"\x08\x01", public_key=bytes(32), signature=bytes(64)).SerializeToString()
    with pytest.raises(UnsupportedVersion):
        decode_frame(old, 1 << 20)


def test_replay_window():
    w = ReplayWindow()
    assert w.mark(0) == "fresh" and w.mark(0) == "seen"
    assert w.mark(5) == "fresh" and w.mark(3) == "fresh" and w.mark(3) == "seen"
    assert w.mark(5 + WINDOW_SIZE) == "fresh"
    # top is now 2054: counters down to top - 2048 = 6 are in the window, 5 is too old
    assert w.check(6) == "fresh" and w.check(5) == "too-old"
    assert w.mark(6) == "fresh" and w.check(6) == "seen" and w.mark(5) == "too-old"


def test_client_session_refuses_replayed_or_foreign_replies():
    keys = SessionKeys(send=KEY, receive=bytes(reversed(KEY)))
    s = ClientSession(77, PeerIdentity(bytes(32)), keys)
    assert s.seal(b"a").counter == 0 and s.seal(b"b").counter == 1
    reply = seal(b"r", keys.receive, 77, 0)
    assert s.open(reply) == b"r"
    with pytest.raises(Replayed):
        s.open(reply)
    with pytest.raises(Unauthenticated):
        s.open(seal(b"r", keys.receive, 78, 1))
    forged = seal(b"r", bytes(32), 77, 1)
    with pytest.raises(Unauthenticated):
        s.open(forged)
    # the forged counter was not marked: the genuine message 1 still opens
    assert s.open(seal(b"r1", keys.receive, 77, 1)) == b"r1"
