"""The built-in digits encoders (`AlignedLinearEncoder.digits`, Sources/FairwayCore/Embedding/) and the
digits data set, so a Python agent embeds and partitions its records exactly as edge-agent does.

Weights come from ``_data/digits_encoder.json``, extracted from DigitsEncoderWeights.swift by
scripts/generate-python-protos.sh (scripts/extract_encoder_weights.py).
"""
from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence

from fairway.privacy import PrototypeRecord

PIXELS = 64
LABELS = 10
NAMES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
TEMPLATES = [
    "a handwritten {word}",
    "the digit {numeral}",
    "number {word} written by hand",
    "a scanned {numeral} digit",
    "an image of the number {word}",
    "a small picture of a handwritten {numeral}",
]


def phrasings(label: int) -> List[str]:
    if not 0 <= label < LABELS:
        raise ValueError(f"label must be in 0...9, got {label}")
    return [t.replace("{word}", NAMES[label]).replace("{numeral}", str(label)) for t in TEMPLATES]


def description(record_index: int, label: int) -> str:
    """The text paired with record ``record_index`` (0-based, file order) of ``label``."""
    p = phrasings(label)
    return p[record_index % len(p)]


def tokens(text: str) -> List[str]:
    """Lowercase maximal runs of letters or digits."""
    out, cur = [], ""
    for c in text.lower():
        if c.isalpha() or c.isnumeric():
            cur += c
        elif cur:
            out.append(cur)
            cur = ""
    if cur:
        out.append(cur)
    return out


def _seq_sum(values) -> float:
    """Left-to-right float sum, as Swift's loops add (Python >= 3.12's sum() compensates)."""
    s = 0.0
    for v in values:
        s += v
    return s


def _unit(v: List[float], what: str) -> List[float]:
    """unitNormalised (Encoder.swift)."""
    total = 0.0
    for x in v:
        if not math.isfinite(x):
            raise ValueError(f"{what} has a non-finite component")
        total += x * x
    n = math.sqrt(total)
    if not (math.isfinite(n) and n > 1e-300):
        raise ValueError(f"{what} is the zero vector: it has no direction")
    return [x / n for x in v]


class DigitsEncoder:
    """Linear image and text encoders into one unit-normalised space of dimension d (16)."""

    def __init__(self, weights: Dict):
        self.dimension: int = weights["dimension"]
        self.vocabulary: List[str] = weights["vocabulary"]
        self.image_mean = weights["imageMean"]
        self.image_scale = weights["imageScale"]
        self.image_projection = weights["imageProjection"]
        self.text_mean = weights["textMean"]
        self.text_projection = weights["textProjection"]
        self._index = {w: j for j, w in enumerate(self.vocabulary)}

    @classmethod
    def builtin(cls) -> "DigitsEncoder":
        path = os.path.join(os.path.dirname(__file__), "_data", "digits_encoder.json")
        with open(path, encoding="utf-8") as f:
            return cls(json.load(f))

    @staticmethod
    def _project(matrix: Sequence[float], x: Sequence[float], rows: int) -> List[float]:
        n = len(x)
        out = []
        for r in range(rows):
            s = 0.0
            base = r * n
            for j in range(n):
                s += matrix[base + j] * x[j]
            out.append(s)
        return out

    def embed_image(self, pixels: Sequence[float]) -> List[float]:
        if len(pixels) != PIXELS:
            raise ValueError(f"an image has {PIXELS} pixels, got {len(pixels)}")
        z = [(float(pixels[i]) - self.image_mean[i]) / self.image_scale[i] for i in range(PIXELS)]
        return _unit(self._project(self.image_projection, z, self.dimension), "the image embedding")

    def embed_text(self, text: str) -> List[float]:
        f = [0.0] * len(self.vocabulary)
        for t in tokens(text):
            j = self._index.get(t)
            if j is not None:
                f[j] += 1
        f = [f[j] - self.text_mean[j] for j in range(len(f))]
        return _unit(self._project(self.text_projection, f, self.dimension), f'the embedding of "{text}"')

    def anchors(self) -> List[List[float]]:
        """The public partition: per label, the unit mean of its phrasings' text embeddings."""
        out = []
        for label in range(LABELS):
            ph = [self.embed_text(p) for p in phrasings(label)]
            mean = [_seq_sum(e[j] for e in ph) / len(ph) for j in range(self.dimension)]
            out.append(_unit(mean, f"anchor {label}"))
        return out


@dataclass
class DigitRecord:
    index: int  # 0-based position in the file
    label: int
    pixels: List[float]


def load_digits(path: str) -> List[DigitRecord]:
    """Reads the digits CSV (header ``label,p0,...,p63``)."""
    with open(path, encoding="utf-8") as f:
        lines = [ln.rstrip("\r\n") for ln in f]
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        raise ValueError(f"{path}: empty")
    header = lines[0].split(",")
    if [h.strip() for h in header] != ["label"] + [f"p{i}" for i in range(PIXELS)]:
        raise ValueError(f"{path}: header must be label,p0,...,p63")
    records = []
    for n, line in enumerate(lines[1:]):
        fields = line.split(",")
        if len(fields) != PIXELS + 1:
            raise ValueError(f"{path} line {n + 2}: {len(fields)} fields, expected {PIXELS + 1}")
        label = int(fields[0])
        pixels = [float(x) for x in fields[1:]]
        if not 0 <= label < LABELS or not all(0 <= p <= 16 for p in pixels):
            raise ValueError(f"{path} line {n + 2}: label or pixel out of range")
        records.append(DigitRecord(n, label, pixels))
    return records


def embed_records(records: Sequence[DigitRecord], encoder: Optional[DigitsEncoder] = None) -> List[PrototypeRecord]:
    """Each record's image and its paired description, embedded (ReleaseMaker.init)."""
    enc = encoder or DigitsEncoder.builtin()
    return [PrototypeRecord(enc.embed_image(r.pixels), enc.embed_text(description(r.index, r.label))) for r in records]


def identity_records(records: Sequence[DigitRecord], identity: int = 0, count: int = 1,
                     labels: Optional[Sequence[int]] = None) -> List[DigitRecord]:
    """The records identity ``identity`` of an agent process of ``count`` identities holds, as
    edge-agent splits ``data.path``: filtered by ``labels``, then every ``count``-th from ``identity``."""
    wanted = set(labels) if labels is not None else None
    kept = [r for r in records if wanted is None or r.label in wanted]
    return kept[identity::count]


def release_block(records: Sequence[DigitRecord], sequence: int, per_release: int = 100) -> List[DigitRecord]:
    """Release ``sequence`` (from 1) summarises the ``sequence``-th block of ``per_release`` records
    (``data.records_per_release``); empty when none are left."""
    start = (sequence - 1) * per_release
    return list(records[start:start + per_release])
