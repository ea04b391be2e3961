"""REQ/REP over nng with wire protocol 2 sessions (Sources/FairwayRuntime/Transport/RequestClient.swift
and ClientSessions.swift).

Each local identity that speaks through a ``RequestClient`` has its own Noise session with the
server, handshaken on its first call (three frames; the call's request rides on message 3),
again when rekeying is due, and transparently when the server answers ``unknown-session`` (it
restarted or expired the session): the same envelope bytes (same message id) are then resent
in the new session, so the server's idempotency cache and journal still recognise them.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Dict, Optional

import pynng

from fairway._proto import session_pb2
from fairway.errors import FairwayError, Malformed, NoReply, Unauthenticated, from_wire
from fairway.identity import NodeKey
from fairway.session import ClientSession, InitiatorHandshake, StaticKey, decode_frame, frame_error
from fairway.wire import DEFAULT_MAX_MESSAGE_BYTES, Opened, make_envelope, open_from_session, seal_for_session


@dataclass
class TransportSettings:
    """Socket and session settings, with the daemons' defaults (README, *transport*)."""
    #: Largest envelope this client sends or accepts.
    max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES
    #: Deadline of one call (handshake included), ms.
    request_timeout_ms: int = 5000
    #: Deadline of sending one frame, ms.
    send_timeout_ms: int = 1000
    #: nng REQ resend interval, ms.
    resend_ms: int = 1000
    reconnect_min_ms: int = 100
    reconnect_max_ms: int = 2000
    #: Handshake again once a session is this old (the server refuses sessions older than 180 s).
    rekey_after_s: float = 120.0
    rekey_after_messages: int = 1 << 60

    @property
    def transport_max_bytes(self) -> int:
        """The socket's receive limit: 4x the envelope limit plus frame overhead, as the daemons set it."""
        return self.max_message_bytes * 4 + 64 * 1024


