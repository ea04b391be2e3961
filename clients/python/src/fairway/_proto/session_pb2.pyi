from fairway._proto import error_pb2 as _error_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Frame(_message.Message):
    __slots__ = ["error", "handshake_finish", "handshake_init", "handshake_response", "session"]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    HANDSHAKE_FINISH_FIELD_NUMBER: _ClassVar[int]
    HANDSHAKE_INIT_FIELD_NUMBER: _ClassVar[int]
    HANDSHAKE_RESPONSE_FIELD_NUMBER: _ClassVar[int]
    SESSION_FIELD_NUMBER: _ClassVar[int]
    error: _error_pb2.ErrorReply
    handshake_finish: HandshakeFinish
    handshake_init: HandshakeInit
    handshake_response: HandshakeResponse
    session: SessionMessage
    def __init__(self, handshake_init: _Optional[_Union[HandshakeInit, _Mapping]] = ..., handshake_response: _Optional[_Union[HandshakeResponse, _Mapping]] = ..., handshake_finish: _Optional[_Union[HandshakeFinish, _Mapping]] = ..., session: _Optional[_Union[SessionMessage, _Mapping]] = ..., error: _Optional[_Union[_error_pb2.ErrorReply, _Mapping]] = ...) -> None: ...

class HandshakeFinish(_message.Message):
    __slots__ = ["first", "handshake_id", "noise"]
    FIRST_FIELD_NUMBER: _ClassVar[int]
    HANDSHAKE_ID_FIELD_NUMBER: _ClassVar[int]
    NOISE_FIELD_NUMBER: _ClassVar[int]
    first: SessionMessage
    handshake_id: int
    noise: bytes
    def __init__(self, handshake_id: _Optional[int] = ..., noise: _Optional[bytes] = ..., first: _Optional[_Union[SessionMessage, _Mapping]] = ...) -> None: ...

class HandshakeInit(_message.Message):
    __slots__ = ["noise"]
    NOISE_FIELD_NUMBER: _ClassVar[int]
    noise: bytes
    def __init__(self, noise: _Optional[bytes] = ...) -> None: ...

class HandshakeResponse(_message.Message):
    __slots__ = ["handshake_id", "noise"]
    HANDSHAKE_ID_FIELD_NUMBER: _ClassVar[int]
    NOISE_FIELD_NUMBER: _ClassVar[int]
    handshake_id: int
    noise: bytes
    def __init__(self, handshake_id: _Optional[int] = ..., noise: _Optional[bytes] = ...) -> None: ...

class IdentityBinding(_message.Message):
    __slots__ = ["identity_key", "identity_sig"]
    IDENTITY_KEY_FIELD_NUMBER: _ClassVar[int]
    IDENTITY_SIG_FIELD_NUMBER: _ClassVar[int]
    identity_key: bytes
    identity_sig: bytes
    def __init__(self, identity_key: _Optional[bytes] = ..., identity_sig: _Optional[bytes] = ...) -> None: ...

class SessionMessage(_message.Message):
    __slots__ = ["ciphertext", "counter", "session_id"]
    CIPHERTEXT_FIELD_NUMBER: _ClassVar[int]
    COUNTER_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    ciphertext: bytes
    counter: int
    session_id: int
    def __init__(self, session_id: _Optional[int] = ..., counter: _Optional[int] = ..., ciphertext: _Optional[bytes] = ...) -> None: ...
