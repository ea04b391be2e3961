"""Envelopes and their sealing (Sources/FairwayWire/WireCodec.swift, Identity/SignedEnvelopeCodec.swift,
Session/SessionPlaintext.swift).

* ``Envelope``: protocol_version 2, a 16-byte random message id (the idempotency key), the
  sender's node id, its clock in ms, ``in_reply_to`` for replies, one payload.
* ``SignedEnvelope``: the exact envelope bytes and, when signed, the sender's Ed25519 public key
  and a signature over ``b"fairway/v1/envelope" + b"\\x00" + envelope_bytes``.
* Inside a session only the provenance kinds are signed (``PROVENANCE_KINDS``); publications are
  always signed.
"""
from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass
from typing import Optional

from google.protobuf.message import DecodeError, Message

from fairway._proto import envelope_pb2
from fairway.errors import FairwayError, Malformed, MessageTooLarge, Unauthenticated, UnsupportedVersion, from_wire
from fairway.identity import NodeKey, PUBLIC_KEY_LENGTH, SIGNATURE_LENGTH, node_address, verify_signature

PROTOCOL_VERSION = 2
MESSAGE_ID_LENGTH = 16
SIGNATURE_CONTEXT = b"fairway/v1/envelope\x00"
DEFAULT_MAX_MESSAGE_BYTES = 1 << 20

#: Kinds (Envelope payload field names) that keep the sender's signature inside a session
#: (Payload.Kind.carriesProvenance in SessionPlaintext.swift).
PROVENANCE_KINDS = frozenset({
    "join", "contribution", "contribution_batch", "usage_report", "grant_request", "contract_selection",
    "module_upload", "cloud_inference_request",
})


def new_message_id() -> bytes:
    """16 bytes from the OS CSPRNG: a fresh idempotency key."""
    return os.urandom(MESSAGE_ID_LENGTH)


def now_ms() -> int:
    return int(time.time() * 1000)


def make_envelope(sender: str, kind: str, payload: Message, *, message_id: Optional[bytes] = None,
                  sent_at_ms: Optional[int] = None) -> envelope_pb2.Envelope:
    """An Envelope of ``kind`` (the payload field name, e.g. ``"status_request"``)."""
    env = envelope_pb2.Envelope(protocol_version=PROTOCOL_VERSION, message_id=message_id or new_message_id(),
                                sender=sender, sent_at_unix_ms=now_ms() if sent_at_ms is None else sent_at_ms)
    getattr(env, kind).CopyFrom(payload)
    return env


def kind_of(envelope: envelope_pb2.Envelope) -> Optional[str]:
    return envelope.WhichOneof("payload")


def sign_envelope(envelope_bytes: bytes, key: NodeKey) -> bytes:
    """A signed SignedEnvelope over the exact ``envelope_bytes`` (WireCodec.seal)."""
    return envelope_pb2.SignedEnvelope(envelope=envelope_bytes, public_key=key.public_key,
                                       signature=key.sign(SIGNATURE_CONTEXT + envelope_bytes)).SerializeToString()


def seal_for_session(envelope: envelope_pb2.Envelope, key: NodeKey, *, sign: Optional[bool] = None) -> bytes:
    """The plaintext of a session message (WireCodec.sealForSession): signed by ``key`` when the
    kind carries provenance (or ``sign`` says so), otherwise only the envelope field."""
    if envelope.sender != key.node_id:
        raise ValueError(f"envelope sender {envelope.sender} is not the signing key's address {key.node_id}")
    inner = envelope.SerializeToString()
    if sign is None:
        sign = kind_of(envelope) in PROVENANCE_KINDS
    if sign:
        return sign_envelope(inner, key)
    return envelope_pb2.SignedEnvelope(envelope=inner).SerializeToString()


@dataclass
class Opened:
    """An authenticated envelope: the decoded message, its exact bytes and, when signed, the key."""
    envelope: envelope_pb2.Envelope
    envelope_bytes: bytes
    public_key: bytes
    signed: bool
    sealed: bytes

    @property
    def kind(self) -> Optional[str]:
        return kind_of(self.envelope)

    @property
    def payload(self) -> Message:
        return getattr(self.envelope, self.kind)

    @property
    def digest(self) -> bytes:
        return hashlib.sha256(self.envelope_bytes).digest()


