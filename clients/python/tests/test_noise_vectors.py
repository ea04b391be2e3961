"""The published Noise vectors of Tests/Reference/noise-vectors.json through the `noiseprotocol`
library the client's handshake uses, then Fairway's own handshake (bindings, split keys,
session AEAD) against a responder written here from the specification's roles."""
import warnings

import pytest
from noise.connection import Keypair, NoiseConnection

from conftest import reference
from fairway import NodeKey
from fairway.errors import Unauthenticated
from fairway.session import (NOISE_NAME, PROLOGUE, ClientSession, InitiatorHandshake, StaticKey, encode_binding, open_message,
                             seal, verify_binding)

VECTORS = reference("noise-vectors.json")["vectors"]


def _party(v, side):
    c = NoiseConnection.from_name(v["protocol_name"].encode())
    (c.set_as_initiator if side == "init" else c.set_as_responder)()
    c.set_prologue(bytes.fromhex(v[f"{side}_prologue"]))
    if v.get(f"{side}_static"):
        c.set_keypair_from_private_bytes(Keypair.STATIC, bytes.fromhex(v[f"{side}_static"]))
    c.set_keypair_from_private_bytes(Keypair.EPHEMERAL, bytes.fromhex(v[f"{side}_ephemeral"]))
    if v.get(f"{side}_remote_static"):
        c.set_keypair_from_public_bytes(Keypair.REMOTE_STATIC, bytes.fromhex(v[f"{side}_remote_static"]))
    psks = v.get(f"{side}_psks") or []
    if psks:
        c.set_psks(psks=[bytes.fromhex(p) for p in psks])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # fixed ephemerals are for tests only: noiseprotocol warns
        c.start_handshake()
    return c


@pytest.mark.parametrize("v", VECTORS, ids=[v["id"] for v in VECTORS])
def test_published_vector(v):
    init, resp = _party(v, "init"), _party(v, "resp")
    sender, receiver = init, resp
    for i, m in enumerate(v["messages"]):
        payload, expected = bytes.fromhex(m["payload"]), bytes.fromhex(m["ciphertext"])
        if not (init.handshake_finished and resp.handshake_finished):
            ct = bytes(sender.write_message(payload))
            assert ct == expected, f"message {i}"
            assert bytes(receiver.read_message(ct)) == payload
        else:
            ct = sender.encrypt(payload)
            assert ct == expected, f"transport message {i}"
            assert receiver.decrypt(ct) == payload
        sender, receiver = receiver, sender
    if v.get("handshake_hash"):
        assert init.get_handshake_hash().hex() == v["handshake_hash"]
        assert resp.get_handshake_hash().hex() == v["handshake_hash"]


class Responder:
    """A Fairway server's side of the handshake (ResponderHandshake in SessionHandshake.swift)."""

    def __init__(self, key: NodeKey, binding=None):
        self.static = StaticKey(key)
        self.binding = self.static.binding if binding is None else binding
        self.c = NoiseConnection.from_name(NOISE_NAME)
        self.c.set_as_responder()
        self.c.set_prologue(PROLOGUE)
        self.c.set_keypair_from_private_bytes(Keypair.STATIC, self.static.private_bytes)
        self.c.start_handshake()

    def respond(self, m1):
        self.c.read_message(m1)
        return bytes(self.c.write_message(self.binding))

    def finish(self, m3):
        hs = self.c.noise_protocol.handshake_state  # the library drops it once the handshake completes
        payload = bytes(self.c.read_message(m3))
        rs = bytes(hs.rs.public_bytes)
        peer = verify_binding(payload, rs, "frame.handshake_finish.binding")
        p = self.c.noise_protocol
        return peer, bytes(p.cipher_state_encrypt.k), bytes(p.cipher_state_decrypt.k)


def test_fairway_handshake_binds_identities_and_splits_keys():
    client_key, server_key = NodeKey.generate(), NodeKey.generate()
    ini = InitiatorHandshake(StaticKey(client_key))
    server = Responder(server_key)
    m1 = ini.start()
    assert len(m1) == 32  # XX message 1 is the bare ephemeral key: empty payload
    m3, peer, keys = ini.finish(server.respond(m1))
    assert peer.public_key == server_key.public_key and peer.node_id == server_key.node_id
    client_peer, server_send, server_receive = server.finish(m3)
    assert client_peer.node_id == client_key.node_id
    # initiator -> responder uses the first key of Split().
    assert keys.send == server_receive and keys.receive == server_send
    session = ClientSession(7, peer, keys)
    m = session.seal(b"request")
    assert open_message(m, server_receive) == b"request"
    reply = seal(b"reply", server_send, 7, 0)
    assert session.open(reply) == b"reply"


def test_binding_over_another_static_key_is_refused():
    server_key = NodeKey.generate()
    other_static = StaticKey(server_key)
    server = Responder(server_key, binding=encode_binding(server_key, other_static.public_bytes))
    ini = InitiatorHandshake(StaticKey(NodeKey.generate()))
    with pytest.raises(Unauthenticated) as e:
        ini.finish(server.respond(ini.start()))
    assert e.value.field == "frame.handshake_response.binding.identity_sig"


def test_binding_that_is_not_protobuf_is_refused():
    server = Responder(NodeKey.generate(), binding=b"\xff\xff\xff")
    ini = InitiatorHandshake(StaticKey(NodeKey.generate()))
    with pytest.raises(Unauthenticated) as e:
        ini.finish(server.respond(ini.start()))
    assert e.value.field.startswith("frame.handshake_response.binding")


def test_wrong_prologue_fails_message2():
    server = Responder(NodeKey.generate())
    server.c = NoiseConnection.from_name(NOISE_NAME)
    server.c.set_as_responder()
    server.c.set_prologue(b"fairway/1")
    server.c.set_keypair_from_private_bytes(Keypair.STATIC, server.static.private_bytes)
    server.c.start_handshake()
    ini = InitiatorHandshake(StaticKey(NodeKey.generate()))
    with pytest.raises(Unauthenticated) as e:
        ini.finish(server.respond(ini.start()))
    assert e.value.field == "frame.handshake_response.noise"