class RequestClient:
    """Requests to one REP socket, in Noise sessions. Thread-safe: each exchange has its own nng
    context, so calls from several threads (e.g. heartbeats beside a contribution) run concurrently."""

    def __init__(self, url: str, identity: Optional[NodeKey] = None, settings: Optional[TransportSettings] = None, *,
                 expected_peer: Optional[str] = None):
        self.url = url
        self.identity = identity or NodeKey.generate()
        self.settings = settings or TransportSettings()
        #: Only this node id may answer handshakes (``Unauthenticated`` otherwise).
        self.expected_peer = expected_peer
        self._lock = threading.Lock()  # guards the tables below, never held across I/O
        self._sessions: Dict[str, ClientSession] = {}
        self._handshaking: Dict[str, threading.Lock] = {}
        self._statics: Dict[str, StaticKey] = {}
        s = self.settings
        self._socket = pynng.Req0(send_timeout=s.send_timeout_ms, recv_timeout=s.request_timeout_ms,
                                  recv_max_size=s.transport_max_bytes, resend_time=s.resend_ms,
                                  reconnect_time_min=s.reconnect_min_ms, reconnect_time_max=s.reconnect_max_ms)
        self._socket.dial(url, block=False)
        #: Handshakes completed, for tests and tools.
        self.handshakes = 0

    # -- public API ---------------------------------------------------------------------------

    def call(self, kind: str, payload, *, sender: Optional[NodeKey] = None, message_id: Optional[bytes] = None,
             sent_at_ms: Optional[int] = None, timeout_ms: Optional[int] = None, sign: Optional[bool] = None) -> Opened:
        """Sends one request of ``kind`` (the Envelope payload field) with a fresh message id and
        returns the authenticated reply; an ``error`` reply is raised as its typed exception."""
        key = sender or self.identity
        env = make_envelope(key.node_id, kind, payload, message_id=message_id, sent_at_ms=sent_at_ms)
        sealed = seal_for_session(env, key, sign=sign)
        return self.call_sealed(sealed, env.message_id, sender=key, timeout_ms=timeout_ms)

    def call_sealed(self, sealed: bytes, message_id: bytes, *, sender: Optional[NodeKey] = None,
                    timeout_ms: Optional[int] = None) -> Opened:
        """Sends a request sealed earlier (e.g. kept to resend byte for byte) and returns the reply.
        ``in-progress`` is waited out by resending the same bytes after its retry-after."""
        deadline = time.monotonic() + (timeout_ms if timeout_ms is not None else self.settings.request_timeout_ms) / 1000
        while True:
            reply = self.exchange_sealed(sealed, sender=sender, deadline=deadline)
            if reply.envelope.in_reply_to and reply.envelope.in_reply_to != message_id:
                raise Malformed(f"reply answers message {reply.envelope.in_reply_to.hex()}, not {message_id.hex()}",
                                field="envelope.in_reply_to", peer=self.url)
            if reply.kind == "error":
                err = from_wire(reply.envelope.error, peer=reply.envelope.sender)
                if err.code == "in-progress" and time.monotonic() < deadline:
                    time.sleep(max(10, err.retry_after_ms) / 1000)
                    continue
                raise err
            return reply

    def exchange_sealed(self, sealed: bytes, *, sender: Optional[NodeKey] = None, deadline: Optional[float] = None) -> Opened:
        """One request in ``sender``'s session (handshaking first when needed) and its authenticated
        reply, an error reply included (not raised). Raises refusals outside the session."""
        key = sender or self.identity
        if deadline is None:
            deadline = time.monotonic() + self.settings.request_timeout_ms / 1000
        forgotten = 0
        while True:
            session = self._current(key)
            if session is None:
                # One handshake per identity at a time (its request rides on message 3); the
                # others wait for its session, as ClientSessions.swift's lead and waiters do.
                lock = self._identity_lock(key)
                if not lock.acquire(timeout=max(0.0, deadline - time.monotonic())):
                    raise NoReply("no reply before the deadline (waiting for a handshake)", peer=self.url)
                try:
                    session = self._current(key)
                    if session is None:
                        return self._handshake(key, sealed, deadline)
                finally:
                    lock.release()
            frame = session_pb2.Frame(session=session.seal(sealed))
            reply = self._exchange_frame(frame, deadline)
            if reply.WhichOneof("kind") == "session":
                return self._opened(reply.session, session)
            err = frame_error(reply, peer=self.url)
            if err is not None and err.code == "unknown-session" and forgotten < 3:
                # The server restarted or expired the session: handshake again, resend.
                forgotten += 1
                with self._lock:
                    if self._sessions.get(key.node_id) is session:
                        del self._sessions[key.node_id]
                continue
            raise self._refusal(reply, "a session message")

    def session_of(self, key: Optional[NodeKey] = None) -> Optional[ClientSession]:
        """The current session of ``key`` (default: this client's identity), if any."""
        return self._sessions.get((key or self.identity).node_id)

    def forget_sessions(self) -> None:
        """Drops every session (the next call handshakes again)."""
        with self._lock:
            self._sessions.clear()

    def exchange_raw(self, data: bytes, timeout_ms: Optional[int] = None) -> bytes:
        """Sends raw bytes and returns the raw reply: for tools and hostile tests."""
        return self._exchange_bytes(data, time.monotonic() + (timeout_ms or self.settings.request_timeout_ms) / 1000)

    def close(self) -> None:
        self._socket.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- internals ----------------------------------------------------------------------------

    def _static(self, key: NodeKey) -> StaticKey:
        with self._lock:
            s = self._statics.get(key.node_id)
            if s is None:
                s = self._statics[key.node_id] = StaticKey(key)
            return s

    def _identity_lock(self, key: NodeKey) -> threading.Lock:
        with self._lock:
            lock = self._handshaking.get(key.node_id)
            if lock is None:
                lock = self._handshaking[key.node_id] = threading.Lock()
            return lock

    def _current(self, key: NodeKey) -> Optional[ClientSession]:
        """The session ``key`` speaks in, unless rekeying is due."""
        with self._lock:
            session = self._sessions.get(key.node_id)
        if session is not None and self._due_for_rekey(session):
            return None
        return session

    def _due_for_rekey(self, session: ClientSession) -> bool:
        return (time.monotonic() - session.established >= self.settings.rekey_after_s
                or session.sent >= self.settings.rekey_after_messages)

    def _handshake(self, key: NodeKey, first: bytes, deadline: float) -> Opened:
        """XX over REQ/REP: message 1 -> message 2 -> message 3 with the first request -> its reply."""
        initiator = InitiatorHandshake(self._static(key))
        response = self._exchange_frame(session_pb2.Frame(handshake_init=session_pb2.HandshakeInit(noise=initiator.start())), deadline)
        if response.WhichOneof("kind") != "handshake_response":
            raise self._refusal(response, "handshake message 2")
        hid = response.handshake_response.handshake_id
        try:
            message3, peer, keys = initiator.finish(response.handshake_response.noise)
        except FairwayError as e:
            e.peer = self.url
            raise
        if self.expected_peer is not None and peer.node_id != self.expected_peer:
            raise Unauthenticated(f"{self.url} proved identity {peer.node_id}, not the pinned {self.expected_peer}",
                                  field="frame.handshake_response.binding", peer=self.url)
        session = ClientSession(hid, peer, keys)
        finish = session_pb2.HandshakeFinish(handshake_id=hid, noise=message3, first=session.seal(first))
        reply = self._exchange_frame(session_pb2.Frame(handshake_finish=finish), deadline)
        if reply.WhichOneof("kind") != "session":
            raise self._refusal(reply, "the reply to the first request")
        opened = self._opened(reply.session, session)
        with self._lock:
            self._sessions[key.node_id] = session
            self.handshakes += 1
        return opened

    def _opened(self, message, session: ClientSession) -> Opened:
        try:
            plaintext = session.open(message)
            return open_from_session(plaintext, session.peer.public_key, max_bytes=self.settings.max_message_bytes, peer=self.url)
        except FairwayError as e:
            e.peer = e.peer or self.url
            raise

    def _refusal(self, frame, what: str) -> FairwayError:
        err = frame_error(frame, peer=self.url)
        if err is not None:
            return err
        return Malformed(f"expected {what} from {self.url}, got {frame.WhichOneof('kind')}", field="frame.kind", peer=self.url)

    def _exchange_frame(self, frame, deadline: float):
        data = self._exchange_bytes(frame.SerializeToString(), deadline)
        return decode_frame(data, self.settings.transport_max_bytes, peer=self.url)

    def _exchange_bytes(self, data: bytes, deadline: float) -> bytes:
        remaining_ms = int((deadline - time.monotonic()) * 1000)
        if remaining_ms <= 0:
            raise NoReply("no reply before the deadline", peer=self.url, retry_after_ms=self.settings.reconnect_min_ms)
        # One nng context per exchange (as the Swift client), so calls run concurrently; its
        # deadlines cover both waiting for a connection to send on and the reply.
        try:
            ctx = self._socket.new_context()
        except pynng.NNGException as e:
            raise NoReply(f"{type(e).__name__}: {e}", peer=self.url)
        try:
            pynng.lib.nng_ctx_set_ms(ctx.context, b"send-timeout", remaining_ms)
            pynng.lib.nng_ctx_set_ms(ctx.context, b"recv-timeout", remaining_ms)
            ctx.send(data)
            return ctx.recv()
        except pynng.Timeout:
            raise NoReply(f"no reply within {remaining_ms} ms", peer=self.url, retry_after_ms=self.settings.reconnect_min_ms)
        except pynng.NNGException as e:
            raise NoReply(f"{type(e).__name__}: {e}", peer=self.url, retry_after_ms=self.settings.reconnect_min_ms)
        finally:
            ctx.close()

