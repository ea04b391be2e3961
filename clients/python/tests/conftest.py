import json
import os

import pytest

REPO = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
REFERENCE = os.path.join(REPO, "Tests", "Reference")


def reference(name: str):
    with open(os.path.join(REFERENCE, name), encoding="utf-8") as f:
        return json.load(f)


@pytest.fixture(scope="session")
def repo() -> str:
    return REPO
