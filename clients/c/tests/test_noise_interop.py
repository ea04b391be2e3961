"""Interoperability of libfairway's Noise (build/libfairway.so, through ctypes) with an
independent implementation, the `noiseprotocol` Python package, on Fairway's protocol:
Noise_XX_25519_ChaChaPoly_SHA256 with the prologue "fairway/2", random keys, C as initiator
and as responder, then transport messages both ways with the same keys (Split()).

Run: python3 -m pytest -q clients/c/tests/test_noise_interop.py   (skipped without the package
or the shared library; `make test` runs it when both are present)."""
import ctypes
import os
import secrets

import pytest

noise_connection = pytest.importorskip("noise.connection")
NoiseConnection, Keypair = noise_connection.NoiseConnection, noise_connection.Keypair

HERE = os.path.dirname(os.path.abspath(__file__))
LIB = os.environ.get("FAIRWAY_LIB", os.path.join(HERE, "..", "build", "libfairway.so"))
NAME = b"Noise_XX_25519_ChaChaPoly_SHA256"
PROLOGUE = b"fairway/2"


class Params(ctypes.Structure):
    _fields_ = [("protocol_name", ctypes.c_char_p), ("initiator", ctypes.c_int), ("prologue", ctypes.c_char_p),
                ("prologue_len", ctypes.c_size_t), ("static_priv", ctypes.c_char_p), ("ephemeral_priv", ctypes.c_char_p),
                ("remote_static", ctypes.c_char_p), ("psks", ctypes.c_void_p), ("npsks", ctypes.c_int)]


class Cipher(ctypes.Structure):
    _fields_ = [("k", ctypes.c_uint8 * 32), ("has_key", ctypes.c_int), ("n", ctypes.c_uint64)]


@pytest.fixture(scope="module")
def lib():
    if not os.path.exists(LIB):
        pytest.skip("build/libfairway.so not built (make -C clients/c)")
    lib = ctypes.CDLL(LIB)
    assert lib.fw_init() == 0
    return lib


class CSide:
    """One party on libfairway's fw_handshake_*."""

    def __init__(self, lib, initiator, static):
        self.lib, self.static = lib, static
        self.hs = ctypes.create_string_buffer(8192)  # > sizeof(fw_handshake)
        self.params = Params(NAME, 1 if initiator else 0, PROLOGUE, len(PROLOGUE), static, None, None, None, 0)
        assert lib.fw_handshake_init(self.hs, ctypes.byref(self.params)) == 0

    def write(self, payload):
        out, n = ctypes.create_string_buffer(2048), ctypes.c_size_t()
        assert self.lib.fw_handshake_write(self.hs, payload, len(payload), out, 2048, ctypes.byref(n)) == 0
        return out.raw[: n.value]

    def read(self, msg):
        msg = bytes(msg)
        out, n = ctypes.create_string_buffer(2048), ctypes.c_size_t()
        rc = self.lib.fw_handshake_read(self.hs, msg, len(msg), out, 2048, ctypes.byref(n))
        if rc != 0:
            raise ValueError("fw_handshake_read: %d" % rc)
        return out.raw[: n.value]

    def remote_static(self):
        self.lib.fw_handshake_remote_static.restype = ctypes.c_void_p
        return ctypes.string_at(self.lib.fw_handshake_remote_static(self.hs), 32)

    def split(self):
        c1, c2 = Cipher(), Cipher()
        assert self.lib.fw_handshake_split(self.hs, ctypes.byref(c1), ctypes.byref(c2)) == 0
        return c1, c2

    def encrypt(self, cs, pt):
        out = ctypes.create_string_buffer(len(pt) + 16)
        assert self.lib.fw_cipher_encrypt(ctypes.byref(cs), None, 0, pt, len(pt), out) == 0
        return out.raw

    def decrypt(self, cs, ct):
        ct = bytes(ct)
        out = ctypes.create_string_buffer(max(1, len(ct) - 16))
        rc = self.lib.fw_cipher_decrypt(ctypes.byref(cs), None, 0, ct, len(ct), out)
        if rc != 0:
            raise ValueError("fw_cipher_decrypt: %d" % rc)
        return out.raw[: len(ct) - 16]


def py_side(initiator, static):
    conn = NoiseConnection.from_name(NAME)
    conn.set_as_initiator() if initiator else conn.set_as_responder()
    conn.set_prologue(PROLOGUE)
    conn.set_keypair_from_private_bytes(Keypair.STATIC, static)
    conn.start_handshake()
    return conn


@pytest.mark.parametrize("c_is_initiator", [True, False])
@pytest.mark.parametrize("round_", range(5))
def test_xx_with_noiseprotocol(lib, c_is_initiator, round_):
    c_static, py_static = secrets.token_bytes(32), secrets.token_bytes(32)
    c = CSide(lib, c_is_initiator, c_static)
    py = py_side(not c_is_initiator, py_static)
    payloads = [b"", b"binding of the responder" * 3, b"binding of the initiator, and early data"]
    for i, payload in enumerate(payloads):
        c_writes = (i % 2 == 0) == c_is_initiator
        if c_writes:
            assert py.read_message(c.write(payload)) == payload
        else:
            assert c.read(py.write_message(payload)) == payload
    assert py.handshake_finished
    # each side learnt the other's static key
    pub = ctypes.create_string_buffer(32)
    assert lib.fw_noise_public_key(pub, py_static) == 0
    assert c.remote_static() == pub.raw
    # transport both ways with Split()'s keys: c1 initiator -> responder, c2 back
    c1, c2 = c.split()
    send, recv = (c1, c2) if c_is_initiator else (c2, c1)
    for k in range(3):
        msg = secrets.token_bytes(40 + k)
        assert py.decrypt(c.encrypt(send, msg)) == msg
        back = secrets.token_bytes(17 + k)
        assert c.decrypt(recv, py.encrypt(back)) == back


def test_tampered_message_2_refused(lib):
    c = CSide(lib, True, secrets.token_bytes(32))
    py = py_side(False, secrets.token_bytes(32))
    py.read_message(c.write(b""))
    m2 = bytearray(py.write_message(b"payload"))
    m2[40] ^= 1  # inside the encrypted static key
    with pytest.raises(ValueError):
        c.read(bytes(m2))
