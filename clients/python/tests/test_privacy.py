"""Analytic Gaussian calibration against Tests/Reference/gaussian-mechanism.json, and the release
(clipping, snapping, exact discrete Gaussian) against its invariants."""
import math
import random
import statistics

import pytest

from conftest import reference
from fairway.embedding import DigitsEncoder, embed_records, load_digits
from fairway.privacy import (DiscreteGaussian, PrivacyRefusal, PrototypeRecord, SnappedGaussian, analytic_sigma, classical_sigma,
                             contribution_of, exact_delta, gaussian_sigma, l2_clip, l2_norm, release_prototypes, round_half_away)

REF = reference("gaussian-mechanism.json")


@pytest.mark.parametrize("v", REF["vectors"], ids=lambda v: f"eps={v['epsilon']},delta={v['delta']},D={v['l2_sensitivity']}")
def test_sigma_matches_reference(v):
    eps, delta, sens = v["epsilon"], v["delta"], v["l2_sensitivity"]
    s = gaussian_sigma(eps, delta, sens)
    assert s == pytest.approx(v["sigma_analytic"], rel=1e-9)
    assert exact_delta(s, eps, sens) <= delta  # rounded up: never less private than asked
    assert classical_sigma(eps, delta, sens) == pytest.approx(v["sigma_classical"], rel=1e-12)
    assert exact_delta(v["sigma_classical"], eps, sens) == pytest.approx(v["exact_delta_at_sigma_classical"], rel=1e-6, abs=1e-300)
    if v["classical_sigma_actually_satisfies_eps_delta"]:
        assert gaussian_sigma(eps, delta, sens, "classical") == pytest.approx(v["sigma_classical"], rel=1e-12)
    else:
        with pytest.raises(PrivacyRefusal) as e:
            gaussian_sigma(eps, delta, sens, "classical")
        assert e.value.field == "epsilon"


def test_classical_failure_thresholds():
    for key, eps in REF["classical_formula_failure_threshold"].items():
        if not key.startswith("delta="):
            continue
        delta = float(key.split("=")[1])
        gaussian_sigma(eps - 0.01, delta, 1.0, "classical")
        with pytest.raises(PrivacyRefusal):
            gaussian_sigma(eps + 0.01, delta, 1.0, "classical")


def test_readme_example():
    assert analytic_sigma(1, 1e-5, 1) == pytest.approx(3.730631634815, rel=1e-11)


@pytest.mark.parametrize("args,field", [((0, 1e-5, 1), "epsilon"), ((1, 0, 1), "delta"), ((1, 1, 1), "delta"),
                                         ((1, 1e-5, 0), "sensitivity"), ((math.inf, 1e-5, 1), "epsilon")])
def test_refusals(args, field):
    with pytest.raises(PrivacyRefusal) as e:
        gaussian_sigma(*args)
    assert e.value.field == field


def test_round_half_away_is_swifts_rounded():
    assert [round_half_away(x) for x in (0.5, 1.5, 2.5, -0.5, -2.5, 2.4999, -2.6)] == [1, 2, 3, -1, -3, 2, -3]


def test_discrete_gaussian_moments_at_fixed_seed():
    rng = random.Random(7)
    g = DiscreteGaussian(variance=9.0)
    xs = [g.sample(rng) for _ in range(20000)]
    assert all(isinstance(x, int) for x in xs)
    assert abs(statistics.fmean(xs)) < 0.08
    assert statistics.pvariance(xs) == pytest.approx(9.0, rel=0.05)
    # P(0) of N_Z(0, 9) is 1 / sum_k exp(-k^2/18) = 0.13298...
    p0 = 1 / sum(math.exp(-k * k / 18) for k in range(-60, 61))
    assert xs.count(0) / len(xs) == pytest.approx(p0, abs=0.01)


def test_snapped_outputs_are_grid_multiples():
    m = SnappedGaussian(3.7)
    assert m.grid == 2.0 ** math.floor(math.log2(3.7 / 4096)) and 4096 <= 3.7 / m.grid < 8192
    out = m.release([0.123456789, -5.5, 100.0], random.Random(1))
    assert all((x / m.grid).is_integer() for x in out)


