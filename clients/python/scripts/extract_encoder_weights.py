#!/usr/bin/env python3
"""Reads the weights of `AlignedLinearEncoder.digits` from the Swift source
Sources/FairwayCore/Embedding/DigitsEncoderWeights.swift (written by `fairway-lab
train-encoders` in Swift's shortest round-trip form, which Python's float() reads back
exactly) and writes them as JSON for the Python client.

usage: extract_encoder_weights.py DigitsEncoderWeights.swift OUT.json
"""
import json
import re
import sys


def extract(text: str) -> dict:
    out = {}
    m = re.search(r"static let dimension = (\d+)", text)
    if not m:
        raise SystemExit("no dimension in the Swift weights file")
    out["dimension"] = int(m.group(1))
    m = re.search(r"static let vocabulary: \[String\] = \[(.*?)\]", text, re.S)
    if not m:
        raise SystemExit("no vocabulary in the Swift weights file")
    out["vocabulary"] = re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(1))
    for name in ("canonicalCorrelations", "imageMean", "imageScale", "imageProjection", "textMean", "textProjection"):
        m = re.search(r"static let %s: \[Double\] = \[(.*?)\]" % name, text, re.S)
        if not m:
            raise SystemExit(f"no {name} in the Swift weights file")
        out[name] = [float(x) for x in m.group(1).replace("\n", " ").split(",") if x.strip()]
    d, v = out["dimension"], len(out["vocabulary"])
    expected = {"canonicalCorrelations": d, "imageMean": 64, "imageScale": 64, "imageProjection": d * 64,
                "textMean": v, "textProjection": d * v}
    for name, n in expected.items():
        if len(out[name]) != n:
            raise SystemExit(f"{name} has {len(out[name])} values, expected {n}")
    return out


def main() -> None:
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    with open(sys.argv[1], encoding="utf-8") as f:
        weights = extract(f.read())
    weights["source"] = "Sources/FairwayCore/Embedding/DigitsEncoderWeights.swift (generated; do not edit)"
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        json.dump(weights, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
