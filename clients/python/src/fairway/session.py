"""Wire protocol 2's session layer, as Sources/FairwayWire/Session/*.swift defines it.

* Handshake: ``Noise_XX_25519_ChaChaPoly_SHA256`` (revision 34), prologue ``b"fairway/2"``, run by
  the ``noiseprotocol`` package. Message 1 carries nothing; message 2 carries the responder's
  ``IdentityBinding`` and message 3 the initiator's: an Ed25519 identity key and its signature over
  ``b"fairway-noise-static-key:" + x25519_static_public_key``.
* Transport: each request and reply is a ``SessionMessage`` (session id, explicit counter,
  ChaCha20-Poly1305 ciphertext under the direction key from Split(); initiator -> responder
  uses the first key). Nonce = 4 zero bytes + counter as 64-bit little-endian (Noise's layout);
  associated data = ``b"fairway/2/session" + session_id (8 bytes BE) + counter (8 bytes BE)``.
* Replies are checked against a sliding window of 2048 counters, marked only after the tag verified.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Optional, Tuple

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from google.protobuf.message import DecodeError
from noise.connection import Keypair, NoiseConnection

from fairway._proto import envelope_pb2, session_pb2
from fairway.errors import FairwayError, InternalError, Malformed, MessageTooLarge, Replayed, Unauthenticated, UnsupportedVersion, from_wire
from fairway.identity import NodeKey, PUBLIC_KEY_LENGTH, node_address, verify_signature

NOISE_NAME = b"Noise_XX_25519_ChaChaPoly_SHA256"
PROLOGUE = b"fairway/2"
BINDING_TAG = b"fairway-noise-static-key:"
AD_TAG = b"fairway/2/session"
MAX_HANDSHAKE_BYTES = 1024
TAG_LENGTH = 16
COUNTER_RESERVED = (1 << 64) - 1
WINDOW_SIZE = 2048


# --- identity binding -----------------------------------------------------------------------

@dataclass(frozen=True)
class PeerIdentity:
    """A session peer as the handshake proved it: its Ed25519 key and that key's address."""
    public_key: bytes

    @property
    def node_id(self) -> str:
        return node_address(self.public_key)


def encode_binding(key: NodeKey, static_public_key: bytes) -> bytes:
    """The handshake payload binding ``key`` to the X25519 ``static_public_key``."""
    return session_pb2.IdentityBinding(identity_key=key.public_key,
                                       identity_sig=key.sign(BINDING_TAG + bytes(static_public_key))).SerializeToString()


def verify_binding(payload: bytes, remote_static: bytes, field: str) -> PeerIdentity:
    """Checks that ``payload`` binds an identity to the static key the handshake delivered."""
    b = session_pb2.IdentityBinding()
    try:
        b.ParseFromString(bytes(payload))
    except DecodeError:
        raise Unauthenticated("handshake payload is not an IdentityBinding", field=field)
    if len(b.identity_key) != PUBLIC_KEY_LENGTH:
        raise Unauthenticated(f"identity key must be {PUBLIC_KEY_LENGTH} bytes, got {len(b.identity_key)}", field=field + ".identity_key")
    if not verify_signature(b.identity_key, b.identity_sig, BINDING_TAG + bytes(remote_static)):
        raise Unauthenticated(f"identity signature of {node_address(b.identity_key)} does not bind the static key this handshake carried",
                              field=field + ".identity_sig", peer=node_address(b.identity_key))
    return PeerIdentity(bytes(b.identity_key))


# --- AEAD -----------------------------------------------------------------------------------

def associated_data(session_id: int, counter: int) -> bytes:
    return AD_TAG + session_id.to_bytes(8, "big") + counter.to_bytes(8, "big")


def nonce(counter: int) -> bytes:
    return b"\x00" * 4 + counter.to_bytes(8, "little")


def seal(plaintext: bytes, key: bytes, session_id: int, counter: int) -> session_pb2.SessionMessage:
    """Encrypts ``plaintext`` as message ``counter`` of ``session_id`` (SessionCipher.seal)."""
    if counter >= COUNTER_RESERVED:
        raise ValueError("counter 2^64-1 is reserved")
    ct = ChaCha20Poly1305(bytes(key)).encrypt(nonce(counter), bytes(plaintext), associated_data(session_id, counter))
    return session_pb2.SessionMessage(session_id=session_id, counter=counter, ciphertext=ct)


