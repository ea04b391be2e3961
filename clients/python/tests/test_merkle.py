"""The DAT ledger's Merkle log against Tests/Reference/merkle-log.json (RFC 6962 / 9162)."""
import hashlib

import pytest

from conftest import reference
from fairway import NodeKey
from fairway._proto import ledger_pb2
from fairway.merkle import (consistency_proof, inclusion_path, leaf_hash, root, root_of_hashes, tree_head_message, verify_consistency,
                            verify_inclusion, verify_tree_head)

REF = reference("merkle-log.json")
H = bytes.fromhex


def test_published_tree():
    t = REF["published_tree"]
    leaves = [H(l["data"]) for l in t["leaves"]]
    for l in t["leaves"]:
        assert leaf_hash(H(l["data"])).hex() == l["leaf_hash"]
    for r in t["roots"]:
        assert root(leaves[:r["size"]]).hex() == r["root"]
    for p in t["inclusion"]:
        assert [x.hex() for x in inclusion_path(p["index"], leaves[:p["size"]])] == p["proof"]
        assert verify_inclusion(H(p["leaf_hash"]), p["index"], p["size"], [H(x) for x in p["proof"]], H(p["root"]))
    for p in t["consistency"]:
        assert [x.hex() for x in consistency_proof(p["size1"], leaves[:p["size2"]])] == p["proof"]
        assert verify_consistency(p["size1"], p["size2"], H(p["root1"]), H(p["root2"]), [H(x) for x in p["proof"]])


def test_generated_1000():
    g = REF["generated_1000"]
    data = [hashlib.sha256(str(i).encode()).digest() for i in range(g["num_leaves"])]
    for l in g["first_leaves"]:
        assert data[l["index"]].hex() == l["data"]
    hashes = [leaf_hash(d) for d in data]
    for r in g["roots"]:
        assert root_of_hashes(hashes[:r["size"]]).hex() == r["root"]
    for p in g["inclusion"]:
        assert verify_inclusion(H(p["leaf_hash"]), p["index"], p["size"], [H(x) for x in p["proof"]], H(p["root"]))
    for p in g["consistency"]:
        assert verify_consistency(p["size1"], p["size2"], H(p["root1"]), H(p["root2"]), [H(x) for x in p["proof"]])


def test_rolling_digests_over_every_proof_of_130_leaves():
    d = REF["rolling_digests"]
    data = [bytes([i]) for i in range(130)]
    roots = {n: root(data[:n]) for n in range(131)}
    text = "".join(f"{n} {roots[n].hex()}\n" for n in range(131))
    assert hashlib.sha256(text.encode()).hexdigest() == d["roots_digest"]["value"]
    lines = []
    for size in range(1, 131):
        for index in range(size):
            path = inclusion_path(index, data[:size])
            assert verify_inclusion(leaf_hash(data[index]), index, size, path, roots[size])
            lines.append(f"{index} {size}" + "".join(" " + p.hex() for p in path) + "\n")
    assert hashlib.sha256("".join(lines).encode()).hexdigest() == d["inclusion_digest"]["value"]
    lines = []
    for size2 in range(1, 131):
        for size1 in range(1, size2 + 1):
            proof = consistency_proof(size1, data[:size2])
            assert verify_consistency(size1, size2, roots[size1], roots[size2], proof)
            lines.append(f"{size1} {size2}" + "".join(" " + p.hex() for p in proof) + "\n")
    assert hashlib.sha256("".join(lines).encode()).hexdigest() == d["consistency_digest"]["value"]


@pytest.mark.parametrize("case", REF["negative"] + REF["accepted_variants"]["cases"], ids=lambda c: f"{c['kind']}: {c['desc']}")
def test_negative_and_accepted_variants(case):
    proof = [H(x) for x in case["proof"]]
    if case["kind"] == "inclusion":
        got = verify_inclusion(H(case["leaf_hash"]), case["index"], case["size"], proof, H(case["root"]))
    else:
        got = verify_consistency(case["size1"], case["size2"], H(case["root1"]), H(case["root2"]), proof)
    assert got == case["valid"]


def test_signed_tree_head():
    key = NodeKey.generate()
    r = root([b"a", b"b"])
    msg = tree_head_message(2, 1700000000000, 5, r)
    assert msg == b"fairway/v1/tree-head\x00" + (2).to_bytes(8, "big") + (1700000000000).to_bytes(8, "big") + (5).to_bytes(8, "big") + r
    head = ledger_pb2.SignedTreeHead(tree_size=2, root_hash=r, timestamp_unix_ms=1700000000000, epoch=5, signature=key.sign(msg),
                                     public_key=key.public_key)
    assert verify_tree_head(head, key.node_id)
    assert not verify_tree_head(head, NodeKey.generate().node_id)
    head.epoch = 6
    assert not verify_tree_head(head)