def test_clip_bounds_norm_exactly():
    rng = random.Random(3)
    for _ in range(200):
        x = [rng.uniform(-10, 10) for _ in range(16)]
        y = l2_clip(x, 1.0)
        assert l2_norm(y) <= 1.0
    assert l2_clip([0.1, 0.2], 1.0) == [0.1, 0.2]


@pytest.fixture(scope="module")
def digits(repo):
    import os
    return load_digits(os.path.join(repo, "data", "uci-digits-8x8.csv"))


def test_multimodal_release_declares_what_it_spends(digits):
    enc = DigitsEncoder.builtin()
    rel = release_prototypes(embed_records(digits[:100], enc), enc.anchors(), epsilon=1.0, delta=1e-6, rng=random.Random(5))
    assert len(rel.prototypes) == 10 and rel.records == 100
    # σ is the analytic σ at the sensitivity that covers the grid's rounding
    assert rel.sensitivity == pytest.approx(math.sqrt(2 * (1 + 4 * rel.grid / 2) ** 2 + 1))
    assert rel.sigma == gaussian_sigma(1.0, 1e-6, rel.sensitivity)
    assert rel.noise_multiplier == rel.sigma / rel.sensitivity and rel.count_sigma == rel.sigma
    assert 50 < sum(p.count for p in rel.prototypes) < 150
    c = contribution_of(rel, 3)
    assert (c.mode, c.epsilon, c.delta, c.sequence, c.records, len(c.prototypes)) == (1, 1.0, 1e-6, 3, 100, 10)
    assert all(len(p.image) == 16 and len(p.text) == 16 for p in c.prototypes)


def test_none_mode_is_exact_per_anchor(digits):
    enc = DigitsEncoder.builtin()
    ones = [d for d in digits if d.label == 1][:30]
    rel = release_prototypes(embed_records(ones, enc), enc.anchors(), mode="none")
    assert sum(p.count for p in rel.prototypes) == 30
    assert rel.prototypes[1].count >= 25  # nearly every 1 goes to anchor 1
    assert (rel.epsilon, rel.delta, rel.noise_multiplier) == (0.0, 0.0, 0.0)


def test_release_refuses_bad_records():
    with pytest.raises(PrivacyRefusal) as e:
        release_prototypes([PrototypeRecord([1.0, 0.0], [1.0])], [[1.0, 0.0]])
    assert e.value.field == "records"
    with pytest.raises(PrivacyRefusal) as e:
        release_prototypes([], [])
    assert e.value.field == "anchors"


ACCOUNTING = reference("privacy-accounting.json")


@pytest.mark.parametrize("case", ACCOUNTING["cases"], ids=lambda c: c["id"])
def test_rdp_epsilon_matches_dp_accounting(case):
    from fairway.privacy import RDPAccountant
    acc = RDPAccountant()
    for m in case["mechanisms"]:
        acc.compose(m["noise_multiplier"], m["count"])
    eps, order = acc.epsilon(case["delta"])
    assert eps == pytest.approx(case["rdp_epsilon"], rel=1e-9)
    assert order == pytest.approx(case["rdp_optimal_order"])


@pytest.mark.parametrize("case", ACCOUNTING["delta_queries"], ids=lambda c: c["id"])
def test_rdp_delta_matches_dp_accounting(case):
    from fairway.privacy import RDPAccountant
    acc = RDPAccountant()
    for m in case["mechanisms"]:
        acc.compose(m["noise_multiplier"], m["count"])
    d, order = acc.delta(case["epsilon"])
    assert d == pytest.approx(case["rdp_delta"], rel=1e-9)


def test_budget_runs_out_and_persists(tmp_path):
    from fairway.privacy import BudgetExhausted, PrivacyBudget
    path = str(tmp_path / "budget.json")
    b = PrivacyBudget(8, 1e-5, path=path)
    b.charge(2.0)
    b.charge(2.0)
    spent = b.spent
    assert 0 < spent < 8
    again = PrivacyBudget(8, 1e-5, path=path)
    assert again.spent == spent and again.charged == [2.0, 2.0]
    with pytest.raises(BudgetExhausted) as e:
        again.charge(0.2)
    assert e.value.field == "privacy.budget_epsilon" and again.charged == [2.0, 2.0]