def open_message(message: session_pb2.SessionMessage, key: bytes) -> bytes:
    """Decrypts and authenticates ``message`` (SessionCipher.open); ``Unauthenticated`` if the tag fails."""
    try:
        return ChaCha20Poly1305(bytes(key)).decrypt(nonce(message.counter), bytes(message.ciphertext),
                                                    associated_data(message.session_id, message.counter))
    except InvalidTag:
        raise Unauthenticated(f"AEAD tag of message {message.counter} in session {message.session_id:016x} does not verify",
                              field="frame.session.ciphertext")


class ReplayWindow:
    """RFC 6479 sliding window of ``WINDOW_SIZE`` counters (ReplayWindow.swift)."""

    def __init__(self) -> None:
        self.top = 0  # highest counter marked + 1 (0: none)
        self._seen = set()

    def check(self, counter: int) -> str:
        if counter >= self.top:
            return "fresh"
        if self.top - counter > WINDOW_SIZE:
            return "too-old"
        return "seen" if counter in self._seen else "fresh"

    def mark(self, counter: int) -> str:
        verdict = self.check(counter)
        if verdict != "fresh":
            return verdict
        if counter >= self.top:
            self.top = counter + 1
            floor = self.top - WINDOW_SIZE
            if len(self._seen) > 2 * WINDOW_SIZE:
                self._seen = {c for c in self._seen if c >= floor}
        self._seen.add(counter)
        return "fresh"


# --- frames ---------------------------------------------------------------------------------

def _check_message(m: session_pb2.SessionMessage, field: str) -> None:
    if m.counter == COUNTER_RESERVED:
        raise Malformed("counter 2^64-1 is reserved", field=field + ".counter")
    if len(m.ciphertext) < TAG_LENGTH:
        raise Malformed(f"ciphertext of {len(m.ciphertext)} bytes is shorter than its 16-byte tag", field=field + ".ciphertext")


def _check_handshake(noise: bytes, field: str) -> None:
    if not 48 <= len(noise) <= MAX_HANDSHAKE_BYTES:
        raise Malformed(f"handshake message of {len(noise)} bytes; expected 48-{MAX_HANDSHAKE_BYTES}", field=field)


def is_version1(data: bytes) -> bool:
    """Whether ``data`` is a protocol-1 SignedEnvelope (fields 1-3) rather than a frame (fields from 16)."""
    old = envelope_pb2.SignedEnvelope()
    try:
        old.ParseFromString(data)
    except DecodeError:
        return False
    return bool(old.envelope) and len(old.public_key) == 32 and len(old.signature) == 64


def decode_frame(data: bytes, max_bytes: int, peer: str = "") -> session_pb2.Frame:
    """Decodes and bounds-checks a frame (SessionFrame.decode). An ``error`` frame is returned
    as is (its code is checked): the caller decides what to do with it."""
    if len(data) > max_bytes:
        raise MessageTooLarge(f"frame is {len(data)} bytes, limit is {max_bytes}", field="frame", peer=peer)
    f = session_pb2.Frame()
    try:
        f.ParseFromString(bytes(data))
    except DecodeError:
        raise Malformed(f"not a valid fairway.v1.Frame protobuf ({len(data)} bytes)", field="frame", peer=peer)
    kind = f.WhichOneof("kind")
    if kind == "handshake_init":
        if len(f.handshake_init.noise) != 32:
            raise Malformed(f"XX message 1 is a 32-byte ephemeral key, got {len(f.handshake_init.noise)} bytes",
                            field="frame.handshake_init.noise", peer=peer)
    elif kind == "handshake_response":
        _check_handshake(f.handshake_response.noise, "frame.handshake_response.noise")
    elif kind == "handshake_finish":
        m = f.handshake_finish
        _check_handshake(m.noise, "frame.handshake_finish.noise")
        if not m.HasField("first"):
            raise Malformed("message 3 carries no first request", field="frame.handshake_finish.first", peer=peer)
        _check_message(m.first, "frame.handshake_finish.first")
        if m.first.session_id != m.handshake_id:
            raise Malformed(f"first request is for session {m.first.session_id}, not {m.handshake_id}",
                            field="frame.handshake_finish.first.session_id", peer=peer)
    elif kind == "session":
        _check_message(f.session, "frame.session")
    elif kind == "error":
        e = from_wire(f.error, peer=peer)
        if not e.remote:  # the error frame itself is malformed
            raise Malformed(e.message, field="frame." + e.field, peer=peer)
    else:
        if is_version1(data):
            raise UnsupportedVersion(f"{peer or 'the peer'} answered in wire protocol 1 (a signed envelope); this client speaks 2: upgrade the server",
                                     field="frame", peer=peer)
        raise Malformed("frame carries no kind", field="frame.kind", peer=peer)
    return f


