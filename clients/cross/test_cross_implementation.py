"""Cross-implementation test (issue 13, acceptance 3): the same messages, built by the Swift, the
Python and the C code, read identically by the other two, field by field; and hostile
contributions (a wrong signature, a bad field) refused the same way.

Readers:
  Swift   `fairway-lab wire-json --type T FILE`: swift-protobuf's proto3 JSON (.proto names) and
          the verdict of Fairway's own decoder;
  Python  the client's generated modules (`fairway._proto`), `MessageToDict(preserving_proto_field_name=True)`,
          and the path=value dump of clients/c/tests/wire_dump_reference.py (run as a script: it
          generates its own modules from proto/ with protoc);
  C       `fairway-wire-dump decode T FILE` (protobuf-c).

Corpus, all made during the run:
  C-made       `fairway-wire-dump encode-examples DIR` and the hostile contributions
               `fairway-agent-example --hostile-only --hostile-dump DIR` sends to a live edge;
  Python-made  requests built by the client's own code paths (Agent.join, heartbeat, contribute
               with DP prototypes, infer with 64 features, status, ledger proof, ping, epochs,
               valuation), a SignedEnvelope signed by a test key, frames (handshake_init,
               handshake_finish, session) captured from a live session, and its hostile
               contributions;
  Swift-made   `fairway-fuzz --write-seeds DIR` (Sources/fairway-fuzz/SeedCorpus.swift), the committed
               Tests/Fuzz/regressions seeds and frames, and replies of the live daemons captured
               by the Python client (decrypted SignedEnvelope plaintexts and reply frames).

Environment: FAIRWAY_BIN (default <repo>/.build/debug). Missing binaries fail the tests.
"""
import base64
import glob
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
BIN = os.environ.get("FAIRWAY_BIN") or os.path.join(REPO, ".build", "debug")
CDIR = os.path.join(REPO, "clients", "c")
CBUILD = os.path.join(CDIR, "build")
REFERENCE_SCRIPT = os.path.join(CDIR, "tests", "wire_dump_reference.py")
DIGITS = os.path.join(REPO, "data", "uci-digits-8x8.csv")
SWIFT_BINARIES = ("fairway-lab", "fairway-fuzz", "fairwayctl", "cloud-coordinator", "edge-server")
C_BINARIES = ("fairway-wire-dump", "fairway-agent-example")

sys.path.insert(0, os.path.join(REPO, "clients", "python", "src"))  # the client, if not installed

# The Python client package (`fairway`). The reference dump script is only *run* (as its own
# process): its loader rebinds sys.modules["fairway"] to protoc output, which would shadow the client
# here. Its pure `dump` function is imported by path, under another module name.
from google.protobuf.descriptor import FieldDescriptor as FD  # noqa: E402
from google.protobuf.json_format import MessageToDict  # noqa: E402

from fairway import Agent, Client, FairwayError, NodeKey  # noqa: E402
from fairway import client as fw_client_mod  # noqa: E402
from fairway import transport as fw_transport_mod  # noqa: E402
from fairway._proto import envelope_pb2, membership_pb2, session_pb2, tokens_pb2, valuation_pb2  # noqa: E402
from fairway.embedding import DigitsEncoder, embed_records, load_digits  # noqa: E402
from fairway.privacy import contribution_of, release_prototypes  # noqa: E402
from fairway.session import ClientSession, InitiatorHandshake, PeerIdentity, SessionKeys, StaticKey  # noqa: E402
from fairway.wire import PROVENANCE_KINDS, SIGNATURE_CONTEXT, make_envelope, seal_for_session, sign_envelope  # noqa: E402


