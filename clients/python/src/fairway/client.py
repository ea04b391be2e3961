"""The high-level API: a ``Client`` of any Fairway node (status, ping, epochs, grants, valuation,
ledger records and verified inclusion proofs) and an ``Agent`` speaking through an edge server
(join, heartbeat, inference, contributions of DP prototypes)."""
from __future__ import annotations

import hashlib
import random
import threading
import time
from dataclasses import dataclass
from typing import List, Optional, Sequence

from fairway._proto import ledger_pb2, membership_pb2, tokens_pb2, valuation_pb2
from fairway.errors import FairwayError, InvalidField, Malformed, Unauthenticated
from fairway.identity import NodeKey
from fairway.merkle import leaf_hash, root as merkle_root, verify_inclusion, verify_tree_head
from fairway.privacy import BudgetExhausted, PrivacyBudget, Release, contribution_of, release_prototypes
from fairway.transport import RequestClient, TransportSettings
from fairway.wire import Opened, make_envelope, open_signed, seal_for_session

VERSION = "0.1.0"
ROLE_NAMES = {0: "unspecified", 1: "cloud-coordinator", 2: "edge-server", 3: "edge-agent"}
STATE_NAMES = {0: "unspecified", 1: "alive", 2: "suspect", 3: "dead"}


def _expect(reply: Opened, kind: str):
    if reply.kind != kind:
        raise Malformed(f"expected {kind}, got {reply.kind}", field="envelope.payload", peer=reply.envelope.sender)
    return reply.payload


@dataclass
class InclusionResult:
    """A verified inclusion proof of one DAT record."""
    index: int
    tree_size: int
    root: bytes
    leaf: bytes
    record: ledger_pb2.DatRecord
    #: The proof checks against the root the reply carries.
    verified: bool
    #: Size of the signed tree head the record was also proven against (0: none covers it yet).
    signed_head_size: int
    #: The record's provenance (the agent's signed contribution envelope) verifies and matches it.
    provenance_ok: bool


@dataclass
class LedgerAudit:
    tree_size: int
    heads: int
    root: bytes
    problems: List[str]

    @property
    def ok(self) -> bool:
        return not self.problems


