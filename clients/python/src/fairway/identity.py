"""Node identities: an Ed25519 key whose address is the node id.

``address(pk) = "fw" + lowercase hex(SHA-256(pk)[:20])`` (Sources/FairwayWire/Identity/NodeAddress.swift).
Key files are one line of hex (the 32-byte Ed25519 seed), mode 0600, exactly as the daemons
keep ``node.key`` (Sources/FairwayRuntime/Identity/NodeKeyFile.swift), so a key made here can be
listed in an ``admission.allowed_keys`` and read by ``fairwayctl identity --key-file``.
"""
from __future__ import annotations

import hashlib
import os
import re
import stat

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

PUBLIC_KEY_LENGTH = 32
PRIVATE_KEY_LENGTH = 32
SIGNATURE_LENGTH = 64
ADDRESS_PREFIX = "fw"
ADDRESS_DIGEST_BYTES = 20
_ADDRESS = re.compile(r"^fw[0-9a-f]{40}$")


def node_address(public_key: bytes) -> str:
    """The node id (and DAT address) of an Ed25519 public key."""
    return ADDRESS_PREFIX + hashlib.sha256(bytes(public_key)).digest()[:ADDRESS_DIGEST_BYTES].hex()


def is_address(node_id: str) -> bool:
    """Whether ``node_id`` has the shape of an address (it may still belong to no key)."""
    return bool(_ADDRESS.match(node_id))


def verify_signature(public_key: bytes, signature: bytes, message: bytes) -> bool:
    """Whether ``signature`` is ``public_key``'s Ed25519 signature over ``message`` (RFC 8032)."""
    if len(public_key) != PUBLIC_KEY_LENGTH or len(signature) != SIGNATURE_LENGTH:
        return False
    try:
        Ed25519PublicKey.from_public_bytes(bytes(public_key)).verify(bytes(signature), bytes(message))
        return True
    except (InvalidSignature, ValueError):
        return False


class NodeKey:
    """An Ed25519 key pair and its address."""

    def __init__(self, private_key: Ed25519PrivateKey):
        self._key = private_key
        self.public_key: bytes = private_key.public_key().public_bytes(
            encoding=serialization.Encoding.Raw, format=serialization.PublicFormat.Raw)
        self.node_id: str = node_address(self.public_key)

    @classmethod
    def generate(cls) -> "NodeKey":
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def from_seed(cls, seed: bytes) -> "NodeKey":
        if len(seed) != PRIVATE_KEY_LENGTH:
            raise ValueError(f"an Ed25519 private key is {PRIVATE_KEY_LENGTH} bytes, got {len(seed)}")
        return cls(Ed25519PrivateKey.from_private_bytes(bytes(seed)))

    @property
    def seed(self) -> bytes:
        return self._key.private_bytes(encoding=serialization.Encoding.Raw, format=serialization.PrivateFormat.Raw,
                                       encryption_algorithm=serialization.NoEncryption())

    def sign(self, message: bytes) -> bytes:
        """Signs ``message`` (already domain-tagged by the caller)."""
        return self._key.sign(bytes(message))

    @classmethod
    def load(cls, path: str) -> "NodeKey":
        """Loads a key file; refuses one readable by group or others, as the daemons do."""
        st = os.stat(path)
        if st.st_mode & 0o077:
            raise PermissionError(f"{path} has mode {oct(stat.S_IMODE(st.st_mode))}; a node key must not be readable "
                                  f"by group or others (chmod 600 {path})")
        with open(path, encoding="utf-8") as f:
            text = f.read().strip()
        try:
            raw = bytes.fromhex(text)
        except ValueError:
            raw = b""
        if len(raw) != PRIVATE_KEY_LENGTH:
            raise ValueError(f"{path} does not hold a 64-hex-digit Ed25519 private key")
        return cls.from_seed(raw)

    def save(self, path: str) -> None:
        """Writes the key file with mode 0600; never overwrites an existing file."""
        d = os.path.dirname(path)
        if d:
            os.makedirs(d, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(self.seed.hex() + "\n")
            f.flush()
            os.fsync(f.fileno())

    @classmethod
    def load_or_create(cls, path: str) -> "NodeKey":
        if os.path.exists(path):
            return cls.load(path)
        key = cls.generate()
        try:
            key.save(path)
        except FileExistsError:
            return cls.load(path)
        return key

    def __repr__(self) -> str:
        return f"NodeKey({self.node_id})"