def _import_reference():
    import importlib.util
    spec = importlib.util.spec_from_file_location("fw_wire_dump_reference", REFERENCE_SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


REF = _import_reference()
PY_TYPES = {"envelope": envelope_pb2.Envelope, "signed-envelope": envelope_pb2.SignedEnvelope, "frame": session_pb2.Frame}
ORIGINS = ("Swift", "Python", "C")
READERS = ("Swift", "Python", "C")


# --- corpus ------------------------------------------------------------------------------------

@dataclass
class Item:
    origin: str           # Swift | Python | C
    name: str
    type: str             # envelope | signed-envelope | frame
    path: str
    #: What the builder put in: a Python message (Python-made), the builder's dump lines (C-made),
    #: or None (Swift-made: Swift's own reading stands for its intent).
    intent: Any = None
    # readings
    swift: Optional[dict] = None          # the wire-json line
    py_dict: Optional[dict] = None
    py_lines: Optional[List[str]] = None  # the reference script's dump
    c_lines: Optional[List[str]] = None
    c_rc: int = 0
    agree: Dict[str, bool] = field(default_factory=dict)
    problems: List[str] = field(default_factory=list)


class Corpus:
    def __init__(self, root: str):
        self.root = root
        self.items: List[Item] = []
        self._n = 0

    def add(self, origin: str, name: str, typ: str, data: bytes, intent=None, with_inner: bool = True) -> Item:
        self._n += 1
        d = os.path.join(self.root, origin)
        os.makedirs(d, exist_ok=True)
        safe = re.sub(r"[^A-Za-z0-9_.-]", "_", name)
        path = os.path.join(d, f"{self._n:04d}-{safe}.bin")
        with open(path, "wb") as f:
            f.write(data)
        item = Item(origin, name, typ, path, intent)
        self.items.append(item)
        if typ == "signed-envelope" and with_inner:
            # the envelope inside, as a message of its own
            outer = envelope_pb2.SignedEnvelope()
            outer.ParseFromString(data)
            if outer.envelope:
                inner_intent = intent[1] if isinstance(intent, tuple) else None
                self.add(origin, name + ".envelope", "envelope", outer.envelope, inner_intent, with_inner=False)
        return item

    def add_file(self, origin: str, name: str, typ: str, path: str, intent=None) -> Item:
        with open(path, "rb") as f:
            return self.add(origin, name, typ, f.read(), intent)


def _run(args, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, text=True, timeout=kw.pop("timeout", 120), **kw)


# --- JSON (Swift's reading) -> dump lines, walked with the descriptors ------------------------

def json_lines(descriptor, obj: dict, prefix: str = "", out: Optional[List[str]] = None) -> List[str]:
    """The path=value dump (clients/c/README.md, "Output format of decode") of a proto3 JSON object."""
    out = [] if out is None else out
    known = {fd.name for fd in descriptor.fields}
    unknown = set(obj) - known
    if unknown:
        raise AssertionError(f"JSON names no field of {descriptor.full_name}: {sorted(unknown)}")
    for fd in sorted(descriptor.fields, key=lambda f: f.number):
        if fd.name not in obj:
            continue
        v = obj[fd.name]
        path = (prefix + "." if prefix else "") + fd.name
        if fd.label == FD.LABEL_REPEATED:
            for i, x in enumerate(v):
                _json_value(fd, x, "%s[%d]" % (path, i), out)
        else:
            _json_value(fd, v, path, out)
    return out


def _json_double(v) -> float:
    if isinstance(v, str):
        return {"NaN": float("nan"), "Infinity": float("inf"), "-Infinity": float("-inf")}.get(v, None) or float(v)
    return float(v)


def _json_value(fd, v, path: str, out: List[str]) -> None:
    if fd.type == FD.TYPE_MESSAGE:
        before = len(out)
        json_lines(fd.message_type, v, path, out)
        if len(out) == before:
            out.append(path + "={}")
        return
    if fd.type in (FD.TYPE_DOUBLE, FD.TYPE_FLOAT):
        s = REF.shortest(_json_double(v))
    elif fd.type == FD.TYPE_BOOL:
        s = "true" if v else "false"
    elif fd.type == FD.TYPE_ENUM:
        s = v if isinstance(v, str) else str(v)
    elif fd.type == FD.TYPE_STRING:
        s = REF.quote(v)
    elif fd.type == FD.TYPE_BYTES:
        s = base64.b64decode(v).hex()
    else:
        s = str(int(v))
    out.append(path + "=" + s)


def py_dump(msg) -> List[str]:
    lines: List[str] = []
    REF.dump(msg, "", lines)
    return lines


def to_dict(msg) -> dict:
    return MessageToDict(msg, preserving_proto_field_name=True)


def same(a, b) -> bool:
    """Exact equality of parsed JSON values (floats compared exactly; NaN is the string "NaN" in both)."""
    if isinstance(a, float) or isinstance(b, float):
        return (isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool) and not isinstance(b, bool)
                and float(a) == float(b) and math.copysign(1, a) == math.copysign(1, b))  # -0.0 is not 0.0
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return type(a) == type(b) and a == b


def first_difference(a, b, path="") -> str:
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                return f"{path}.{k}: only in {'first' if k in a else 'second'}"
            if not same(a[k], b[k]):
                return first_difference(a[k], b[k], f"{path}.{k}")
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} vs {len(b)} elements"
        for i, (x, y) in enumerate(zip(a, b)):
            if not same(x, y):
                return first_difference(x, y, f"{path}[{i}]")
    return f"{path}: {a!r} vs {b!r}"


def line_difference(a: List[str], b: List[str]) -> str:
    for i, (x, y) in enumerate(zip(a + ["<end>"] * 3, b + ["<end>"] * 3)):
        if x != y:
            return f"line {i}: {x!r} vs {y!r}"
    return "equal"


# --- fixtures: binaries, C build, a live cluster -----------------------------------------------

@pytest.fixture(scope="session")
def binaries():
    missing = [b for b in SWIFT_BINARIES if not os.access(os.path.join(BIN, b), os.X_OK)]
    if missing:
        pytest.fail(f"missing Swift binaries in {BIN}: {', '.join(missing)} (set FAIRWAY_BIN)")
    r = _run(["make", "-s", "-C", CDIR, "all"], timeout=300)
    if r.returncode != 0:
        pytest.fail(f"make -C clients/c failed:\n{r.stdout[-2000:]}\n{r.stderr[-2000:]}")
    missing = [b for b in C_BINARIES if not os.access(os.path.join(CBUILD, b), os.X_OK)]
    if missing:
        pytest.fail(f"missing C tools in {CBUILD}: {', '.join(missing)}")
    if not shutil.which("protoc"):
        pytest.fail("protoc not found: clients/c/tests/wire_dump_reference.py needs it")
    return BIN


