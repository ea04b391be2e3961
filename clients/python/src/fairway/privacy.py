"""Client-side DP prototype releases, ported from Sources/FairwayCore/Privacy/ (GaussianMechanism,
DiscreteGaussian, SnappedGaussian, L2Clipping, PrototypePartition, PrototypeRelease).

Raw records and embeddings never leave this module: only the released prototypes do.

* Calibration: ``analytic`` (Balle & Wang 2018: the smallest σ with
  δ(σ) = Φ(Δ/2σ − εσ/Δ) − e^ε Φ(−Δ/2σ − εσ/Δ) ≤ δ, by bisection, rounded up) or ``classical``
  (eq. 21, refused where it is not (ε, δ)-DP).
* Sampling: the exact discrete Gaussian of Canonne, Kamath & Steinke (2020) with integer
  arithmetic and uniform integers from the OS CSPRNG (``random.SystemRandom``), added in grid
  steps of a power-of-two grid (≥ 4096 steps per σ) to values rounded to that grid, so every
  output is an exact grid multiple.
* Release (``multimodal``): each record's image and text embeddings are clipped to L2 norm C,
  assigned to the nearest public anchor, summed per anchor; sums and counts get one Gaussian of
  joint L2 sensitivity √(2(C + √d·g/2)² + 1); prototypes = noisy sums / max(noisy count, 1).
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import List, Optional, Sequence

STEPS_PER_SIGMA = 4096.0
MAX_VARIANCE = float(1 << 30)


class PrivacyRefusal(ValueError):
    """Parameters out of range, or a calibration that would not be private (GaussianMechanism.Refusal)."""

    def __init__(self, field: str, message: str):
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


# --- calibration ----------------------------------------------------------------------------

def std_normal_cdf(x: float) -> float:
    """Φ(x) = ½ erfc(−x/√2), accurate in the tails."""
    return 0.5 * math.erfc(-x / math.sqrt(2.0))


def classical_sigma(epsilon: float, delta: float, sensitivity: float) -> float:
    """Eq. 21 as printed: Δ √(2 ln(1.25/δ)) / ε, whether or not it is private."""
    return sensitivity * math.sqrt(2 * math.log(1.25 / delta)) / epsilon


def exact_delta(sigma: float, epsilon: float, sensitivity: float) -> float:
    """The exact δ of the Gaussian mechanism with noise σ at ε (Balle & Wang, Thm 8)."""
    a = sensitivity / (2 * sigma)
    b = epsilon * sigma / sensitivity
    return std_normal_cdf(a - b) - math.exp(epsilon) * std_normal_cdf(-a - b)


def analytic_sigma(epsilon: float, delta: float, sensitivity: float) -> float:
    """The smallest σ with exact_delta(σ) ≤ δ, to the resolution of a double (rounded up)."""
    def ok(s: float) -> bool:
        return exact_delta(s, epsilon, sensitivity) <= delta

    lo = sensitivity * 1e-3
    hi = max(classical_sigma(epsilon, delta, sensitivity), sensitivity)
    while ok(lo) and lo > 1e-300:
        lo /= 2
    while not ok(hi):
        hi *= 2
    for _ in range(200):
        mid = (lo + hi) / 2
        if not (lo < mid < hi):
            break
        if ok(mid):
            hi = mid
        else:
            lo = mid
    return hi


def gaussian_sigma(epsilon: float, delta: float, sensitivity: float, calibration: str = "analytic") -> float:
    """σ for (ε, δ)-DP at L2 sensitivity Δ (GaussianMechanism.sigma)."""
    if not (math.isfinite(epsilon) and epsilon > 0):
        raise PrivacyRefusal("epsilon", f"must be a finite ε > 0, got {epsilon}")
    if not (math.isfinite(delta) and 0 < delta < 1):
        raise PrivacyRefusal("delta", f"must be 0 < δ < 1, got {delta}")
    if not (math.isfinite(sensitivity) and sensitivity > 0):
        raise PrivacyRefusal("sensitivity", f"must be a finite Δ > 0, got {sensitivity}")
    if calibration == "classical":
        sigma = classical_sigma(epsilon, delta, sensitivity)
        exact = exact_delta(sigma, epsilon, sensitivity)
        if exact > delta:
            raise PrivacyRefusal("epsilon", f"the classical σ = {sigma} (eq. 21) is not ({epsilon}, {delta})-DP: at this σ the exact δ is "
                                            f"{exact} > {delta}; use the analytic calibration")
        return sigma
    if calibration != "analytic":
        raise PrivacyRefusal("calibration", f"must be analytic or classical, got {calibration!r}")
    return analytic_sigma(epsilon, delta, sensitivity)


# --- exact sampling -------------------------------------------------------------------------

class DiscreteGaussian:
    """N_Z(0, σ²) sampled exactly (CKS 2020, Algorithms 1-3); σ² rounded up to a multiple of 2^-20."""

    SCALE = 1 << 20

    def __init__(self, variance: float):
        if not (math.isfinite(variance) and 0 < variance <= MAX_VARIANCE):
            raise ValueError(f"σ² must be in (0, 2^30], got {variance}")
        self.numerator = math.ceil(variance * self.SCALE)
        self.denominator = self.SCALE

    def sample(self, rng: random.Random) -> int:
        num, den = self.numerator, self.denominator
        t = math.isqrt(num // den) + 1
        while True:
            c = _discrete_laplace(t, rng)
            a = abs(c) * t * den
            diff = abs(a - num)
            if _bernoulli_exp(diff * diff, 2 * num * t * t * den, rng):
                return c


def _bernoulli(n: int, d: int, rng: random.Random) -> bool:
    return rng.randrange(d) < n


def _bernoulli_exp1(n: int, d: int, rng: random.Random) -> bool:
    k = 1
    while _bernoulli(n, d * k, rng):
        k += 1
    return k % 2 == 1


def _bernoulli_exp(n: int, d: int, rng: random.Random) -> bool:
    while n > d:
        if not _bernoulli_exp1(1, 1, rng):
            return False
        n -= d
    return _bernoulli_exp1(n, d, rng)


def _geometric_exp(t: int, rng: random.Random) -> int:
    while True:
        u = rng.randrange(t)
        if _bernoulli_exp(u, t, rng):
            break
    v = 0
    while _bernoulli_exp1(1, 1, rng):
        v += 1
    return v * t + u


def _discrete_laplace(t: int, rng: random.Random) -> int:
    while True:
        negative = _bernoulli(1, 2, rng)
        magnitude = _geometric_exp(t, rng)
        if negative and magnitude == 0:
            continue
        return -magnitude if negative else magnitude


def round_half_away(x: float) -> float:
    """Swift's ``rounded()`` (to nearest, ties away from zero); Python's round() ties to even."""
    if x < 0:
        return -round_half_away(-x)
    f = math.floor(x)
    return float(f + 1 if x - f >= 0.5 else f)


class SnappedGaussian:
    """The Gaussian mechanism on a power-of-two grid (SnappedGaussian.swift)."""

    def __init__(self, sigma: float):
        if not (math.isfinite(sigma) and sigma > 0):
            raise ValueError("σ must be finite and > 0")
        self.sigma = sigma
        self.grid = 2.0 ** math.floor(math.log2(sigma / STEPS_PER_SIGMA))
        steps = sigma / self.grid
        self.noise = DiscreteGaussian(steps * steps)

    def sensitivity(self, delta: float, dimensions: int) -> float:
        return delta + math.sqrt(dimensions) * self.grid / 2

    def release(self, values: Sequence[float], rng: random.Random) -> List[float]:
        return [(round_half_away(v / self.grid) + self.noise.sample(rng)) * self.grid for v in values]


# --- clipping and partition -----------------------------------------------------------------

def l2_norm(x: Sequence[float]) -> float:
    s = 0.0
    for v in x:
        s += v * v
    return math.sqrt(s)


def l2_clip(x: Sequence[float], bound: float) -> List[float]:
    """``x`` scaled to L2 norm at most ``bound`` (computed norm ≤ bound exactly)."""
    n = l2_norm(x)
    if n <= bound:
        return list(x)
    factor = bound / n
    y = [v * factor for v in x]
    while l2_norm(y) > bound:
        factor = math.nextafter(factor, -math.inf)
        y = [v * factor for v in x]
    return y


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    ab = aa = bb = 0.0
    for x, y in zip(a, b):
        ab += x * y
        aa += x * x
        bb += y * y
    if aa <= 0 or bb <= 0:
        return 0.0
    return ab / (math.sqrt(aa) * math.sqrt(bb))


def nearest_anchor(image: Sequence[float], text: Sequence[float], anchors: Sequence[Sequence[float]]) -> int:
    """The anchor with the largest cos(image, a) + cos(text, a); ties to the lowest index."""
    best, best_index = -math.inf, 0
    for i, a in enumerate(anchors):
        score = cosine(image, a) + cosine(text, a)
        if score > best:
            best, best_index = score, i
    return best_index


# --- the release ----------------------------------------------------------------------------

@dataclass
class PrototypeRecord:
    image: List[float]
    text: List[float]


@dataclass
class ReleasedPrototype:
    cluster: int
    image: List[float]
    text: List[float]
    count: float


@dataclass
class Release:
    """What one release puts out (PrototypeReleaseResult) and the Contribution fields it declares."""
    prototypes: List[ReleasedPrototype]
    mode: str
    sigma: float
    sensitivity: float
    noise_multiplier: float
    epsilon: float
    delta: float
    grid: Optional[float]
    records: int

    @property
    def count_sigma(self) -> float:
        return self.sigma if self.mode == "multimodal" else 0.0


MODES = {"multimodal": 1, "image-only": 2, "none": 3}


def release_prototypes(records: Sequence[PrototypeRecord], anchors: Sequence[Sequence[float]], *, mode: str = "multimodal",
                       epsilon: float = 1.0, delta: float = 1e-6, clip: float = 1.0, calibration: str = "analytic",
                       image_only_q: float = 0.2, image_only_s: float = 0.05,
                       rng: Optional[random.Random] = None) -> Release:
    """Releases the prototypes of ``records`` under the ``anchors`` partition (PrototypeRelease.release)."""
    rng = rng or random.SystemRandom()
    if mode not in MODES:
        raise PrivacyRefusal("mode", f"must be one of {', '.join(MODES)}, got {mode!r}")
    if not (math.isfinite(clip) and clip > 0):
        raise PrivacyRefusal("clipping_bound", f"must be a finite C > 0, got {clip}")
    if not anchors:
        raise PrivacyRefusal("anchors", "the public codebook is empty")
    d = len(anchors[0])
    for i, a in enumerate(anchors):
        if len(a) != d:
            raise PrivacyRefusal("anchors", f"anchor {i} has {len(a)} dimensions, anchor 0 has {d}")
        if not all(math.isfinite(v) for v in a) or l2_norm(a) <= 0:
            raise PrivacyRefusal("anchors", f"anchor {i} must be finite and non-zero")
    cells = len(anchors)
    for i, r in enumerate(records):
        if len(r.image) != d or len(r.text) != d:
            raise PrivacyRefusal("records", f"record {i} has {len(r.image)}/{len(r.text)} image/text dimensions, expected {d}")
        if not all(math.isfinite(v) for v in list(r.image) + list(r.text)):
            raise PrivacyRefusal("records", f"record {i} is not finite")

    images = [l2_clip(r.image, clip) for r in records]
    texts = [l2_clip(r.text, clip) for r in records]
    cell = [nearest_anchor(im, tx, anchors) for im, tx in zip(images, texts)]
    nominal = math.sqrt(2 * clip * clip + 1)

    def sums(snap: Optional[float]):
        image = [[0.0] * d for _ in range(cells)]
        text = [[0.0] * d for _ in range(cells)]
        count = [0.0] * cells
        for i, j in enumerate(cell):
            count[j] += 1
            for t in range(d):
                if snap is not None:
                    image[j][t] += round_half_away(images[i][t] / snap) * snap
                    text[j][t] += round_half_away(texts[i][t] / snap) * snap
                else:
                    image[j][t] += images[i][t]
                    text[j][t] += texts[i][t]
        return image, text, count

    def divide(v: Sequence[float], n: float) -> List[float]:
        den = max(n, 1.0)
        return [x / den for x in v]

    if mode == "none":
        image, text, count = sums(None)
        protos = [ReleasedPrototype(j, divide(image[j], count[j]), divide(text[j], count[j]), count[j]) for j in range(cells)]
        return Release(protos, mode, 0.0, nominal, 0.0, 0.0, 0.0, None, len(records))

    if mode == "image-only":
        sigma = image_only_q * image_only_s
        m = SnappedGaussian(sigma)
        image, text, count = sums(None)
        protos = [ReleasedPrototype(j, m.release(divide(image[j], count[j]), rng), divide(text[j], count[j]), count[j])
                  for j in range(cells)]
        return Release(protos, mode, sigma, clip, 0.0, 0.0, 0.0, m.grid, len(records))

    sensitivity = nominal
    mechanism = None
    sigma = 0.0
    for _ in range(32):
        sigma = gaussian_sigma(epsilon, delta, sensitivity, calibration)
        if sigma > STEPS_PER_SIGMA:
            raise PrivacyRefusal("epsilon", f"σ = {sigma} is too large to snap exactly (grid above 1 would round the counts); raise ε or δ")
        m = SnappedGaussian(sigma)
        per_modality = m.sensitivity(clip, d)
        needed = math.sqrt(2 * per_modality * per_modality + 1)
        if needed <= sensitivity:
            mechanism = m
            break
        sensitivity = needed
    if mechanism is None:
        raise PrivacyRefusal("sensitivity", "σ and the snapping grid did not settle")
    image, text, count = sums(mechanism.grid)
    protos = []
    for j in range(cells):
        im = mechanism.release(image[j], rng)
        tx = mechanism.release(text[j], rng)
        n = mechanism.release([count[j]], rng)[0]
        protos.append(ReleasedPrototype(j, divide(im, n), divide(tx, n), n))
    return Release(protos, mode, sigma, sensitivity, sigma / sensitivity, epsilon, delta, mechanism.grid, len(records))


def contribution_of(release: Release, sequence: int):
    """The ``valuation_pb2.Contribution`` declaring ``release`` (ReleaseMaker.make)."""
    from fairway._proto import valuation_pb2
    c = valuation_pb2.Contribution(mode=MODES[release.mode], epsilon=release.epsilon, delta=release.delta,
                                   noise_multiplier=release.noise_multiplier, sequence=sequence, records=release.records,
                                   count_sigma=release.count_sigma)
    for p in release.prototypes:
        c.prototypes.add(image=p.image, text=p.text, count=p.count)
    return c


# --- accounting -----------------------------------------------------------------------------

#: The 156 orders of Google's dp-accounting (RDPAccountant.defaultOrders).
DEFAULT_ORDERS = [1 + i / 10 for i in range(1, 100)] + [float(i) for i in range(11, 64)] + [128.0, 256.0, 512.0, 1024.0]


class RDPAccountant:
    """Rényi-DP accountant of Gaussian mechanisms (RDPAccountant.swift), converted to (ε, δ) by
    Canonne, Kamath & Steinke 2020, Prop. 12, as dp-accounting does."""

    def __init__(self, orders: Sequence[float] = DEFAULT_ORDERS):
        self.orders = list(orders)
        self.rdp = [0.0] * len(self.orders)

    def compose(self, noise_multiplier: float, count: int = 1) -> None:
        z = noise_multiplier
        for i, a in enumerate(self.orders):
            self.rdp[i] += math.inf if z == 0 else count * a / (2 * z * z)

    def epsilon(self, delta: float):
        """(ε, order) at δ."""
        best, best_order = math.inf, self.orders[0]
        for a, r in zip(self.orders, self.rdp):
            if delta * delta + math.expm1(-r) > 0:
                e = 0.0
            elif a > 1.01:
                e = r + math.log1p(-1 / a) - math.log(delta * a) / (a - 1)
            else:
                e = math.inf
            if e < best:
                best, best_order = e, a
        return max(0.0, best), best_order

    def delta(self, epsilon: float):
        """(δ, order) at ε."""
        best, best_order = math.inf, self.orders[0]
        for a, r in zip(self.orders, self.rdp):
            logd = 0.5 * math.log1p(-math.exp(-r)) if r > 0 else -math.inf
            if a > 1.01:
                logd = min(logd, (a - 1) * (r - epsilon + math.log1p(-1 / a)) - math.log(a))
            if logd < best:
                best, best_order = logd, a
        return min(math.exp(best), 1.0), best_order


class BudgetExhausted(PrivacyRefusal):
    def __init__(self, spent: float, would_be: float, remaining: float, budget: float):
        self.spent, self.would_be, self.remaining, self.budget = spent, would_be, remaining, budget
        super().__init__("privacy.budget_epsilon", f"privacy budget exhausted: ε spent {spent} of {budget} (remaining {remaining}); "
                                                   f"this release would make it {would_be}")


class PrivacyBudget:
    """An identity's (ε, δ) budget over its releases (PrivacyBudget.swift). With ``path`` every
    charge is written (JSON, fsync'd) before ``charge`` returns, so a restart does not spend it twice."""

    def __init__(self, epsilon: float = 8.0, delta: float = 1e-5, *, path: Optional[str] = None):
        if not (math.isfinite(epsilon) and epsilon > 0 and 0 < delta < 1):
            raise PrivacyRefusal("budget", "a budget needs ε > 0 and 0 < δ < 1")
        self.epsilon, self.delta, self.path = epsilon, delta, path
        self.charged: List[float] = []
        self._acc = RDPAccountant()
        if path:
            import json
            import os
            if os.path.exists(path):
                with open(path, encoding="utf-8") as f:
                    for z in json.load(f)["charged_noise_multipliers"]:
                        self._acc.compose(z)
                        self.charged.append(z)

    @property
    def spent(self) -> float:
        return self._acc.epsilon(self.delta)[0] if self.charged else 0.0

    @property
    def remaining(self) -> float:
        return max(0.0, self.epsilon - self.spent)

    def charge(self, noise_multiplier: float) -> None:
        """Charges one Gaussian release of multiplier z; ``BudgetExhausted`` (nothing charged) past the budget."""
        nxt = RDPAccountant(self._acc.orders)
        nxt.rdp = list(self._acc.rdp)
        nxt.compose(noise_multiplier)
        would_be = nxt.epsilon(self.delta)[0]
        if would_be > self.epsilon:
            raise BudgetExhausted(self.spent, would_be, self.remaining, self.epsilon)
        if self.path:
            import json
            import os
            tmp = self.path + ".tmp"
            with open(tmp, "w", encoding="utf-8") as f:
                json.dump({"epsilon": self.epsilon, "delta": self.delta, "charged_noise_multipliers": self.charged + [noise_multiplier]}, f)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path)
        self._acc = nxt
        self.charged.append(noise_multiplier)
