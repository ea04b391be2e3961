#!/usr/bin/env python3
"""Converts a Noise vector file in the cacophony JSON format (Tests/Reference/noise-vectors.json)
into the line format tests/test_noise_vectors.c reads:

    vector <id>
    <key> <hex or ->           one line per field: protocol_name (text), init_/resp_prologue,
                                init_/resp_static, init_/resp_ephemeral, init_/resp_remote_static,
                                handshake_hash
    psk <init|resp> <hex>      one line per pre-shared key, in order
    message <payload hex or -> <ciphertext hex or ->
    end

Usage: noise_vectors_to_txt.py VECTORS.json > vectors.txt"""
import json
import sys

doc = json.load(open(sys.argv[1]))
vectors = doc["vectors"] if isinstance(doc, dict) else doc
for v in vectors:
    name = v.get("protocol_name") or v.get("name")
    print("vector", v.get("id", name))
    print("protocol_name", name)
    for k in ("init_prologue", "resp_prologue", "init_static", "resp_static", "init_ephemeral",
              "resp_ephemeral", "init_remote_static", "resp_remote_static", "handshake_hash"):
        if v.get(k) is not None:
            print(k, v[k] or "-")
    for side in ("init", "resp"):
        for p in v.get(side + "_psks") or []:
            print("psk", side, p)
    for m in v["messages"]:
        print("message", m["payload"] or "-", m["ciphertext"] or "-")
    print("end")