@pytest.fixture(scope="session")
def workdir():
    d = tempfile.mkdtemp(prefix="fw-cross-")
    yield d
    if os.environ.get("FAIRWAY_KEEP_CROSS") != "1":
        shutil.rmtree(d, ignore_errors=True)


@dataclass
class Cluster:
    dir: str
    coordinator: str
    edge: str
    edge_id: str


@pytest.fixture(scope="session")
def cluster(binaries, workdir):
    d = os.path.join(workdir, "cluster")
    ctl = os.path.join(BIN, "fairwayctl")
    up = _run([ctl, "cluster", "up", "--edges", "1", "--agents", "0", "--dir", d, "--bin-dir", BIN, "--epoch-ms", "500",
               "--wait-s", "60"], timeout=120)
    try:
        if up.returncode != 0:
            pytest.fail(f"fairwayctl cluster up failed ({up.returncode}): {up.stderr[-2000:]}")
        with open(os.path.join(d, "cluster.json"), encoding="utf-8") as f:
            doc = json.load(f)
        ident = _run([ctl, "identity", "--key-file", os.path.join(d, "data", "edge-1", "node.key"), "--json"])
        edge_id = json.loads(ident.stdout)["id"]
        yield Cluster(d, doc["coordinatorURL"], doc["edgeURLs"][0], edge_id)
    finally:
        _run([ctl, "cluster", "down", "--dir", d], timeout=60)


# --- Python-made messages: the client's own code paths ----------------------------------------

class _Captured(Exception):
    pass


class Recorder:
    """Wraps a client's code paths: every Envelope it builds (the builder's intent), every sealed
    plaintext it sends, every Frame object it sends and every raw reply and opened plaintext."""

    def __init__(self, agent, offline: bool):
        self.envelopes: List[envelope_pb2.Envelope] = []
        self.sealed: List[bytes] = []
        self.frames: List[session_pb2.Frame] = []
        self.raw_replies: List[bytes] = []
        self.opened: List[Any] = []
        self.agent = agent
        self._saved = []
        t = agent.transport
        for mod in (fw_transport_mod, fw_client_mod):
            orig = mod.make_envelope

            def rec(*a, _orig=orig, **kw):
                e = _orig(*a, **kw)
                self.envelopes.append(e)
                return e
            self._saved.append((mod, "make_envelope", orig))
            setattr(mod, "make_envelope", rec)
        orig_exchange = t.exchange_sealed

        def exchange_sealed(sealed, **kw):
            self.sealed.append(bytes(sealed))
            if offline:
                raise _Captured()
            return orig_exchange(sealed, **kw)
        t.exchange_sealed = exchange_sealed
        orig_frame, orig_bytes, orig_opened = t._exchange_frame, t._exchange_bytes, t._opened

        def exchange_frame(frame, deadline):
            c = session_pb2.Frame()
            c.CopyFrom(frame)
            self.frames.append(c)
            return orig_frame(frame, deadline)

        def exchange_bytes(data, deadline):
            r = orig_bytes(data, deadline)
            self.raw_replies.append(bytes(r))
            return r

        def opened(message, session):
            o = orig_opened(message, session)
            self.opened.append(o)
            return o
        t._exchange_frame, t._exchange_bytes, t._opened = exchange_frame, exchange_bytes, opened

    def restore(self):
        for mod, name, orig in self._saved:
            setattr(mod, name, orig)

    @staticmethod
    def pairs_of(envelopes, sealed):
        r = Recorder.__new__(Recorder)
        r.envelopes, r.sealed = envelopes, sealed
        return r.pairs()

    def pairs(self):
        """(Envelope intent, sealed bytes) per request, matched by message id (requests sealed
        outside the client's builders, e.g. the hostile ones, have no intent here; resends once)."""
        by_id = {e.message_id: e for e in self.envelopes}
        out, seen = [], set()
        for s in self.sealed:
            se = envelope_pb2.SignedEnvelope()
            se.ParseFromString(s)
            env = envelope_pb2.Envelope()
            env.ParseFromString(se.envelope)
            if env.message_id in by_id and env.message_id not in seen:
                seen.add(env.message_id)
                out.append((by_id[env.message_id], s))
        return out


def signed_intent(env: envelope_pb2.Envelope, key: NodeKey, signed: bool):
    """The SignedEnvelope the client means to send for `env`: Ed25519 is deterministic, so the
    signature is recomputed from the key."""
    inner = env.SerializeToString()
    se = envelope_pb2.SignedEnvelope(envelope=inner)
    if signed:
        se.public_key = key.public_key
        se.signature = key.sign(SIGNATURE_CONTEXT + inner)
    return (se, env)


def python_contribution(sequence: int = 1):
    records = load_digits(DIGITS)[:60]
    enc = DigitsEncoder.builtin()
    release = release_prototypes(embed_records(records, enc), enc.anchors(), mode="multimodal", epsilon=1.0, delta=1e-6, clip=1.0)
    return contribution_of(release, sequence), records


PY_SEED = bytes(range(0x41, 0x61))


def add_python_offline(corpus: Corpus) -> None:
    key = NodeKey.from_seed(PY_SEED)
    contribution, records = python_contribution()
    agent = Agent("tcp://127.0.0.1:9", key, name="py-cross é \"q\"", bucket_size=4)
    rec = Recorder(agent, offline=True)
    try:
        ops = [
            ("join", agent.join),
            ("heartbeat", agent.heartbeat),
            ("contribution", lambda: agent.contribute(contribution, attempts=1)),
            ("inference_request", lambda: agent.infer(cost=1, features=records[0].pixels, input=b"digit")),
            ("status_request", agent.status),
            ("ledger_proof_request", lambda: agent.ledger_proof(3, tree_size=7, first_size=5)),
            ("ping", agent.ping),
            ("epochs_request", lambda: agent.epochs(5)),
            ("valuation_request", lambda: agent.valuation([key.node_id, "fw" + "0" * 40])),
        ]
        names = []
        for name, op in ops:
            try:
                op()
            except _Captured:
                names.append(name)
        assert len(names) == len(ops)
        for name, (env, sealed) in zip(names, rec.pairs()):
            assert env.WhichOneof("payload") == name
            corpus.add("Python", "py-" + name, "signed-envelope", sealed, signed_intent(env, key, name in PROVENANCE_KINDS))
        assert len(rec.envelopes[3].inference_request.features) == 64
    finally:
        rec.restore()
        agent.close()
    # a SignedEnvelope signed by a test key (the always-signed form: publications, provenance)
    env = make_envelope(key.node_id, "status_request", membership_pb2.StatusRequest())
    corpus.add("Python", "py-signed-by-test-key", "signed-envelope", sign_envelope(env.SerializeToString(), key),
               signed_intent(env, key, True))
    # odd values through the same builder (make_envelope): signed zero, subnormals, extremes,
    # non-ASCII and escaped strings, uint64 max, a negative int32
    odd = [-0.0, 5e-324, -2.2250738585072014e-308, 1.7976931348623157e308, 0.1 + 0.2, 1 / 3, -1e-300, 1e16, 123456789.125]
    env = make_envelope(key.node_id, "inference_request", tokens_pb2.InferenceRequest(cost=2**64 - 1, features=odd, input=bytes(range(256))))
    corpus.add("Python", "py-odd-inference_request", "envelope", env.SerializeToString(), env)
    env = make_envelope(key.node_id, "inference_reply", tokens_pb2.InferenceReply(
        charged=1, remaining=2**64 - 1, output=b"\x00\xff", label=-2147483648, confidence=-0.0, module_version=2**63, served_by_cloud=True),
        sent_at_ms=2**63 - 1)
    env.in_reply_to = bytes(range(16))
    corpus.add("Python", "py-odd-inference_reply", "envelope", env.SerializeToString(), env)
    env = make_envelope(key.node_id, "join", membership_pb2.JoinRequest(node_id=key.node_id, role=3, version="0.1.0", bucket_size=4,
                                                                     name="agent-é\"q\"\\\n\t\u2603\U0001F600\x7f", public_key=key.public_key))
    corpus.add("Python", "py-odd-join", "envelope", env.SerializeToString(), env)
    # frames from the client's session code: message 1, and a session message under given keys
    hs = InitiatorHandshake(StaticKey(key, private_bytes=bytes(32 * [7])))
    f1 = session_pb2.Frame(handshake_init=session_pb2.HandshakeInit(noise=hs.start()))
    corpus.add("Python", "py-frame-handshake_init", "frame", f1.SerializeToString(), f1)
    s = ClientSession(0xFFFFFFFFFFFFFFFE, PeerIdentity(key.public_key), SessionKeys(send=bytes(32 * [0x42]), receive=bytes(32)))
    s.next_counter = 5
    plain = seal_for_session(make_envelope(key.node_id, "ping", membership_pb2.Ping()), key)
    f4 = session_pb2.Frame(session=s.seal(plain))
    corpus.add("Python", "py-frame-session", "frame", f4.SerializeToString(), f4)


def add_c_examples(corpus: Corpus, workdir: str) -> None:
    d = os.path.join(workdir, "c-examples")
    r = _run([os.path.join(CBUILD, "fairway-wire-dump"), "encode-examples", d])
    assert r.returncode == 0, r.stderr
    n = 0
    for row in open(os.path.join(d, "index.tsv"), encoding="utf-8"):
        if row.startswith("#") or not row.strip():
            continue
        name, typ, fname = row.split("\t")[:3]
        t = {"fairway.v1.Envelope": "envelope", "fairway.v1.SignedEnvelope": "signed-envelope", "fairway.v1.Frame": "frame"}[typ]
        # the builder's intent: the dump the tool wrote for what it encoded
        intent = open(os.path.join(d, name + ".txt"), encoding="utf-8").read().splitlines()
        corpus.add_file("C", "c-" + name, t, os.path.join(d, fname), intent)
        n += 1
    assert n >= 16


