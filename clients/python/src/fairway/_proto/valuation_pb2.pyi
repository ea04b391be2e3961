from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor
PRIVACY_MODE_IMAGE_ONLY: PrivacyMode
PRIVACY_MODE_MULTIMODAL: PrivacyMode
PRIVACY_MODE_NONE: PrivacyMode
PRIVACY_MODE_UNSPECIFIED: PrivacyMode

class AgentValuation(_message.Message):
    __slots__ = ["agent_id", "contributions", "delta", "epsilon_spent", "noise_samples", "normal_samples", "novel_samples", "value"]
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    CONTRIBUTIONS_FIELD_NUMBER: _ClassVar[int]
    DELTA_FIELD_NUMBER: _ClassVar[int]
    EPSILON_SPENT_FIELD_NUMBER: _ClassVar[int]
    NOISE_SAMPLES_FIELD_NUMBER: _ClassVar[int]
    NORMAL_SAMPLES_FIELD_NUMBER: _ClassVar[int]
    NOVEL_SAMPLES_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    agent_id: str
    contributions: int
    delta: float
    epsilon_spent: float
    noise_samples: int
    normal_samples: int
    novel_samples: int
    value: float
    def __init__(self, agent_id: _Optional[str] = ..., value: _Optional[float] = ..., contributions: _Optional[int] = ..., novel_samples: _Optional[int] = ..., normal_samples: _Optional[int] = ..., noise_samples: _Optional[int] = ..., epsilon_spent: _Optional[float] = ..., delta: _Optional[float] = ...) -> None: ...

class Contribution(_message.Message):
    __slots__ = ["count_sigma", "delta", "epsilon", "mode", "noise_multiplier", "prototypes", "records", "sequence"]
    COUNT_SIGMA_FIELD_NUMBER: _ClassVar[int]
    DELTA_FIELD_NUMBER: _ClassVar[int]
    EPSILON_FIELD_NUMBER: _ClassVar[int]
    MODE_FIELD_NUMBER: _ClassVar[int]
    NOISE_MULTIPLIER_FIELD_NUMBER: _ClassVar[int]
    PROTOTYPES_FIELD_NUMBER: _ClassVar[int]
    RECORDS_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    count_sigma: float
    delta: float
    epsilon: float
    mode: PrivacyMode
    noise_multiplier: float
    prototypes: _containers.RepeatedCompositeFieldContainer[Prototype]
    records: int
    sequence: int
    def __init__(self, prototypes: _Optional[_Iterable[_Union[Prototype, _Mapping]]] = ..., mode: _Optional[_Union[PrivacyMode, str]] = ..., epsilon: _Optional[float] = ..., delta: _Optional[float] = ..., noise_multiplier: _Optional[float] = ..., sequence: _Optional[int] = ..., records: _Optional[int] = ..., count_sigma: _Optional[float] = ...) -> None: ...

class ContributionBatch(_message.Message):
    __slots__ = ["contributions", "digest"]
    CONTRIBUTIONS_FIELD_NUMBER: _ClassVar[int]
    DIGEST_FIELD_NUMBER: _ClassVar[int]
    contributions: _containers.RepeatedScalarFieldContainer[bytes]
    digest: bytes
    def __init__(self, contributions: _Optional[_Iterable[bytes]] = ..., digest: _Optional[bytes] = ...) -> None: ...

class ContributionBatchAck(_message.Message):
    __slots__ = ["receipts"]
    RECEIPTS_FIELD_NUMBER: _ClassVar[int]
    receipts: _containers.RepeatedCompositeFieldContainer[ContributionReceipt]
    def __init__(self, receipts: _Optional[_Iterable[_Union[ContributionReceipt, _Mapping]]] = ...) -> None: ...

class ContributionReceipt(_message.Message):
    __slots__ = ["agent_id", "agent_value", "contribution_id", "credit", "duplicate", "leaf_index", "noise_samples", "normal_samples", "novel_samples", "tree_size"]
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    AGENT_VALUE_FIELD_NUMBER: _ClassVar[int]
    CONTRIBUTION_ID_FIELD_NUMBER: _ClassVar[int]
    CREDIT_FIELD_NUMBER: _ClassVar[int]
    DUPLICATE_FIELD_NUMBER: _ClassVar[int]
    LEAF_INDEX_FIELD_NUMBER: _ClassVar[int]
    NOISE_SAMPLES_FIELD_NUMBER: _ClassVar[int]
    NORMAL_SAMPLES_FIELD_NUMBER: _ClassVar[int]
    NOVEL_SAMPLES_FIELD_NUMBER: _ClassVar[int]
    TREE_SIZE_FIELD_NUMBER: _ClassVar[int]
    agent_id: str
    agent_value: float
    contribution_id: bytes
    credit: float
    duplicate: bool
    leaf_index: int
    noise_samples: int
    normal_samples: int
    novel_samples: int
    tree_size: int
    def __init__(self, agent_id: _Optional[str] = ..., contribution_id: _Optional[bytes] = ..., leaf_index: _Optional[int] = ..., credit: _Optional[float] = ..., novel_samples: _Optional[int] = ..., normal_samples: _Optional[int] = ..., noise_samples: _Optional[int] = ..., agent_value: _Optional[float] = ..., tree_size: _Optional[int] = ..., duplicate: bool = ...) -> None: ...

class Prototype(_message.Message):
    __slots__ = ["count", "image", "text"]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    count: float
    image: _containers.RepeatedScalarFieldContainer[float]
    text: _containers.RepeatedScalarFieldContainer[float]
    def __init__(self, image: _Optional[_Iterable[float]] = ..., text: _Optional[_Iterable[float]] = ..., count: _Optional[float] = ...) -> None: ...

class ValuationReply(_message.Message):
    __slots__ = ["agents", "catalog_clusters"]
    AGENTS_FIELD_NUMBER: _ClassVar[int]
    CATALOG_CLUSTERS_FIELD_NUMBER: _ClassVar[int]
    agents: _containers.RepeatedCompositeFieldContainer[AgentValuation]
    catalog_clusters: int
    def __init__(self, agents: _Optional[_Iterable[_Union[AgentValuation, _Mapping]]] = ..., catalog_clusters: _Optional[int] = ...) -> None: ...

class ValuationRequest(_message.Message):
    __slots__ = ["agent_ids"]
    AGENT_IDS_FIELD_NUMBER: _ClassVar[int]
    agent_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, agent_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class PrivacyMode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []
