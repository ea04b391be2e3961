"""Typed errors: every refusal of a Fairway node is an `ErrorReply` (error.proto) with a code,
a message, the offending field and a retry-after; this module maps each code to an exception
class. Codes are the strings Fairway prints (`insufficient-tokens`, `unknown-session`, ...)."""
from __future__ import annotations

from typing import Dict, Optional, Type

#: numeric code (error.proto `ErrorReply.Code`) -> name, as FairwayError.Code.name in Swift.
CODE_NAMES: Dict[int, str] = {
    0: "unspecified",
    1: "malformed",
    2: "unsupported-version",
    3: "message-too-large",
    4: "unknown-sender",
    5: "invalid-field",
    6: "unexpected-payload",
    7: "unavailable",
    8: "internal",
    9: "unauthenticated",
    10: "stale",
    11: "replayed",
    12: "not-admitted",
    13: "insufficient-tokens",
    14: "in-progress",
    15: "capacity-exhausted",
    16: "unknown-session",
    # Local only (never on the wire): no valid reply before the deadline.
    100: "no-reply",
}
CODE_NUMBERS: Dict[str, int] = {v: k for k, v in CODE_NAMES.items()}


class FairwayError(Exception):
    """A refusal by a Fairway node, or a local failure of the same kinds.

    Attributes: ``code`` (string such as ``"invalid-field"``), ``number`` (the wire number),
    ``field`` (where, e.g. ``"contribution.epsilon"``), ``message`` (what), ``retry_after_ms``
    (0: do not retry unchanged), ``peer`` (who answered or the URL), ``remote`` (True when the
    node sent it, False when this client decided it).
    """

    code: str = "unspecified"

    def __init__(self, message: str = "", *, field: str = "", retry_after_ms: int = 0, peer: str = "",
                 code: Optional[str] = None, remote: bool = False):
        if code is not None:
            self.code = code
        self.message = message
        self.field = field
        self.retry_after_ms = int(retry_after_ms)
        self.peer = peer
        self.remote = remote
        super().__init__(str(self))

    @property
    def number(self) -> int:
        return CODE_NUMBERS.get(self.code, 0)

    def __str__(self) -> str:
        s = self.code
        if self.field:
            s += f" [{self.field}]"
        if self.message:
            s += f": {self.message}"
        if self.retry_after_ms:
            s += f" (retry after {self.retry_after_ms} ms)"
        if self.peer:
            s += f" (from {self.peer})"
        return s

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(code={self.code!r}, field={self.field!r}, message={self.message!r}, "
                f"retry_after_ms={self.retry_after_ms})")


class Malformed(FairwayError): code = "malformed"
class UnsupportedVersion(FairwayError): code = "unsupported-version"
class MessageTooLarge(FairwayError): code = "message-too-large"
class UnknownSender(FairwayError): code = "unknown-sender"
class InvalidField(FairwayError): code = "invalid-field"
class UnexpectedPayload(FairwayError): code = "unexpected-payload"
class Unavailable(FairwayError): code = "unavailable"
class InternalError(FairwayError): code = "internal"
class Unauthenticated(FairwayError): code = "unauthenticated"
class Stale(FairwayError): code = "stale"
class Replayed(FairwayError): code = "replayed"
class NotAdmitted(FairwayError): code = "not-admitted"
class InsufficientTokens(FairwayError): code = "insufficient-tokens"
class InProgress(FairwayError): code = "in-progress"
class CapacityExhausted(FairwayError): code = "capacity-exhausted"
class UnknownSession(FairwayError): code = "unknown-session"
class NoReply(FairwayError): code = "no-reply"


ERROR_CLASSES: Dict[str, Type[FairwayError]] = {
    cls.code: cls for cls in (
        Malformed, UnsupportedVersion, MessageTooLarge, UnknownSender, InvalidField, UnexpectedPayload,
        Unavailable, InternalError, Unauthenticated, Stale, Replayed, NotAdmitted, InsufficientTokens,
        InProgress, CapacityExhausted, UnknownSession, NoReply)
}


def error_for(code: str, message: str = "", *, field: str = "", retry_after_ms: int = 0, peer: str = "",
              remote: bool = False) -> FairwayError:
    """An instance of the class for ``code`` (``FairwayError`` itself for an unknown code)."""
    cls = ERROR_CLASSES.get(code)
    if cls is None:
        return FairwayError(message, field=field, retry_after_ms=retry_after_ms, peer=peer, code=code, remote=remote)
    return cls(message, field=field, retry_after_ms=retry_after_ms, peer=peer, remote=remote)


def from_wire(reply, peer: str = "") -> FairwayError:
    """The exception for an ``error_pb2.ErrorReply`` received from ``peer`` (as Swift's
    ``FairwayError(wire:)``: an unknown code or a negative retry-after is itself malformed)."""
    number = int(reply.code)
    if number not in CODE_NAMES or number == 100:
        return Malformed(f"unknown error code {number} (message: {reply.message!r})", field="error.code", peer=peer)
    if reply.retry_after_ms < 0:
        return Malformed(f"retry-after must be >= 0 ms, got {reply.retry_after_ms}", field="error.retry_after_ms", peer=peer)
    return error_for(CODE_NAMES[number], reply.message, field=reply.field, retry_after_ms=reply.retry_after_ms,
                     peer=peer, remote=True)


def to_wire(error: FairwayError):
    """An ``ErrorReply`` carrying ``error`` (for tests and tools)."""
    from fairway._proto import error_pb2
    return error_pb2.ErrorReply(code=error.number if error.code != "no-reply" else 7, message=error.message,
                                field=error.field, retry_after_ms=error.retry_after_ms)