def add_swift_seeds(corpus: Corpus, workdir: str) -> None:
    d = os.path.join(workdir, "swift-seeds")
    r = _run([os.path.join(BIN, "fairway-fuzz"), "--write-seeds", d])
    assert r.returncode == 0, r.stderr
    for label, directory in (("seeds", d), ("regressions", os.path.join(REPO, "Tests", "Fuzz", "regressions"))):
        for p in sorted(glob.glob(os.path.join(directory, "*"))):
            b = os.path.basename(p)
            if b == "frame-session-plaintext":
                t = "signed-envelope"
            elif b.startswith("frame-"):
                t = "frame"
            elif b.startswith("seed-") and b.endswith("-sealed"):
                t = "signed-envelope"
            elif b.startswith("seed-"):
                t = "envelope"
            else:
                continue  # garbage-http, varint-overflow, truncated-join: not messages
            corpus.add_file("Swift", f"swift-{label}-{b}", t, p)


# --- readings ----------------------------------------------------------------------------------

def read_all(corpus: Corpus, workdir: str) -> None:
    by_type = defaultdict(list)
    for it in corpus.items:
        by_type[it.type].append(it)
    # Swift
    for t, items in by_type.items():
        r = _run([os.path.join(BIN, "fairway-lab"), "wire-json", "--type", t] + [i.path for i in items])
        assert r.returncode == 0, r.stderr
        lines = r.stdout.splitlines()
        assert len(lines) == len(items), (t, len(lines), len(items))
        for it, line in zip(items, lines):
            j = json.loads(line)
            assert j["file"] == it.path
            it.swift = j
    # Python reference script (its own protoc output), all files at once
    out = os.path.join(workdir, "py-ref")
    pairs = [f"{it.type}={it.path}" for it in corpus.items]
    r = _run([sys.executable, REFERENCE_SCRIPT, os.path.join(REPO, "proto"), "--dump-dir", out] + pairs)
    assert r.returncode == 0, r.stdout + r.stderr
    for it in corpus.items:
        with open(os.path.join(out, os.path.basename(it.path) + ".txt"), encoding="utf-8") as f:
            it.py_lines = f.read().splitlines()
        m = PY_TYPES[it.type]()
        m.ParseFromString(open(it.path, "rb").read())
        it.py_dict = to_dict(m)
    # C
    for it in corpus.items:
        r = _run([os.path.join(CBUILD, "fairway-wire-dump"), "decode", it.type, it.path])
        it.c_rc = r.returncode
        it.c_lines = r.stdout.splitlines() if r.returncode == 0 else None
        if r.returncode != 0:
            it.problems.append(f"C decode failed ({r.returncode}): {r.stderr.strip()}")


def judge(it: Item) -> None:
    """Each reader's reading against the builder's intent, and the two pairwise checks."""
    desc = PY_TYPES[it.type].DESCRIPTOR
    sj = it.swift["message"] if it.swift else None
    if sj is None:
        it.problems.append(f"Swift could not decode: {it.swift.get('protobuf_error') if it.swift else 'no reading'}")
    swift_lines = json_lines(desc, sj) if sj is not None else None
    # pairwise: Swift JSON == Python MessageToDict; C dump == the reference script's dump
    it.agree["swift=python(json)"] = sj is not None and same(sj, it.py_dict)
    if sj is not None and not it.agree["swift=python(json)"]:
        it.problems.append("Swift JSON vs Python MessageToDict: " + first_difference(sj, it.py_dict))
    it.agree["c=python(dump)"] = it.c_lines is not None and it.c_lines == it.py_lines
    if it.c_lines is not None and not it.agree["c=python(dump)"]:
        it.problems.append("C dump vs reference dump: " + line_difference(it.c_lines, it.py_lines))
    # against the builder's intent
    if it.origin == "Python":
        msg = it.intent[0] if isinstance(it.intent, tuple) else it.intent
        want_dict, want_lines = to_dict(msg), py_dump(msg)
        readings = {"Swift": (sj, swift_lines), "Python": (it.py_dict, it.py_lines), "C": (None, it.c_lines)}
        for reader, (d, lines) in readings.items():
            ok = lines == want_lines and (d is None or same(d, want_dict))
            it.agree[reader] = ok
            if not ok:
                it.problems.append(f"{reader} reading vs the Python builder's message: "
                                   + (first_difference(d, want_dict) if d is not None and not same(d, want_dict)
                                      else line_difference(lines or [], want_lines)))
    else:
        if it.origin == "C":
            want_lines = it.intent if it.intent is not None else it.c_lines   # no separate intent: C's own reading
        else:
            want_lines = swift_lines                                          # Swift's own reading
        readings = {"Swift": swift_lines, "Python": it.py_lines, "C": it.c_lines}
        for reader, lines in readings.items():
            ok = want_lines is not None and lines == want_lines
            it.agree[reader] = ok
            if not ok:
                it.problems.append(f"{reader} reading vs the {it.origin} builder's: " + line_difference(lines or [], want_lines or []))


def table(corpus: Corpus) -> str:
    rows = []
    rows.append("origin \\ reader  " + "".join(f"{r:>10}" for r in READERS) + f"{'Swift JSON = Py dict':>24}{'C dump = Py ref dump':>24}")
    for o in ORIGINS:
        items = [i for i in corpus.items if i.origin == o]
        n = len(items)
        cells = "".join(f"{sum(i.agree.get(r, False) for i in items):>6}/{n:<3}" for r in READERS)
        pj = sum(i.agree.get("swift=python(json)", False) for i in items)
        pd = sum(i.agree.get("c=python(dump)", False) for i in items)
        rows.append(f"{o:<16} {cells}{pj:>18}/{n:<5}{pd:>18}/{n:<5}")
    return "\n".join(rows)


