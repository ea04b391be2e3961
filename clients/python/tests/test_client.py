"""Client-side behaviour that needs no server."""
import os

import pytest

from fairway import Agent, InvalidField, NoReply, TransportSettings
from fairway.embedding import identity_records, load_digits, release_block
from fairway.privacy import PrivacyBudget


@pytest.fixture(scope="module")
def digits(repo):
    return load_digits(os.path.join(repo, "data", "uci-digits-8x8.csv"))


def test_records_split_like_edge_agent(digits):
    mine = identity_records(digits, identity=1, count=3, labels=[1, 7])
    kept = [r for r in digits if r.label in (1, 7)]
    assert mine == kept[1::3] and all(r.label in (1, 7) for r in mine)
    assert release_block(mine, 1, 10) == mine[:10] and release_block(mine, 2, 10) == mine[10:20]
    assert release_block(mine, 1000, 10) == []


def test_budget_refuses_before_anything_is_sent(digits):
    # Nothing listens on this URL: a release past the budget must fail locally, not time out.
    with Agent("tcp://127.0.0.1:9", budget=PrivacyBudget(1.0, 1e-5), settings=TransportSettings(request_timeout_ms=300)) as a:
        with pytest.raises(InvalidField) as e:
            a.contribute_digits(digits[:20], epsilon=2.0)
        assert e.value.field == "privacy.budget_epsilon" and not e.value.remote
        assert a.budget.charged == []


def test_no_server_is_no_reply():
    with Agent("tcp://127.0.0.1:9", settings=TransportSettings(request_timeout_ms=300)) as a:
        with pytest.raises(NoReply) as e:
            a.ping()
        assert e.value.code == "no-reply" and not e.value.remote