def frame_error(f: session_pb2.Frame, peer: str = "") -> Optional[FairwayError]:
    """The refusal an ``error`` frame carries (unauthenticated: outside any session)."""
    if f.WhichOneof("kind") == "error":
        return from_wire(f.error, peer=peer)
    return None


# --- handshake ------------------------------------------------------------------------------

@dataclass(frozen=True)
class SessionKeys:
    send: bytes
    receive: bytes


class StaticKey:
    """This process's X25519 static key for one identity (never stored), and its binding."""

    def __init__(self, identity: NodeKey, private_bytes: Optional[bytes] = None):
        priv = X25519PrivateKey.from_private_bytes(private_bytes) if private_bytes else X25519PrivateKey.generate()
        self.private_bytes = priv.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
        self.public_bytes = priv.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        self.identity = identity
        self.binding = encode_binding(identity, self.public_bytes)


class InitiatorHandshake:
    """The client side of the XX handshake (InitiatorHandshake in SessionHandshake.swift)."""

    def __init__(self, static: StaticKey, *, binding: Optional[bytes] = None, ephemeral: Optional[bytes] = None):
        self.static = static
        self.binding = static.binding if binding is None else binding
        self.noise = NoiseConnection.from_name(NOISE_NAME)
        self.noise.set_as_initiator()
        self.noise.set_prologue(PROLOGUE)
        self.noise.set_keypair_from_private_bytes(Keypair.STATIC, static.private_bytes)
        if ephemeral is not None:  # tests only
            self.noise.set_keypair_from_private_bytes(Keypair.EPHEMERAL, ephemeral)
        self.noise.start_handshake()

    def start(self) -> bytes:
        """Message 1 (-> e)."""
        return bytes(self.noise.write_message(b""))

    def finish(self, response: bytes) -> Tuple[bytes, PeerIdentity, SessionKeys]:
        """Reads message 2, checks the responder's binding, writes message 3 and splits."""
        try:
            payload = bytes(self.noise.read_message(bytes(response)))
            remote_static = bytes(self.noise.noise_protocol.handshake_state.rs.public_bytes)
        except Exception as e:  # noise raises several types (InvalidTag, NoiseInvalidMessage, ...)
            raise Unauthenticated(f"handshake message 2 refused: {e!r}", field="frame.handshake_response.noise")
        peer = verify_binding(payload, remote_static, "frame.handshake_response.binding")
        try:
            message3 = bytes(self.noise.write_message(self.binding))
        except Exception as e:
            raise InternalError(f"handshake message 3: {e!r}", field="frame.handshake_finish.noise")
        if not self.noise.handshake_finished:
            raise InternalError("handshake did not finish after message 3", field="frame.handshake_finish.noise")
        proto = self.noise.noise_protocol
        keys = SessionKeys(send=bytes(proto.cipher_state_encrypt.k), receive=bytes(proto.cipher_state_decrypt.k))
        return message3, peer, keys


class ClientSession:
    """One established session seen from the initiator (ClientSession in ClientSessions.swift)."""

    def __init__(self, session_id: int, peer: PeerIdentity, keys: SessionKeys):
        self.id = session_id
        self.peer = peer
        self.keys = keys
        self.established = time.monotonic()
        self.next_counter = 0
        self.window = ReplayWindow()
        self._lock = threading.Lock()

    @property
    def sent(self) -> int:
        return self.next_counter

    def seal(self, plaintext: bytes) -> session_pb2.SessionMessage:
        """Encrypts the next request under a fresh counter."""
        with self._lock:
            counter = self.next_counter
            self.next_counter += 1
        return seal(plaintext, self.keys.send, self.id, counter)

    def open(self, message: session_pb2.SessionMessage) -> bytes:
        """Authenticates a reply: session id, window, tag (the window is marked only after the tag verified)."""
        if message.session_id != self.id:
            raise Unauthenticated(f"reply is for session {message.session_id:016x}, not {self.id:016x}", field="frame.session.session_id")
        with self._lock:
            verdict = self.window.check(message.counter)
        if verdict != "fresh":
            raise Replayed(f"reply counter {message.counter} of session {self.id:016x} already seen or too old", field="frame.session.counter")
        plaintext = open_message(message, self.keys.receive)
        with self._lock:
            verdict = self.window.mark(message.counter)
        if verdict != "fresh":
            raise Replayed(f"reply counter {message.counter} of session {self.id:016x} already seen", field="frame.session.counter")
        return plaintext
