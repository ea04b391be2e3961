#!/usr/bin/env python3
"""An independent implementation of fairway-wire-dump's output format (README.md,
"fairway-wire-dump") over Python's protobuf runtime, used to check the C tool: it decodes
every example in DIR/index.tsv and compares its dump with DIR/<name>.txt.

Usage: wire_dump_reference.py PROTO_DIR EXAMPLES_DIR      (exit 0: all equal; 77: skipped)
       wire_dump_reference.py PROTO_DIR --decode TYPE FILE (print one dump)
       wire_dump_reference.py PROTO_DIR --dump-dir OUT TYPE=FILE... (write OUT/<basename of FILE>.txt each)
"""
import importlib
import os
import subprocess
import sys
import tempfile


def shortest(v):
    if v != v:
        return "nan"
    if v in (float("inf"), float("-inf")):
        return "inf" if v > 0 else "-inf"
    for p in range(1, 18):
        s = "%.*g" % (p, v)
        if float(s) == v:
            return s
    return repr(v)


def quote(s):
    out = ['"']
    for b in s.encode("utf-8"):
        if b in (0x22, 0x5C):
            out.append("\\" + chr(b))
        elif b < 0x20 or b == 0x7F:
            out.append("\\x%02x" % b)
        else:
            out.append(bytes([b]))
    # join: bytes pieces are UTF-8, re-decode them together
    raw = b"".join(x if isinstance(x, bytes) else x.encode() for x in out) + b'"'
    return raw.decode("utf-8")


def value(fd, v, path, lines):
    from google.protobuf.descriptor import FieldDescriptor as F
    if fd.type == F.TYPE_MESSAGE:
        n = dump(v, path, lines)
        if n == 0:
            lines.append(path + "={}")
        return
    if fd.type in (F.TYPE_DOUBLE, F.TYPE_FLOAT):
        s = shortest(v)
    elif fd.type == F.TYPE_BOOL:
        s = "true" if v else "false"
    elif fd.type == F.TYPE_ENUM:
        ev = fd.enum_type.values_by_number.get(v)
        s = ev.name if ev else str(v)
    elif fd.type == F.TYPE_STRING:
        s = quote(v)
    elif fd.type == F.TYPE_BYTES:
        s = v.hex()
    else:
        s = str(v)
    lines.append(path + "=" + s)


def dump(msg, prefix, lines):
    from google.protobuf.descriptor import FieldDescriptor as F
    before = len(lines)
    for fd, v in msg.ListFields():  # set fields, in field-number order
        path = (prefix + "." if prefix else "") + fd.name
        if fd.label == F.LABEL_REPEATED:
            for i, x in enumerate(v):
                value(fd, x, "%s[%d]" % (path, i), lines)
        else:
            value(fd, v, path, lines)
    return len(lines) - before


def load(proto_dir):
    try:
        import google.protobuf  # noqa: F401
    except ImportError:
        print("wire_dump_reference: python3 protobuf not installed: skipped")
        sys.exit(77)
    out = tempfile.mkdtemp(prefix="fw-py-")
    import atexit
    import shutil
    atexit.register(shutil.rmtree, out, True)
    files = sorted("fairway/v1/" + f for f in os.listdir(os.path.join(proto_dir, "fairway/v1")) if f.endswith(".proto"))
    try:
        subprocess.run(["protoc", "-I", proto_dir, "--python_out", out] + files, check=True)
    except (OSError, subprocess.CalledProcessError) as e:
        print("wire_dump_reference: protoc unavailable (%s): skipped" % e)
        sys.exit(77)
    # The generated modules import each other as fairway.v1.*; another "fairway" package may be
    # installed (e.g. a Python client), so bind the names to the generated directory explicitly.
    import types as _types
    for name, sub in (("fairway", "fairway"), ("fairway.v1", "fairway/v1")):
        pkg = _types.ModuleType(name)
        pkg.__path__ = [os.path.join(out, sub)]
        sys.modules[name] = pkg
    mods = {}
    for f in files:
        m = importlib.import_module(f[:-6].replace("/", ".") + "_pb2")
        for name, d in m.DESCRIPTOR.message_types_by_name.items():
            mods["fairway.v1." + name] = getattr(m, name)
    return mods


def main():
    proto_dir = sys.argv[1]
    types = load(proto_dir)
    alias = {"envelope": "fairway.v1.Envelope", "signed-envelope": "fairway.v1.SignedEnvelope", "frame": "fairway.v1.Frame"}
    def parse(t, path):
        t = alias.get(t, t)
        t = t if t.startswith("fairway.v1.") else "fairway.v1." + t
        m = types[t]()
        m.ParseFromString(open(path, "rb").read())
        lines = []
        dump(m, "", lines)
        return lines
    if sys.argv[2] == "--dump-dir":
        out = sys.argv[3]
        os.makedirs(out, exist_ok=True)
        for arg in sys.argv[4:]:
            t, path = arg.split("=", 1)
            with open(os.path.join(out, os.path.basename(path) + ".txt"), "w", encoding="utf-8") as f:
                f.write("".join(l + "\n" for l in parse(t, path)))
        return 0
    if sys.argv[2] == "--decode":
        t = alias.get(sys.argv[3], sys.argv[3])
        t = t if t.startswith("fairway.v1.") else "fairway.v1." + t
        m = types[t]()
        m.ParseFromString(open(sys.argv[4], "rb").read())
        lines = []
        dump(m, "", lines)
        print("\n".join(lines))
        return 0
    d = sys.argv[2]
    failed = 0
    n = 0
    for row in open(os.path.join(d, "index.tsv")):
        if row.startswith("#") or not row.strip():
            continue
        name, typ, fname = row.split("\t")[:3]
        m = types[typ]()
        m.ParseFromString(open(os.path.join(d, fname), "rb").read())
        lines = []
        dump(m, "", lines)
        want = open(os.path.join(d, name + ".txt"), encoding="utf-8").read().splitlines()
        n += 1
        if lines != want:
            failed += 1
            print("DIFF %s" % name)
            for a, b in zip(lines + [""] * 99, want + [""] * 99):
                if a != b:
                    print("  python: %s\n  c:      %s" % (a, b))
                    break
        # and Python re-encodes to the same bytes (canonical encoding)
        if m.SerializeToString() != open(os.path.join(d, fname), "rb").read():
            print("NOTE %s: python re-encodes to different bytes" % name)
    print("wire dump reference (python protobuf): %d examples, %d differ" % (n, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