# --- live: Python agent in a real session (captures) and the hostile cases ---------------------

@dataclass
class Live:
    python_refusals: Dict[str, tuple]
    c_refusals: Dict[str, tuple]
    python_hostile: Dict[str, str]   # case -> file
    c_hostile: Dict[str, str]
    c_output: str
    c_rc: int
    notes: List[str]


HOSTILE_CASES = ("wrong-signature", "foreign-key", "unsigned", "nan", "wrong-dimension", "epsilon")
EXPECTED = {
    "wrong-signature": ("unauthenticated", "signed_envelope.signature"),
    "foreign-key": ("unauthenticated", "signed_envelope.public_key"),
    "unsigned": ("unauthenticated", "signed_envelope.signature"),
    "nan": ("invalid-field", "contribution.prototypes[0].image[3]"),
    "wrong-dimension": ("invalid-field", "contribution.prototypes[0].image"),
    "epsilon": ("invalid-field", "contribution.epsilon"),
}


def python_hostile(agent: Agent, case: str, good: valuation_pb2.Contribution, d: str):
    """Builds case's contribution with the client's builders, seals it as the client does (and
    breaks it as the case says), sends it in the agent's session; returns (sealed, refusal)."""
    key = agent.key
    c = valuation_pb2.Contribution()
    c.CopyFrom(good)
    sign = True
    if case == "nan":
        c.prototypes[0].image[3] = float("nan")
    elif case == "wrong-dimension":
        del c.prototypes[1:]
        del c.prototypes[0].image[15:]
        del c.prototypes[0].text[15:]
    elif case == "epsilon":
        c.epsilon = 1000.0
    elif case == "unsigned":
        sign = False
    env = make_envelope(key.node_id, "contribution", c)
    sealed = seal_for_session(env, key, sign=sign)
    if case == "wrong-signature":
        se = envelope_pb2.SignedEnvelope()
        se.ParseFromString(sealed)
        sig = bytearray(se.signature)
        sig[-1] ^= 0x01
        se.signature = bytes(sig)
        sealed = se.SerializeToString()
    elif case == "foreign-key":
        other = NodeKey.generate()
        inner = env.SerializeToString()
        sealed = envelope_pb2.SignedEnvelope(envelope=inner, public_key=other.public_key,
                                             signature=other.sign(SIGNATURE_CONTEXT + inner)).SerializeToString()
    path = os.path.join(d, case + ".bin")
    with open(path, "wb") as f:
        f.write(sealed)
    try:
        agent.transport.call_sealed(sealed, env.message_id)
        return path, ("ACCEPTED", "")
    except FairwayError as e:
        return path, (e.code, e.field) if e.remote else ("local:" + e.code, e.field)


@pytest.fixture(scope="session")
def live(cluster, workdir):
    notes: List[str] = []
    # the Python agent: join, heartbeat, contribution, inference, status (edge and coordinator)
    key = NodeKey.generate()
    agent = Agent(cluster.edge, key, name="py-cross", expected_node_id=cluster.edge_id)
    rec = Recorder(agent, offline=False)
    hostile_dir = os.path.join(workdir, "py-hostile")
    os.makedirs(hostile_dir)
    py_refusals, py_files = {}, {}
    try:
        agent.join()
        agent.heartbeat()
        good, records = python_contribution()
        receipt = agent.contribute(good)
        assert receipt.agent_id == key.node_id
        deadline = time.monotonic() + 8
        while True:
            try:
                reply = agent.infer(cost=1, features=records[0].pixels)
                notes.append(f"live inference reply: label={reply.label} charged={reply.charged}")
                break
            except FairwayError as e:
                if time.monotonic() > deadline or e.code not in ("insufficient-tokens", "capacity-exhausted", "unavailable"):
                    notes.append(f"live inference: no inference_reply captured ({e.code}); the error reply is captured instead")
                    break
                time.sleep(max(e.retry_after_ms, 100) / 1000)
                agent.heartbeat()
        agent.status()
        handshakes = agent.transport.handshakes
        for case in HOSTILE_CASES:
            py_files[case], py_refusals[case] = python_hostile(agent, case, good, hostile_dir)
            # the session keeps serving: a ping and a heartbeat, no new handshake
            assert agent.ping().node_id == cluster.edge_id
            agent.heartbeat()
            assert agent.transport.handshakes == handshakes, f"after {case}: a new handshake"
        # a session message for a session the edge does not know: its plaintext error frame
        forged = session_pb2.Frame(session=session_pb2.SessionMessage(session_id=0x0123456789ABCDEF, counter=0, ciphertext=bytes(16)))
        raw = agent.transport.exchange_raw(forged.SerializeToString())
        err = session_pb2.Frame()
        err.ParseFromString(raw)
        assert err.WhichOneof("kind") == "error" and err.error.code == 16, err  # unknown-session
        rec.frames.append(forged)
        rec.raw_replies.append(raw)
        assert agent.ping().node_id == cluster.edge_id and agent.transport.handshakes == handshakes
        captured = (list(rec.envelopes), list(rec.sealed), list(rec.frames), list(rec.raw_replies), list(rec.opened))
    finally:
        rec.restore()
        agent.close()
    with Client(cluster.coordinator) as c:
        coord_key = c.key
        crec = Recorder(c, offline=False)
        try:
            c.status()
            c.epochs(3)
            c.valuation()
            c.ledger_proof(0)
        finally:
            crec.restore()
        coord = (list(crec.envelopes), list(crec.sealed), list(crec.frames), list(crec.raw_replies), list(crec.opened))
    # the C agent: joins through the edge, sends its hostile contributions, dumps their bytes
    c_dir = os.path.join(workdir, "c-hostile")
    os.makedirs(c_dir)
    r = _run([os.path.join(CBUILD, "fairway-agent-example"), "--edge", cluster.edge, "--pin", cluster.edge_id, "--name", "c-cross",
              "--hostile-only", "--hostile-dump", c_dir], timeout=60)
    c_refusals = {}
    for m in re.finditer(r"^hostile-case (\S+) code=(\d+) name=(\S+) field=(\S*)$", r.stdout, re.M):
        c_refusals[m.group(1)] = (m.group(3), m.group(4))
    c_files = {case: os.path.join(c_dir, case + ".bin") for case in HOSTILE_CASES}
    yield Live(py_refusals, c_refusals, py_files, c_files, r.stdout + r.stderr, r.returncode, notes), key, captured, coord, coord_key


