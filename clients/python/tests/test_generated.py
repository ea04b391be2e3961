"""The committed protobuf modules are what scripts/generate-python-protos.sh makes from proto/ now."""
import os
import shutil
import subprocess

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
PROTO_DIR = os.path.join(HERE, "..", "src", "fairway", "_proto")


def test_generated_modules_are_up_to_date(repo, tmp_path):
    if shutil.which("protoc") is None:
        pytest.skip("protoc not installed (apt-get install -y protobuf-compiler)")
    version = subprocess.run(["protoc", "--version"], capture_output=True, text=True).stdout.strip()
    if version != "libprotoc 3.21.12":
        pytest.skip(f"{version}: the committed modules come from libprotoc 3.21.12")
    subprocess.run(["protoc", "-I", os.path.join(repo, "proto"), f"--python_out={tmp_path}",
                    *sorted(os.path.join(repo, "proto", "fairway", "v1", f) for f in os.listdir(os.path.join(repo, "proto", "fairway", "v1")))],
                   check=True)
    generated = sorted(os.listdir(tmp_path / "fairway" / "v1"))
    assert generated == sorted(f for f in os.listdir(PROTO_DIR) if f.endswith("_pb2.py"))
    for name in generated:
        fresh = (tmp_path / "fairway" / "v1" / name).read_text().replace("from fairway.v1 import ", "from fairway._proto import ")
        with open(os.path.join(PROTO_DIR, name), encoding="utf-8") as f:
            assert f.read() == fresh, f"{name} is stale: run clients/python/scripts/generate-python-protos.sh"


def test_imports_work_as_a_package():
    from fairway._proto import envelope_pb2, session_pb2
    assert envelope_pb2.DESCRIPTOR.name == "fairway/v1/envelope.proto"
    assert session_pb2.Frame.DESCRIPTOR.full_name == "fairway.v1.Frame"
