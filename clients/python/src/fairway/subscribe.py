"""Epoch announcements over SUB: publications are SignedEnvelopes in the clear, always signed; each
is checked (signature over the exact envelope bytes, sender = address of the signing key, and
optionally the expected coordinator) before it is returned. Malformed ones are dropped and counted."""
from __future__ import annotations

import time
from typing import Iterator, Optional, Tuple

import pynng

from fairway._proto import membership_pb2
from fairway.errors import FairwayError, NoReply
from fairway.wire import DEFAULT_MAX_MESSAGE_BYTES, Opened, open_signed


class EpochSubscriber:
    def __init__(self, url: str, *, coordinator_id: Optional[str] = None, max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES,
                 reconnect_min_ms: int = 100, reconnect_max_ms: int = 2000):
        self.url = url
        self.coordinator_id = coordinator_id
        self.max_message_bytes = max_message_bytes
        self.dropped = 0
        self.last_error: Optional[FairwayError] = None
        self._socket = pynng.Sub0(send_timeout=1000, recv_timeout=5000, recv_max_size=max_message_bytes * 4 + 64 * 1024, reconnect_time_min=reconnect_min_ms,
                                  reconnect_time_max=reconnect_max_ms)
        self._socket.subscribe(b"")
        self._socket.dial(url, block=False)

    def receive(self, timeout_ms: int = 5000) -> Tuple[membership_pb2.EpochAnnouncement, Opened]:
        """The next verified epoch announcement (``NoReply`` if none within ``timeout_ms``)."""
        deadline = time.monotonic() + timeout_ms / 1000
        while True:
            remaining = int((deadline - time.monotonic()) * 1000)
            if remaining <= 0:
                raise NoReply(f"no epoch announcement within {timeout_ms} ms", peer=self.url)
            self._socket.recv_timeout = remaining
            try:
                data = self._socket.recv()
            except pynng.Timeout:
                continue
            try:
                opened = open_signed(data, max_bytes=self.max_message_bytes, peer=self.url)
                if self.coordinator_id and opened.envelope.sender != self.coordinator_id:
                    raise FairwayError(f"publication from {opened.envelope.sender}, not {self.coordinator_id}", code="unauthenticated",
                                       field="envelope.sender", peer=self.url)
                if opened.kind != "epoch_announcement":
                    raise FairwayError(f"unexpected publication {opened.kind}", code="unexpected-payload", field="envelope.payload", peer=self.url)
            except FairwayError as e:
                self.dropped += 1
                self.last_error = e
                continue
            return opened.envelope.epoch_announcement, opened

    def __iter__(self) -> Iterator[membership_pb2.EpochAnnouncement]:
        while True:
            yield self.receive()[0]

    def close(self) -> None:
        self._socket.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
