from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class DatRecord(_message.Message):
    __slots__ = ["agent_id", "agent_value", "contract_item", "contract_period", "contract_round", "credit", "edge_id", "epoch", "index", "integrity_hash", "kind", "module_accuracy", "noise_samples", "normal_samples", "novel_samples", "provenance", "recorded_at_unix_ms"]
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    AGENT_VALUE_FIELD_NUMBER: _ClassVar[int]
    CONTRACT_ITEM_FIELD_NUMBER: _ClassVar[int]
    CONTRACT_PERIOD_FIELD_NUMBER: _ClassVar[int]
    CONTRACT_ROUND_FIELD_NUMBER: _ClassVar[int]
    CREDIT_FIELD_NUMBER: _ClassVar[int]
    EDGE_ID_FIELD_NUMBER: _ClassVar[int]
    EPOCH_FIELD_NUMBER: _ClassVar[int]
    INDEX_FIELD_NUMBER: _ClassVar[int]
    INTEGRITY_HASH_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    MODULE_ACCURACY_FIELD_NUMBER: _ClassVar[int]
    NOISE_SAMPLES_FIELD_NUMBER: _ClassVar[int]
    NORMAL_SAMPLES_FIELD_NUMBER: _ClassVar[int]
    NOVEL_SAMPLES_FIELD_NUMBER: _ClassVar[int]
    PROVENANCE_FIELD_NUMBER: _ClassVar[int]
    RECORDED_AT_UNIX_MS_FIELD_NUMBER: _ClassVar[int]
    agent_id: str
    agent_value: float
    contract_item: int
    contract_period: int
    contract_round: int
    credit: float
    edge_id: str
    epoch: int
    index: int
    integrity_hash: bytes
    kind: int
    module_accuracy: float
    noise_samples: int
    normal_samples: int
    novel_samples: int
    provenance: bytes
    recorded_at_unix_ms: int
    def __init__(self, index: _Optional[int] = ..., agent_id: _Optional[str] = ..., credit: _Optional[float] = ..., agent_value: _Optional[float] = ..., novel_samples: _Optional[int] = ..., normal_samples: _Optional[int] = ..., noise_samples: _Optional[int] = ..., integrity_hash: _Optional[bytes] = ..., provenance: _Optional[bytes] = ..., edge_id: _Optional[str] = ..., epoch: _Optional[int] = ..., recorded_at_unix_ms: _Optional[int] = ..., kind: _Optional[int] = ..., contract_round: _Optional[int] = ..., contract_period: _Optional[int] = ..., contract_item: _Optional[int] = ..., module_accuracy: _Optional[float] = ...) -> None: ...

class LedgerProofReply(_message.Message):
    __slots__ = ["consistency_proof", "first_size", "inclusion_path", "index", "leaf", "root_hash", "tree_size"]
    CONSISTENCY_PROOF_FIELD_NUMBER: _ClassVar[int]
    FIRST_SIZE_FIELD_NUMBER: _ClassVar[int]
    INCLUSION_PATH_FIELD_NUMBER: _ClassVar[int]
    INDEX_FIELD_NUMBER: _ClassVar[int]
    LEAF_FIELD_NUMBER: _ClassVar[int]
    ROOT_HASH_FIELD_NUMBER: _ClassVar[int]
    TREE_SIZE_FIELD_NUMBER: _ClassVar[int]
    consistency_proof: _containers.RepeatedScalarFieldContainer[bytes]
    first_size: int
    inclusion_path: _containers.RepeatedScalarFieldContainer[bytes]
    index: int
    leaf: bytes
    root_hash: bytes
    tree_size: int
    def __init__(self, index: _Optional[int] = ..., tree_size: _Optional[int] = ..., leaf: _Optional[bytes] = ..., root_hash: _Optional[bytes] = ..., inclusion_path: _Optional[_Iterable[bytes]] = ..., first_size: _Optional[int] = ..., consistency_proof: _Optional[_Iterable[bytes]] = ...) -> None: ...

class LedgerProofRequest(_message.Message):
    __slots__ = ["first_size", "index", "tree_size"]
    FIRST_SIZE_FIELD_NUMBER: _ClassVar[int]
    INDEX_FIELD_NUMBER: _ClassVar[int]
    TREE_SIZE_FIELD_NUMBER: _ClassVar[int]
    first_size: int
    index: int
    tree_size: int
    def __init__(self, index: _Optional[int] = ..., tree_size: _Optional[int] = ..., first_size: _Optional[int] = ...) -> None: ...

class LedgerReply(_message.Message):
    __slots__ = ["heads", "leaves", "tree_size"]
    HEADS_FIELD_NUMBER: _ClassVar[int]
    LEAVES_FIELD_NUMBER: _ClassVar[int]
    TREE_SIZE_FIELD_NUMBER: _ClassVar[int]
    heads: _containers.RepeatedCompositeFieldContainer[SignedTreeHead]
    leaves: _containers.RepeatedScalarFieldContainer[bytes]
    tree_size: int
    def __init__(self, tree_size: _Optional[int] = ..., leaves: _Optional[_Iterable[bytes]] = ..., heads: _Optional[_Iterable[_Union[SignedTreeHead, _Mapping]]] = ...) -> None: ...

class LedgerRequest(_message.Message):
    __slots__ = ["limit", "start"]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    START_FIELD_NUMBER: _ClassVar[int]
    limit: int
    start: int
    def __init__(self, start: _Optional[int] = ..., limit: _Optional[int] = ...) -> None: ...

class SignedTreeHead(_message.Message):
    __slots__ = ["epoch", "public_key", "root_hash", "signature", "timestamp_unix_ms", "tree_size"]
    EPOCH_FIELD_NUMBER: _ClassVar[int]
    PUBLIC_KEY_FIELD_NUMBER: _ClassVar[int]
    ROOT_HASH_FIELD_NUMBER: _ClassVar[int]
    SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_UNIX_MS_FIELD_NUMBER: _ClassVar[int]
    TREE_SIZE_FIELD_NUMBER: _ClassVar[int]
    epoch: int
    public_key: bytes
    root_hash: bytes
    signature: bytes
    timestamp_unix_ms: int
    tree_size: int
    def __init__(self, tree_size: _Optional[int] = ..., root_hash: _Optional[bytes] = ..., timestamp_unix_ms: _Optional[int] = ..., epoch: _Optional[int] = ..., signature: _Optional[bytes] = ..., public_key: _Optional[bytes] = ...) -> None: ...
