"""Python client of Fairway's wire protocol 2 (Noise_XX sessions over nng REQ/REP, signed
publications over PUB/SUB)."""
from fairway.client import Agent, Client, InclusionResult, LedgerAudit, provenance_ok
from fairway.errors import (CapacityExhausted, FairwayError, InProgress, InsufficientTokens, InternalError, InvalidField,
                            Malformed, MessageTooLarge, NoReply, NotAdmitted, Replayed, Stale, Unauthenticated, Unavailable,
                            UnexpectedPayload, UnknownSender, UnknownSession, UnsupportedVersion)
from fairway.identity import NodeKey, node_address
from fairway.subscribe import EpochSubscriber
from fairway.transport import RequestClient, TransportSettings

__version__ = "0.1.0"
__all__ = [
    "Agent", "Client", "InclusionResult", "LedgerAudit", "provenance_ok", "NodeKey", "node_address", "EpochSubscriber", "RequestClient",
    "TransportSettings", "FairwayError", "CapacityExhausted", "InProgress", "InsufficientTokens", "InternalError", "InvalidField",
    "Malformed", "MessageTooLarge", "NoReply", "NotAdmitted", "Replayed", "Stale", "Unauthenticated", "Unavailable",
    "UnexpectedPayload", "UnknownSender", "UnknownSession", "UnsupportedVersion",
]
