"""The DAT ledger's Merkle log: RFC 6962 / RFC 9162 (Certificate Transparency) over SHA-256, as
Sources/FairwayCore/Ledger/MerkleTree.swift implements it, and the coordinator's signed tree heads.

leaf hash = SHA-256(0x00 || data); node hash = SHA-256(0x01 || left || right); the root of the
empty tree is SHA-256(""). Inclusion and consistency proofs are verified with the RFC 9162
§2.1.3.2 / §2.1.4.2 algorithms.
"""
from __future__ import annotations

import hashlib
from typing import List, Sequence

from fairway.identity import node_address, verify_signature

TREE_HEAD_TAG = b"fairway/v1/tree-head\x00"


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + bytes(data)).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + bytes(left) + bytes(right)).digest()


def _split(n: int) -> int:
    """The largest power of two strictly smaller than n (n >= 2)."""
    k = 1
    while k << 1 < n:
        k <<= 1
    return k


def root_of_hashes(hashes: Sequence[bytes]) -> bytes:
    """MTH over leaf hashes."""
    n = len(hashes)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return hashes[0]
    k = _split(n)
    return node_hash(root_of_hashes(hashes[:k]), root_of_hashes(hashes[k:]))


def root(leaves: Sequence[bytes]) -> bytes:
    """MTH(D[n]) of leaf data."""
    return root_of_hashes([leaf_hash(d) for d in leaves])


def inclusion_path(index: int, leaves: Sequence[bytes]) -> List[bytes]:
    """PATH(m, D[n]) (RFC 6962 §2.1.1), leaf level first."""
    hashes = [leaf_hash(d) for d in leaves]

    def path(m: int, hs: Sequence[bytes]) -> List[bytes]:
        if len(hs) <= 1:
            return []
        k = _split(len(hs))
        if m < k:
            return path(m, hs[:k]) + [root_of_hashes(hs[k:])]
        return path(m - k, hs[k:]) + [root_of_hashes(hs[:k])]

    if not 0 <= index < len(hashes):
        raise ValueError(f"index {index} outside a tree of {len(hashes)} leaves")
    return path(index, hashes)


def consistency_proof(size1: int, leaves: Sequence[bytes]) -> List[bytes]:
    """PROOF(m, D[n]) (RFC 6962 §2.1.2); empty for size1 = 0 or size1 = n."""
    hashes = [leaf_hash(d) for d in leaves]

    def sub(m: int, hs: Sequence[bytes], b: bool) -> List[bytes]:
        n = len(hs)
        if m == n:
            return [] if b else [root_of_hashes(hs)]
        k = _split(n)
        if m <= k:
            return sub(m, hs[:k], b) + [root_of_hashes(hs[k:])]
        return sub(m - k, hs[k:], False) + [root_of_hashes(hs[:k])]

    if size1 == 0 or size1 == len(hashes):
        return []
    return sub(size1, hashes, True)


def verify_inclusion(leaf_hash_: bytes, index: int, size: int, path: Sequence[bytes], root_: bytes) -> bool:
    """RFC 9162 §2.1.3.2: whether ``path`` proves leaf ``index`` is in the tree of ``size`` leaves."""
    if not 0 <= index < size:
        return False
    fn, sn = index, size - 1
    r = bytes(leaf_hash_)
    for p in path:
        if sn == 0:
            return False
        if fn & 1 == 1 or fn == sn:
            r = node_hash(p, r)
            if fn & 1 == 0:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == bytes(root_)


def verify_consistency(size1: int, size2: int, root1: bytes, root2: bytes, proof: Sequence[bytes]) -> bool:
    """RFC 9162 §2.1.4.2 (size1 = 0 accepted with an empty proof; size1 = size2 needs equal roots)."""
    if not 0 <= size1 <= size2:
        return False
    if size1 == 0:
        return len(proof) == 0
    if size1 == size2:
        return len(proof) == 0 and bytes(root1) == bytes(root2)
    if not proof:
        return False
    path = [bytes(p) for p in proof]
    if size1 & (size1 - 1) == 0:
        path.insert(0, bytes(root1))
    fn, sn = size1 - 1, size2 - 1
    while fn & 1 == 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 == 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if fn & 1 == 0:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == bytes(root1) and sr == bytes(root2) and sn == 0


def tree_head_message(tree_size: int, timestamp_unix_ms: int, epoch: int, root_hash: bytes) -> bytes:
    """What the coordinator signs: tag || size || timestamp (two's complement) || epoch (8 bytes BE each) || root."""
    return (TREE_HEAD_TAG + tree_size.to_bytes(8, "big") + timestamp_unix_ms.to_bytes(8, "big", signed=True)
            + epoch.to_bytes(8, "big") + bytes(root_hash))


def verify_tree_head(head, coordinator_id: str = "") -> bool:
    """Whether a ``ledger_pb2.SignedTreeHead`` is signed by its key (and that key is ``coordinator_id``'s, if given)."""
    if coordinator_id and node_address(head.public_key) != coordinator_id:
        return False
    return verify_signature(head.public_key, head.signature,
                            tree_head_message(head.tree_size, head.timestamp_unix_ms, head.epoch, head.root_hash))
