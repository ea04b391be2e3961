"""The built-in digits encoders ported from Sources/FairwayCore/Embedding."""
import os

import pytest

from fairway.embedding import DigitsEncoder, description, embed_records, load_digits, phrasings, tokens
from fairway.privacy import cosine


def test_vocabulary_is_the_phrasings_tokens():
    enc = DigitsEncoder.builtin()
    assert enc.vocabulary == sorted({t for label in range(10) for p in phrasings(label) for t in tokens(p)})
    assert enc.dimension == 16 and len(enc.image_projection) == 16 * 64


def test_descriptions_pair_records_by_position():
    assert description(0, 0) == "a handwritten zero"
    assert description(7, 3) == "the digit 3"
    assert tokens("A small picture, of a 7!") == ["a", "small", "picture", "of", "a", "7"]


def test_embeddings_are_unit_and_zero_shot_works(repo):
    enc = DigitsEncoder.builtin()
    digits = load_digits(os.path.join(repo, "data", "uci-digits-8x8.csv"))
    assert len(digits) == 1797
    anchors = enc.anchors()
    records = embed_records(digits[:500], enc)
    for r in records[:20]:
        assert sum(x * x for x in r.image) == pytest.approx(1.0) and sum(x * x for x in r.text) == pytest.approx(1.0)
    correct = sum(1 for d, r in zip(digits, records) if max(range(10), key=lambda l: cosine(r.image, anchors[l])) == d.label)
    assert correct / len(records) > 0.9  # README: held-out image->text zero-shot 0.950


def test_weights_json_matches_the_swift_source(repo):
    """The committed JSON is what the generator extracts from DigitsEncoderWeights.swift now."""
    import importlib.util
    import json
    spec = importlib.util.spec_from_file_location("extract", os.path.join(os.path.dirname(__file__), "..", "scripts", "extract_encoder_weights.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    with open(os.path.join(repo, "Sources", "FairwayCore", "Embedding", "DigitsEncoderWeights.swift"), encoding="utf-8") as f:
        fresh = mod.extract(f.read())
    with open(os.path.join(os.path.dirname(__file__), "..", "src", "fairway", "_data", "digits_encoder.json"), encoding="utf-8") as f:
        committed = json.load(f)
    for k, v in fresh.items():
        assert committed[k] == v, k