@pytest.fixture(scope="session")
def corpus(binaries, workdir, live):
    c = Corpus(os.path.join(workdir, "corpus"))
    add_c_examples(c, workdir)
    add_python_offline(c)
    add_swift_seeds(c, workdir)
    lv, key, captured, coord, coord_key = live
    # live Python requests (intent: the envelope the client built) and Swift replies
    for who, (envs, sealed, frames, raw, opened) in (("edge", captured), ("coordinator", coord)):
        for env, s in Recorder.pairs_of(envs, sealed):
            kind = env.WhichOneof("payload")
            k = key if who == "edge" else coord_key
            c.add("Python", f"py-live-{who}-{kind}", "signed-envelope", s, signed_intent(env, k, kind in PROVENANCE_KINDS))
        seen = set()
        for f in frames:
            k = f.WhichOneof("kind")
            if k in seen:
                continue
            seen.add(k)
            c.add("Python", f"py-live-{who}-frame-{k}", "frame", f.SerializeToString(), f)
        seen = set()
        for b in raw:
            fr = session_pb2.Frame()
            fr.ParseFromString(b)
            k = fr.WhichOneof("kind")
            if k in seen:
                continue
            seen.add(k)
            c.add("Swift", f"swift-live-{who}-frame-{k}", "frame", b)
        seen = set()
        for o in opened:
            k = o.kind if o.kind != "error" else "error-" + o.envelope.error.message[:20]
            if k in seen:
                continue
            seen.add(k)
            c.add("Swift", f"swift-live-{who}-{o.kind}", "signed-envelope", o.sealed)
    # the hostile contributions, as each client built and sent them
    for case in HOSTILE_CASES:
        c.add_file("Python", f"py-hostile-{case}", "signed-envelope", lv.python_hostile[case], None)
        if os.path.exists(lv.c_hostile[case]):
            c.add_file("C", f"c-hostile-{case}", "signed-envelope", lv.c_hostile[case], None)
    read_all(c, workdir)
    for it in c.items:
        if it.origin == "Python" and it.intent is None:
            # hostile bytes: the builder's intent is the bytes it sent, read by its own protobuf
            m = PY_TYPES[it.type]()
            m.ParseFromString(open(it.path, "rb").read())
            it.intent = m
        judge(it)
    return c


# --- tests -------------------------------------------------------------------------------------

def test_binaries_present(binaries):
    for b in SWIFT_BINARIES:
        assert os.access(os.path.join(BIN, b), os.X_OK), b
    for b in C_BINARIES:
        assert os.access(os.path.join(CBUILD, b), os.X_OK), b


def test_corpus_covers_every_origin_and_kind(corpus):
    names = {i.name for i in corpus.items}
    py = [n for n in names if n.startswith("py-")]
    for want in ("py-join", "py-heartbeat", "py-contribution", "py-inference_request", "py-status_request", "py-ledger_proof_request",
                 "py-signed-by-test-key", "py-frame-handshake_init", "py-frame-session", "py-live-edge-frame-handshake_init",
                 "py-live-edge-frame-handshake_finish", "py-live-edge-frame-session"):
        assert want in py, want
    swift_live = {n for n in names if n.startswith("swift-live-")}
    for want in ("swift-live-edge-frame-error", "py-live-edge-frame-session", "swift-live-edge-join_accepted", "swift-live-edge-status_reply", "swift-live-coordinator-status_reply",
                 "swift-live-edge-frame-handshake_response", "swift-live-edge-frame-session"):
        assert want in names, (want, sorted(swift_live))
    assert any(n.startswith("swift-live-edge-inference_reply") or n.startswith("swift-live-edge-error") for n in swift_live)
    for o in ORIGINS:
        assert sum(i.origin == o for i in corpus.items) >= 10, o


