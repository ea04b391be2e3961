from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class EpochRecord(_message.Message):
    __slots__ = ["agents", "allocator", "epoch", "granted", "started_at_unix_ms", "total_tokens"]
    AGENTS_FIELD_NUMBER: _ClassVar[int]
    ALLOCATOR_FIELD_NUMBER: _ClassVar[int]
    EPOCH_FIELD_NUMBER: _ClassVar[int]
    GRANTED_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_UNIX_MS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_TOKENS_FIELD_NUMBER: _ClassVar[int]
    agents: int
    allocator: str
    epoch: int
    granted: int
    started_at_unix_ms: int
    total_tokens: int
    def __init__(self, epoch: _Optional[int] = ..., started_at_unix_ms: _Optional[int] = ..., total_tokens: _Optional[int] = ..., granted: _Optional[int] = ..., allocator: _Optional[str] = ..., agents: _Optional[int] = ...) -> None: ...

class EpochsReply(_message.Message):
    __slots__ = ["epochs"]
    EPOCHS_FIELD_NUMBER: _ClassVar[int]
    epochs: _containers.RepeatedCompositeFieldContainer[EpochRecord]
    def __init__(self, epochs: _Optional[_Iterable[_Union[EpochRecord, _Mapping]]] = ...) -> None: ...

class EpochsRequest(_message.Message):
    __slots__ = ["limit"]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    limit: int
    def __init__(self, limit: _Optional[int] = ...) -> None: ...

class GrantReply(_message.Message):
    __slots__ = ["epoch", "leases", "next_epoch_at_unix_ms"]
    EPOCH_FIELD_NUMBER: _ClassVar[int]
    LEASES_FIELD_NUMBER: _ClassVar[int]
    NEXT_EPOCH_AT_UNIX_MS_FIELD_NUMBER: _ClassVar[int]
    epoch: int
    leases: _containers.RepeatedCompositeFieldContainer[TokenLease]
    next_epoch_at_unix_ms: int
    def __init__(self, epoch: _Optional[int] = ..., leases: _Optional[_Iterable[_Union[TokenLease, _Mapping]]] = ..., next_epoch_at_unix_ms: _Optional[int] = ...) -> None: ...

class GrantRequest(_message.Message):
    __slots__ = ["agent_ids"]
    AGENT_IDS_FIELD_NUMBER: _ClassVar[int]
    agent_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, agent_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class InferenceReply(_message.Message):
    __slots__ = ["charged", "confidence", "label", "module_version", "output", "remaining", "served_by_cloud"]
    CHARGED_FIELD_NUMBER: _ClassVar[int]
    CONFIDENCE_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    MODULE_VERSION_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_FIELD_NUMBER: _ClassVar[int]
    REMAINING_FIELD_NUMBER: _ClassVar[int]
    SERVED_BY_CLOUD_FIELD_NUMBER: _ClassVar[int]
    charged: int
    confidence: float
    label: int
    module_version: int
    output: bytes
    remaining: int
    served_by_cloud: bool
    def __init__(self, charged: _Optional[int] = ..., remaining: _Optional[int] = ..., output: _Optional[bytes] = ..., label: _Optional[int] = ..., confidence: _Optional[float] = ..., module_version: _Optional[int] = ..., served_by_cloud: bool = ...) -> None: ...

class InferenceRequest(_message.Message):
    __slots__ = ["cost", "features", "input"]
    COST_FIELD_NUMBER: _ClassVar[int]
    FEATURES_FIELD_NUMBER: _ClassVar[int]
    INPUT_FIELD_NUMBER: _ClassVar[int]
    cost: int
    features: _containers.RepeatedScalarFieldContainer[float]
    input: bytes
    def __init__(self, cost: _Optional[int] = ..., input: _Optional[bytes] = ..., features: _Optional[_Iterable[float]] = ...) -> None: ...

class LeaseUsage(_message.Message):
    __slots__ = ["final", "lease_id", "used_total"]
    FINAL_FIELD_NUMBER: _ClassVar[int]
    LEASE_ID_FIELD_NUMBER: _ClassVar[int]
    USED_TOTAL_FIELD_NUMBER: _ClassVar[int]
    final: bool
    lease_id: int
    used_total: int
    def __init__(self, lease_id: _Optional[int] = ..., used_total: _Optional[int] = ..., final: bool = ...) -> None: ...

class TokenLease(_message.Message):
    __slots__ = ["agent_id", "edge_id", "epoch", "id", "settled", "tokens", "used"]
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    EDGE_ID_FIELD_NUMBER: _ClassVar[int]
    EPOCH_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    SETTLED_FIELD_NUMBER: _ClassVar[int]
    TOKENS_FIELD_NUMBER: _ClassVar[int]
    USED_FIELD_NUMBER: _ClassVar[int]
    agent_id: str
    edge_id: str
    epoch: int
    id: int
    settled: bool
    tokens: int
    used: int
    def __init__(self, id: _Optional[int] = ..., agent_id: _Optional[str] = ..., edge_id: _Optional[str] = ..., epoch: _Optional[int] = ..., tokens: _Optional[int] = ..., used: _Optional[int] = ..., settled: bool = ...) -> None: ...

class UsageAck(_message.Message):
    __slots__ = ["leases"]
    LEASES_FIELD_NUMBER: _ClassVar[int]
    leases: _containers.RepeatedCompositeFieldContainer[TokenLease]
    def __init__(self, leases: _Optional[_Iterable[_Union[TokenLease, _Mapping]]] = ...) -> None: ...

class UsageReport(_message.Message):
    __slots__ = ["usages"]
    USAGES_FIELD_NUMBER: _ClassVar[int]
    usages: _containers.RepeatedCompositeFieldContainer[LeaseUsage]
    def __init__(self, usages: _Optional[_Iterable[_Union[LeaseUsage, _Mapping]]] = ...) -> None: ...