class Client:
    """Requests to one Fairway node (coordinator or edge server) over wire protocol 2."""

    def __init__(self, url: str, key: Optional[NodeKey] = None, *, expected_node_id: Optional[str] = None,
                 settings: Optional[TransportSettings] = None, timeout_ms: Optional[int] = None):
        settings = settings or TransportSettings()
        if timeout_ms is not None:
            settings.request_timeout_ms = timeout_ms
        self.key = key or NodeKey.generate()
        self.transport = RequestClient(url, self.key, settings, expected_peer=expected_node_id)

    @property
    def url(self) -> str:
        return self.transport.url

    @property
    def node_id(self) -> str:
        """This client's id (the address of its key)."""
        return self.key.node_id

    def request(self, kind: str, payload, **kw) -> Opened:
        """One request of any kind; returns the authenticated reply (errors raised as typed exceptions)."""
        return self.transport.call(kind, payload, **kw)

    def close(self) -> None:
        self.transport.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- any node ------------------------------------------------------------------------------

    def ping(self) -> membership_pb2.Pong:
        return _expect(self.request("ping", membership_pb2.Ping()), "pong")

    def status(self) -> membership_pb2.StatusReply:
        return _expect(self.request("status_request", membership_pb2.StatusRequest()), "status_reply")

    @property
    def peer_id(self) -> Optional[str]:
        """The node id the current session's handshake proved."""
        s = self.transport.session_of()
        return s.peer.node_id if s else None

    # -- coordinator ---------------------------------------------------------------------------

    def epochs(self, limit: int = 0) -> List[tokens_pb2.EpochRecord]:
        """Most recent epochs first (V, Σ grants, allocator)."""
        return list(_expect(self.request("epochs_request", tokens_pb2.EpochsRequest(limit=limit)), "epochs_reply").epochs)

    def grants(self) -> List[membership_pb2.NodeStatus]:
        """Every agent's token account as the coordinator records it (granted, used, remaining)."""
        return [n for n in self.status().nodes if n.role == 3]

    def valuation(self, agent_ids: Sequence[str] = ()) -> valuation_pb2.ValuationReply:
        return _expect(self.request("valuation_request", valuation_pb2.ValuationRequest(agent_ids=list(agent_ids))), "valuation_reply")

    def ledger(self, start: int = 0, limit: int = 0) -> ledger_pb2.LedgerReply:
        """Records [start, start + limit) (0 = 100) and every signed tree head."""
        return _expect(self.request("ledger_request", ledger_pb2.LedgerRequest(start=start, limit=limit)), "ledger_reply")

    def ledger_records(self, start: int = 0, limit: int = 0) -> List[ledger_pb2.DatRecord]:
        """The DAT records [start, start + limit), decoded."""
        out = []
        for leaf in self.ledger(start, limit).leaves:
            r = ledger_pb2.DatRecord()
            r.ParseFromString(leaf)
            out.append(r)
        return out

    def audit_ledger(self, *, coordinator_id: Optional[str] = None) -> "LedgerAudit":
        """Fetches every record and signed tree head and checks them client-side, as
        ``fairwayctl ledger verify`` does: each head is signed by the coordinator (default: the
        session peer) and its root is the Merkle root of that many records (so consecutive heads
        are consistent), and every contribution's provenance is its agent's signed envelope."""
        leaves: List[bytes] = []
        while True:
            reply = self.ledger(start=len(leaves), limit=1000)
            leaves += list(reply.leaves)
            if len(leaves) >= reply.tree_size or not reply.leaves:
                break
        coordinator_id = coordinator_id or self.peer_id or ""
        problems: List[str] = []
        for h in reply.heads:
            if not verify_tree_head(h, coordinator_id):
                problems.append(f"head {h.tree_size}: not signed by {coordinator_id}")
            elif h.tree_size > len(leaves):
                problems.append(f"head {h.tree_size}: beyond the {len(leaves)} records served")
            elif merkle_root(leaves[:h.tree_size]) != h.root_hash:
                problems.append(f"head {h.tree_size}: root does not match the records")
        for i, leaf in enumerate(leaves):
            r = ledger_pb2.DatRecord()
            try:
                r.ParseFromString(leaf)
            except Exception:  # noqa: BLE001 - any parse failure is a problem to report
                problems.append(f"leaf {i}: not a DatRecord")
                continue
            if r.index != i:
                problems.append(f"leaf {i}: records index {r.index}")
            if not provenance_ok(r):
                problems.append(f"leaf {i}: provenance does not verify")
        return LedgerAudit(tree_size=len(leaves), heads=len(reply.heads), root=merkle_root(leaves), problems=problems)

    def ledger_proof(self, index: int, tree_size: int = 0, first_size: int = 0) -> ledger_pb2.LedgerProofReply:
        return _expect(self.request("ledger_proof_request", ledger_pb2.LedgerProofRequest(index=index, tree_size=tree_size,
                                                                                          first_size=first_size)), "ledger_proof_reply")

    def verified_inclusion(self, index: int, *, coordinator_id: Optional[str] = None) -> InclusionResult:
        """Fetches and verifies the inclusion proof of record ``index`` in the current tree, then
        against the newest signed tree head that covers it (signed by ``coordinator_id``, default the
        session peer), and checks the record's provenance. Raises ``Unauthenticated`` when a proof
        or a head does not verify."""
        proof = self.ledger_proof(index)
        if proof.index != index:
            raise Unauthenticated(f"asked for the proof of leaf {index}, got leaf {proof.index}", field="ledger_proof_reply.index")
        if not verify_inclusion(leaf_hash(proof.leaf), proof.index, proof.tree_size, list(proof.inclusion_path), proof.root_hash):
            raise Unauthenticated(f"inclusion proof of leaf {index} in a tree of {proof.tree_size} does not verify", field="ledger_proof_reply.inclusion_path")
        record = ledger_pb2.DatRecord()
        record.ParseFromString(proof.leaf)
        coordinator_id = coordinator_id or self.peer_id
        signed_size = 0
        heads = [h for h in self.ledger(start=0, limit=1).heads if h.tree_size > index]
        if heads:
            head = max(heads, key=lambda h: h.tree_size)
            if not verify_tree_head(head, coordinator_id or ""):
                raise Unauthenticated(f"tree head of size {head.tree_size} is not signed by {coordinator_id}", field="ledger_reply.heads")
            p2 = self.ledger_proof(index, tree_size=head.tree_size)
            if p2.leaf != proof.leaf or not verify_inclusion(leaf_hash(p2.leaf), index, head.tree_size, list(p2.inclusion_path), head.root_hash):
                raise Unauthenticated(f"leaf {index} is not in the signed tree head of size {head.tree_size}", field="ledger_proof_reply")
            signed_size = head.tree_size
        return InclusionResult(index=proof.index, tree_size=proof.tree_size, root=proof.root_hash, leaf=proof.leaf, record=record,
                               verified=True, signed_head_size=signed_size, provenance_ok=provenance_ok(record))