def test_every_reader_agrees_with_every_builder(corpus, live):
    lv = live[0]
    report = ["", "cross-implementation agreement (messages whose reading equals the builder's intent):", table(corpus), ""]
    report += ["  " + n for n in lv.notes]
    bad = [i for i in corpus.items if not all(i.agree.values()) or i.problems]
    for i in bad:
        report.append(f"DISAGREE {i.origin} {i.name} ({i.type}): " + "; ".join(i.problems))
    # the Swift decoder's verdicts, for information (the hostile ones are tested below)
    verdicts = defaultdict(int)
    for i in corpus.items:
        s = i.swift or {}
        verdicts[(i.origin, i.type, "accepted" if s.get("accepted") else f"{s.get('code')} at {s.get('field')}")] += 1
    report.append("Swift decoder verdicts (origin, type, verdict: count):")
    for k in sorted(verdicts):
        report.append(f"  {k[0]:<7}{k[1]:<16}{k[2]}: {verdicts[k]}")
    print("\n".join(report))
    assert not bad, f"{len(bad)} message(s) read differently; see the report above"


def test_live_swift_messages_are_protocol_2_and_accepted_by_swift(corpus):
    """Every envelope made during this run (not the committed regressions) passes Swift's own
    decoder, except the hostile ones."""
    for i in corpus.items:
        if i.type != "envelope" or "regressions" in i.name or "hostile" in i.name or "-odd-" in i.name:
            continue
        if i.origin == "C" and i.name.startswith("c-"):
            continue  # the fixed C examples include deliberately odd values (e.g. 1e16 in a prototype)
        assert i.swift["accepted"], (i.name, i.swift["code"], i.swift["field"])


def _swift_verdict(path: str) -> tuple:
    r = _run([os.path.join(BIN, "fairway-lab"), "wire-json", "--type", "signed-envelope", path])
    j = json.loads(r.stdout)
    return ("accepted", "") if j["accepted"] else (j["code"], j["field"])


def test_hostile_refused_the_same_way(live):
    lv = live[0]
    assert lv.c_rc == 0, "fairway-agent-example --hostile-only: some case did not behave as expected (refusal, session alive):\n" + lv.c_output
    rows = ["", f"{'hostile case':<18}{'Python-made (daemon)':<58}{'C-made (daemon)':<58}{'Swift decoder on Py bytes / C bytes'}"]
    failures = []
    for case in HOSTILE_CASES:
        py = lv.python_refusals.get(case)
        c = lv.c_refusals.get(case)
        sv_py = _swift_verdict(lv.python_hostile[case])
        sv_c = _swift_verdict(lv.c_hostile[case]) if os.path.exists(lv.c_hostile[case]) else ("missing", "")
        rows.append(f"{case:<18}{str(py):<58}{str(c):<58}{sv_py} / {sv_c}")
        if py != c:
            failures.append(f"{case}: Python-made refused {py}, C-made {c}")
        if py != EXPECTED[case]:
            failures.append(f"{case}: daemon refused the Python-made one with {py}, expected {EXPECTED[case]}")
        if sv_py != sv_c:
            failures.append(f"{case}: Swift decoder reads Python-made bytes as {sv_py} but C-made as {sv_c}")
        # where the decoder is what refuses, the daemon refuses the same way
        if case in ("wrong-signature", "nan"):
            if sv_py != py or sv_c != c:
                failures.append(f"{case}: the Swift decoder ({sv_py} / {sv_c}) and the daemon ({py} / {c}) differ")
        if case in ("wrong-dimension", "epsilon") and sv_py != ("accepted", ""):
            failures.append(f"{case}: expected the decoder to pass it (an edge policy refuses it), got {sv_py}")
    print("\n".join(rows))
    assert not failures, "\n".join(failures)


def test_signatures_verify_the_same_in_all_three(corpus):
    """Every signed SignedEnvelope of the corpus (Swift seeds and replies, Python requests, C
    examples, the hostile ones): Swift's decoder, Python's Ed25519 check and
    `fairway-wire-dump verify` agree on whether the signature verifies."""
    from fairway.identity import verify_signature
    n, invalid, differ = 0, 0, []
    for it in corpus.items:
        if it.type != "signed-envelope":
            continue
        se = envelope_pb2.SignedEnvelope()
        se.ParseFromString(open(it.path, "rb").read())
        if len(se.public_key) != 32 or len(se.signature) != 64:
            continue
        n += 1
        s = it.swift
        swift_ok = not (not s["accepted"] and s["field"] == "signed_envelope.signature")
        py_ok = verify_signature(se.public_key, se.signature, SIGNATURE_CONTEXT + se.envelope)
        r = _run([os.path.join(CBUILD, "fairway-wire-dump"), "verify", it.path])
        c_ok = "signature=ok" in r.stdout.splitlines()
        invalid += not py_ok
        if not (swift_ok == py_ok == c_ok):
            differ.append(f"{it.origin} {it.name}: Swift {swift_ok}, Python {py_ok}, C {c_ok}")
    print(f"\nsignatures: {n} signed envelopes ({invalid} not verifying), {n - len(differ)} with the same verdict in Swift, Python and C")
    assert not differ, "\n".join(differ)
    assert n >= 30 and invalid >= 2, (n, invalid)  # the flipped bits of the Python-made and the C-made hostile cases