def decode_envelope(inner: bytes, *, max_bytes: int = DEFAULT_MAX_MESSAGE_BYTES, peer: str = "",
                    archived: bool = False) -> envelope_pb2.Envelope:
    """Parses and checks an Envelope's header (Envelope(wire:) in Envelope+Wire.swift)."""
    if len(inner) > max_bytes:
        raise MessageTooLarge(f"envelope is {len(inner)} bytes, limit is {max_bytes}", field="envelope", peer=peer)
    env = envelope_pb2.Envelope()
    try:
        env.ParseFromString(inner)
    except DecodeError as e:
        raise Malformed(f"not a valid fairway.v1.Envelope protobuf ({len(inner)} bytes): {e}", field="envelope", peer=peer)
    if env.protocol_version != PROTOCOL_VERSION and not (archived and env.protocol_version == 1):
        raise UnsupportedVersion(f"protocol version {env.protocol_version} is not supported; this client speaks {PROTOCOL_VERSION}",
                                 field="envelope.protocol_version", peer=peer)
    if len(env.message_id) != MESSAGE_ID_LENGTH:
        raise Malformed(f"message id must be {MESSAGE_ID_LENGTH} bytes, got {len(env.message_id)}", field="envelope.message_id", peer=peer)
    if env.sent_at_unix_ms < 0:
        raise Malformed(f"send time must be >= 0 ms, got {env.sent_at_unix_ms}", field="envelope.sent_at_unix_ms", peer=peer)
    if env.in_reply_to and len(env.in_reply_to) != MESSAGE_ID_LENGTH:
        raise Malformed(f"in_reply_to must be {MESSAGE_ID_LENGTH} bytes", field="envelope.in_reply_to", peer=peer)
    if env.WhichOneof("payload") is None:
        raise Malformed("envelope carries no payload", field="envelope.payload", peer=peer)
    return env


def open_from_session(plaintext: bytes, peer_public_key: bytes, *, max_bytes: int = DEFAULT_MAX_MESSAGE_BYTES,
                      peer: str = "") -> Opened:
    """Opens the plaintext of a session message from the peer whose key the handshake proved
    (WireCodec.openFromSession): a signature, when present, must be the peer's over the exact
    envelope bytes; the sender must be the peer; provenance kinds must be signed."""
    peer_id = node_address(peer_public_key)
    outer = envelope_pb2.SignedEnvelope()
    try:
        outer.ParseFromString(plaintext)
    except DecodeError:
        raise Malformed(f"session plaintext is not a fairway.v1.SignedEnvelope ({len(plaintext)} bytes)",
                        field="signed_envelope", peer=peer)
    inner = outer.envelope
    signed = bool(outer.signature) or bool(outer.public_key)
    if signed:
        if outer.public_key != peer_public_key:
            raise Unauthenticated(f"signed by another key than the session peer {peer_id}'s", field="signed_envelope.public_key", peer=peer)
        if not verify_signature(peer_public_key, outer.signature, SIGNATURE_CONTEXT + inner):
            raise Unauthenticated(f"signature does not verify for {peer_id}", field="signed_envelope.signature", peer=peer)
    env = decode_envelope(inner, max_bytes=max_bytes, peer=peer)
    if env.sender != peer_id:
        raise Unauthenticated(f"sender {env.sender} is not the session peer {peer_id}", field="envelope.sender", peer=peer)
    if not signed and kind_of(env) in PROVENANCE_KINDS:
        raise Unauthenticated(f"{kind_of(env)} must carry its sender's signature (provenance)", field="signed_envelope.signature", peer=peer)
    return Opened(envelope=env, envelope_bytes=inner, public_key=bytes(peer_public_key), signed=signed, sealed=bytes(plaintext))


def open_signed(sealed: bytes, *, max_bytes: int = DEFAULT_MAX_MESSAGE_BYTES, archived: bool = False, peer: str = "") -> Opened:
    """Verifies and decodes a signed envelope (WireCodec.open): publications, ledger provenance.
    Checks the size, the Ed25519 signature over the exact inner bytes, the envelope, and that
    the sender is the address of the signing key."""
    if len(sealed) > max_bytes:
        raise MessageTooLarge(f"message is {len(sealed)} bytes, limit is {max_bytes}", field="signed_envelope", peer=peer)
    outer = envelope_pb2.SignedEnvelope()
    try:
        outer.ParseFromString(sealed)
    except DecodeError as e:
        raise Malformed(f"not a valid fairway.v1.SignedEnvelope protobuf ({len(sealed)} bytes): {e}", field="signed_envelope", peer=peer)
    pk, sig, inner = outer.public_key, outer.signature, outer.envelope
    if len(pk) != PUBLIC_KEY_LENGTH:
        raise Unauthenticated(f"public key must be {PUBLIC_KEY_LENGTH} bytes, got {len(pk)}", field="signed_envelope.public_key", peer=peer)
    if len(sig) != SIGNATURE_LENGTH:
        raise Unauthenticated(f"signature must be {SIGNATURE_LENGTH} bytes, got {len(sig)}", field="signed_envelope.signature", peer=peer)
    if not verify_signature(pk, sig, SIGNATURE_CONTEXT + inner):
        raise Unauthenticated(f"signature does not verify for public key {pk[:8].hex()}...", field="signed_envelope.signature", peer=peer)
    env = decode_envelope(inner, max_bytes=max_bytes, peer=peer, archived=archived)
    address = node_address(pk)
    if env.sender != address:
        raise Unauthenticated(f"sender {env.sender} is not the address of the signing key ({address})", field="envelope.sender", peer=peer)
    return Opened(envelope=env, envelope_bytes=inner, public_key=bytes(pk), signed=True, sealed=bytes(sealed))


def reply_error(opened: Opened, peer: str = "") -> Optional[FairwayError]:
    """The typed error an ``error`` reply carries, or None."""
    if opened.kind == "error":
        return from_wire(opened.envelope.error, peer=peer or opened.envelope.sender)
    return None
