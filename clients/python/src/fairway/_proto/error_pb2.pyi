from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ErrorReply(_message.Message):
    __slots__ = ["code", "field", "message", "retry_after_ms"]
    class Code(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = []
    CAPACITY_EXHAUSTED: ErrorReply.Code
    CODE_FIELD_NUMBER: _ClassVar[int]
    CODE_UNSPECIFIED: ErrorReply.Code
    FIELD_FIELD_NUMBER: _ClassVar[int]
    INSUFFICIENT_TOKENS: ErrorReply.Code
    INTERNAL: ErrorReply.Code
    INVALID_FIELD: ErrorReply.Code
    IN_PROGRESS: ErrorReply.Code
    MALFORMED: ErrorReply.Code
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_TOO_LARGE: ErrorReply.Code
    NOT_ADMITTED: ErrorReply.Code
    REPLAYED: ErrorReply.Code
    RETRY_AFTER_MS_FIELD_NUMBER: _ClassVar[int]
    STALE: ErrorReply.Code
    UNAUTHENTICATED: ErrorReply.Code
    UNAVAILABLE: ErrorReply.Code
    UNEXPECTED_PAYLOAD: ErrorReply.Code
    UNKNOWN_SENDER: ErrorReply.Code
    UNKNOWN_SESSION: ErrorReply.Code
    UNSUPPORTED_VERSION: ErrorReply.Code
    code: ErrorReply.Code
    field: str
    message: str
    retry_after_ms: int
    def __init__(self, code: _Optional[_Union[ErrorReply.Code, str]] = ..., message: _Optional[str] = ..., field: _Optional[str] = ..., retry_after_ms: _Optional[int] = ...) -> None: ...
