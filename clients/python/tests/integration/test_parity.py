"""The Python release is Swift's: two edge-agent identities of the test cluster contribute one
release each from the same records; their signed contributions are read back from the ledger
(provenance) and compared with what the Python port makes of the same records."""
import os

import pytest

from fairway import Client
from fairway.embedding import DigitsEncoder, embed_records, identity_records, load_digits, release_block
from fairway.privacy import contribution_of, release_prototypes
from fairway.wire import open_signed

from conftest import REPO
from integration.conftest import PARITY_LABELS, PARITY_RECORDS, eventually

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def swift_contributions(cluster):
    """{agent name: its Contribution as it signed it}, once both are in the ledger."""
    def fetch():
        with Client(cluster.coordinator) as c:
            names = {n.node_id: n.name for n in c.status().nodes}
            found = {}
            for r in c.ledger_records(0, 1000):
                name = names.get(r.agent_id, "")
                if r.kind == 0 and name.startswith(("swiftnone", "swiftdp")):
                    found[name.split("-")[0]] = open_signed(r.provenance).envelope.contribution
            return found if len(found) == 2 else None
    return eventually(fetch, timeout=60, interval=0.5)


@pytest.fixture(scope="module")
def records():
    digits = load_digits(os.path.join(REPO, "data", "uci-digits-8x8.csv"))
    mine = identity_records(digits, 0, 1, [int(x) for x in PARITY_LABELS.split(",")])
    return release_block(mine, 1, PARITY_RECORDS)


def test_exact_release_is_bit_for_bit_swifts(swift_contributions, records):
    """Encoders, anchors, clipping, partition and sums: the `none` release is deterministic."""
    swift = swift_contributions["swiftnone"]
    enc = DigitsEncoder.builtin()
    py = contribution_of(release_prototypes(embed_records(records, enc), enc.anchors(), mode="none"), 1)
    assert swift.records == PARITY_RECORDS and swift.mode == py.mode == 3
    assert list(py.prototypes) == list(swift.prototypes)  # every double equal
    assert py.SerializeToString() == swift.SerializeToString()


def test_private_release_declares_what_swifts_declares(swift_contributions, records):
    """σ, the sensitivity it covers and what the release declares match exactly; the noise differs."""
    swift = swift_contributions["swiftdp"]
    enc = DigitsEncoder.builtin()
    rel = release_prototypes(embed_records(records, enc), enc.anchors(), epsilon=2.0, delta=1e-6)
    py = contribution_of(rel, 1)
    for f in ("mode", "epsilon", "delta", "noise_multiplier", "count_sigma", "records", "sequence"):
        assert getattr(py, f) == getattr(swift, f), f
    assert len(py.prototypes) == len(swift.prototypes) == 10
    # both are noisy around the same exact counts
    exact = contribution_of(release_prototypes(embed_records(records, enc), enc.anchors(), mode="none"), 1)
    for s, e in zip(swift.prototypes, exact.prototypes):
        assert abs(s.count - e.count) < 6 * rel.sigma