def provenance_ok(record: ledger_pb2.DatRecord) -> bool:
    """Whether a contribution record's provenance is its agent's signed contribution and its
    integrity hash is the provenance's SHA-256 (contract payments, kind 1, carry none)."""
    if record.kind != 0:
        return not record.provenance
    if hashlib.sha256(record.provenance).digest() != record.integrity_hash:
        return False
    try:
        opened = open_signed(record.provenance, archived=True, max_bytes=1 << 24)
    except FairwayError:
        return False
    return opened.envelope.sender == record.agent_id and opened.kind == "contribution"


class Agent(Client):
    """An agent identity speaking through an edge server: join, heartbeat, infer, contribute."""

    def __init__(self, edge_url: str, key: Optional[NodeKey] = None, *, name: str = "", bucket_size: int = 4,
                 budget: Optional[PrivacyBudget] = None, **kw):
        super().__init__(edge_url, key, **kw)
        #: When set, every private release is charged to it before it leaves (refused past it).
        self.budget = budget
        self.name = name or f"py-{self.key.node_id[2:10]}"
        self.bucket_size = bucket_size
        self.joined: Optional[membership_pb2.JoinAccepted] = None
        self._sequence = 0
        self._beats: Optional[threading.Thread] = None
        self._stop = threading.Event()
        #: The last error of the background heartbeat, if its last beat failed.
        self.heartbeat_error: Optional[FairwayError] = None

    def join(self) -> membership_pb2.JoinAccepted:
        """Joins the cluster through the edge (signed: joins carry provenance)."""
        req = membership_pb2.JoinRequest(node_id=self.key.node_id, role=3, address="", version=VERSION,
                                         bucket_size=self.bucket_size, name=self.name, public_key=self.key.public_key)
        self.joined = _expect(self.request("join", req), "join_accepted")
        return self.joined

    def heartbeat(self) -> membership_pb2.HeartbeatAck:
        """One heartbeat; on ``unknown-sender`` (the edge forgot us) joins again and retries once."""
        try:
            return _expect(self.request("heartbeat", membership_pb2.Heartbeat(node_id=self.key.node_id)), "heartbeat_ack")
        except FairwayError as e:
            if e.code != "unknown-sender":
                raise
            self.join()
            return _expect(self.request("heartbeat", membership_pb2.Heartbeat(node_id=self.key.node_id)), "heartbeat_ack")

    def start_heartbeat(self, interval_ms: Optional[int] = None) -> None:
        """Heartbeats in a background thread every ``interval_ms`` (default: the interval the
        join set), re-joining when the edge forgot this agent, as edge-agent does. The edge
        forgets agents silent for ``agent_expiry_misses`` (5) intervals."""
        if self._beats is not None:
            return
        if self.joined is None:
            self.join()
        interval = (interval_ms or self.joined.heartbeat_interval_ms or 1000) / 1000
        self._stop.clear()

        def run():
            while not self._stop.wait(interval):
                try:
                    self.heartbeat()
                    self.heartbeat_error = None
                except FairwayError as e:
                    self.heartbeat_error = e
        self._beats = threading.Thread(target=run, name=f"heartbeat-{self.key.node_id[:10]}", daemon=True)
        self._beats.start()

    def stop_heartbeat(self) -> None:
        if self._beats is not None:
            self._stop.set()
            self._beats.join()
            self._beats = None

    def close(self) -> None:
        self.stop_heartbeat()
        super().close()

    def infer(self, cost: int = 1, features: Optional[Sequence[float]] = None, input: bytes = b"") -> tokens_pb2.InferenceReply:
        """One inference request costing ``cost`` tokens (``features``: 64 pixels of a digit for a prediction)."""
        req = tokens_pb2.InferenceRequest(cost=cost, input=input, features=list(features or []))
        return _expect(self.request("inference_request", req), "inference_reply")

    def contribute(self, contribution: valuation_pb2.Contribution, *, attempts: int = 5) -> valuation_pb2.ContributionReceipt:
        """Sends a contribution (signed: it becomes the ledger leaf's provenance) and returns its
        receipt. It is sealed once: retries after no reply or a transient refusal resend the same
        bytes (same message id), so it is never counted twice. On ``unknown-sender`` (the edge
        forgot this agent) it joins again and sends the contribution under a fresh message id:
        the edge remembers its refusal of the first id, and a refused request changed nothing."""
        env = make_envelope(self.key.node_id, "contribution", contribution)
        sealed = seal_for_session(env, self.key)
        rejoined = False
        for attempt in range(attempts):
            try:
                return _expect(self.transport.call_sealed(sealed, env.message_id), "contribution_receipt")
            except FairwayError as e:
                if e.code == "unknown-sender" and e.remote and not rejoined and attempt < attempts - 1:
                    rejoined = True
                    self.join()
                    env = make_envelope(self.key.node_id, "contribution", contribution)
                    sealed = seal_for_session(env, self.key)
                    continue
                if e.code not in ("no-reply", "unavailable") or attempt == attempts - 1:
                    raise
                time.sleep(max(e.retry_after_ms, 200) / 1000)
        raise AssertionError("unreachable")

    def contribute_release(self, release: Release, sequence: Optional[int] = None) -> valuation_pb2.ContributionReceipt:
        """Contributes ``release``, first charging its noise multiplier to ``budget`` if one is set
        (a release past the budget raises ``InvalidField`` at ``privacy.budget_epsilon``, as
        edge-agent refuses it, and nothing is sent)."""
        if self.budget is not None and release.mode == "multimodal":
            try:
                self.budget.charge(release.noise_multiplier)
            except BudgetExhausted as e:
                raise InvalidField(e.message, field=e.field) from None
        if sequence is None:
            self._sequence += 1
            sequence = self._sequence
        return self.contribute(contribution_of(release, sequence))

    def contribute_digits(self, records, *, epsilon: float = 1.0, delta: float = 1e-6, clip: float = 1.0, mode: str = "multimodal",
                          sequence: Optional[int] = None, rng: Optional[random.Random] = None):
        """Embeds ``records`` (``embedding.DigitRecord``s) with the built-in encoders, releases their DP
        prototypes on this machine, contributes them and returns ``(receipt, release)``."""
        from fairway.embedding import DigitsEncoder, embed_records
        enc = DigitsEncoder.builtin()
        release = release_prototypes(embed_records(records, enc), enc.anchors(), mode=mode, epsilon=epsilon, delta=delta,
                                     clip=clip, rng=rng)
        return self.contribute_release(release, sequence), release
