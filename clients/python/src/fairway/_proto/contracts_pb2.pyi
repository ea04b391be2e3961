from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ContractEdgeState(_message.Message):
    __slots__ = ["accuracy1", "accuracy2", "edge_id", "integrated1", "integrated2", "paid1", "paid2", "period1_item", "period2_item"]
    ACCURACY1_FIELD_NUMBER: _ClassVar[int]
    ACCURACY2_FIELD_NUMBER: _ClassVar[int]
    EDGE_ID_FIELD_NUMBER: _ClassVar[int]
    INTEGRATED1_FIELD_NUMBER: _ClassVar[int]
    INTEGRATED2_FIELD_NUMBER: _ClassVar[int]
    PAID1_FIELD_NUMBER: _ClassVar[int]
    PAID2_FIELD_NUMBER: _ClassVar[int]
    PERIOD1_ITEM_FIELD_NUMBER: _ClassVar[int]
    PERIOD2_ITEM_FIELD_NUMBER: _ClassVar[int]
    accuracy1: float
    accuracy2: float
    edge_id: str
    integrated1: bool
    integrated2: bool
    paid1: float
    paid2: float
    period1_item: int
    period2_item: int
    def __init__(self, edge_id: _Optional[str] = ..., period1_item: _Optional[int] = ..., period2_item: _Optional[int] = ..., accuracy1: _Optional[float] = ..., accuracy2: _Optional[float] = ..., integrated1: bool = ..., integrated2: bool = ..., paid1: _Optional[float] = ..., paid2: _Optional[float] = ...) -> None: ...

class ContractItem(_message.Message):
    __slots__ = ["index", "reward", "rounds"]
    INDEX_FIELD_NUMBER: _ClassVar[int]
    REWARD_FIELD_NUMBER: _ClassVar[int]
    ROUNDS_FIELD_NUMBER: _ClassVar[int]
    index: int
    reward: float
    rounds: int
    def __init__(self, index: _Optional[int] = ..., rounds: _Optional[int] = ..., reward: _Optional[float] = ...) -> None: ...

class ContractOffer(_message.Message):
    __slots__ = ["accuracy", "beta", "cost_per_round", "deadline_epoch", "fixed_cost", "integrated", "items", "next_chunk", "next_items", "next_thetas", "opens_epoch", "period", "period1_item", "quality_bar", "round", "selected", "thetas", "transition", "type_probabilities"]
    ACCURACY_FIELD_NUMBER: _ClassVar[int]
    BETA_FIELD_NUMBER: _ClassVar[int]
    COST_PER_ROUND_FIELD_NUMBER: _ClassVar[int]
    DEADLINE_EPOCH_FIELD_NUMBER: _ClassVar[int]
    FIXED_COST_FIELD_NUMBER: _ClassVar[int]
    INTEGRATED_FIELD_NUMBER: _ClassVar[int]
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    NEXT_CHUNK_FIELD_NUMBER: _ClassVar[int]
    NEXT_ITEMS_FIELD_NUMBER: _ClassVar[int]
    NEXT_THETAS_FIELD_NUMBER: _ClassVar[int]
    OPENS_EPOCH_FIELD_NUMBER: _ClassVar[int]
    PERIOD1_ITEM_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    QUALITY_BAR_FIELD_NUMBER: _ClassVar[int]
    ROUND_FIELD_NUMBER: _ClassVar[int]
    SELECTED_FIELD_NUMBER: _ClassVar[int]
    THETAS_FIELD_NUMBER: _ClassVar[int]
    TRANSITION_FIELD_NUMBER: _ClassVar[int]
    TYPE_PROBABILITIES_FIELD_NUMBER: _ClassVar[int]
    accuracy: float
    beta: float
    cost_per_round: float
    deadline_epoch: int
    fixed_cost: float
    integrated: bool
    items: _containers.RepeatedCompositeFieldContainer[ContractItem]
    next_chunk: int
    next_items: _containers.RepeatedCompositeFieldContainer[ContractItem]
    next_thetas: _containers.RepeatedScalarFieldContainer[float]
    opens_epoch: int
    period: int
    period1_item: int
    quality_bar: float
    round: int
    selected: int
    thetas: _containers.RepeatedScalarFieldContainer[float]
    transition: _containers.RepeatedScalarFieldContainer[float]
    type_probabilities: _containers.RepeatedScalarFieldContainer[float]
    def __init__(self, round: _Optional[int] = ..., period: _Optional[int] = ..., opens_epoch: _Optional[int] = ..., deadline_epoch: _Optional[int] = ..., items: _Optional[_Iterable[_Union[ContractItem, _Mapping]]] = ..., thetas: _Optional[_Iterable[float]] = ..., cost_per_round: _Optional[float] = ..., fixed_cost: _Optional[float] = ..., selected: _Optional[int] = ..., next_chunk: _Optional[int] = ..., integrated: bool = ..., accuracy: _Optional[float] = ..., quality_bar: _Optional[float] = ..., period1_item: _Optional[int] = ..., beta: _Optional[float] = ..., next_items: _Optional[_Iterable[_Union[ContractItem, _Mapping]]] = ..., next_thetas: _Optional[_Iterable[float]] = ..., transition: _Optional[_Iterable[float]] = ..., type_probabilities: _Optional[_Iterable[float]] = ...) -> None: ...

class ContractOfferRequest(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class ContractSelection(_message.Message):
    __slots__ = ["item", "period", "round"]
    ITEM_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    ROUND_FIELD_NUMBER: _ClassVar[int]
    item: int
    period: int
    round: int
    def __init__(self, round: _Optional[int] = ..., period: _Optional[int] = ..., item: _Optional[int] = ...) -> None: ...

class ContractStatus(_message.Message):
    __slots__ = ["deadline_epoch", "edges", "module_accuracy", "module_version", "opens_epoch", "period", "r1", "r2", "round", "scheme", "t1", "t2", "total_paid", "types"]
    DEADLINE_EPOCH_FIELD_NUMBER: _ClassVar[int]
    EDGES_FIELD_NUMBER: _ClassVar[int]
    MODULE_ACCURACY_FIELD_NUMBER: _ClassVar[int]
    MODULE_VERSION_FIELD_NUMBER: _ClassVar[int]
    OPENS_EPOCH_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    R1_FIELD_NUMBER: _ClassVar[int]
    R2_FIELD_NUMBER: _ClassVar[int]
    ROUND_FIELD_NUMBER: _ClassVar[int]
    SCHEME_FIELD_NUMBER: _ClassVar[int]
    T1_FIELD_NUMBER: _ClassVar[int]
    T2_FIELD_NUMBER: _ClassVar[int]
    TOTAL_PAID_FIELD_NUMBER: _ClassVar[int]
    TYPES_FIELD_NUMBER: _ClassVar[int]
    deadline_epoch: int
    edges: _containers.RepeatedCompositeFieldContainer[ContractEdgeState]
    module_accuracy: float
    module_version: int
    opens_epoch: int
    period: int
    r1: _containers.RepeatedScalarFieldContainer[float]
    r2: _containers.RepeatedScalarFieldContainer[float]
    round: int
    scheme: str
    t1: _containers.RepeatedScalarFieldContainer[int]
    t2: _containers.RepeatedScalarFieldContainer[int]
    total_paid: float
    types: int
    def __init__(self, round: _Optional[int] = ..., period: _Optional[int] = ..., opens_epoch: _Optional[int] = ..., deadline_epoch: _Optional[int] = ..., t1: _Optional[_Iterable[int]] = ..., r1: _Optional[_Iterable[float]] = ..., t2: _Optional[_Iterable[int]] = ..., r2: _Optional[_Iterable[float]] = ..., types: _Optional[int] = ..., scheme: _Optional[str] = ..., edges: _Optional[_Iterable[_Union[ContractEdgeState, _Mapping]]] = ..., module_version: _Optional[int] = ..., module_accuracy: _Optional[float] = ..., total_paid: _Optional[float] = ...) -> None: ...

class ContractStatusRequest(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class ModuleReply(_message.Message):
    __slots__ = ["accuracy", "chunk", "chunk_count", "chunk_index", "module_digest", "version"]
    ACCURACY_FIELD_NUMBER: _ClassVar[int]
    CHUNK_COUNT_FIELD_NUMBER: _ClassVar[int]
    CHUNK_FIELD_NUMBER: _ClassVar[int]
    CHUNK_INDEX_FIELD_NUMBER: _ClassVar[int]
    MODULE_DIGEST_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    accuracy: float
    chunk: bytes
    chunk_count: int
    chunk_index: int
    module_digest: bytes
    version: int
    def __init__(self, version: _Optional[int] = ..., chunk_index: _Optional[int] = ..., chunk_count: _Optional[int] = ..., chunk: _Optional[bytes] = ..., module_digest: _Optional[bytes] = ..., accuracy: _Optional[float] = ...) -> None: ...

class ModuleRequest(_message.Message):
    __slots__ = ["chunk_index"]
    CHUNK_INDEX_FIELD_NUMBER: _ClassVar[int]
    chunk_index: int
    def __init__(self, chunk_index: _Optional[int] = ...) -> None: ...

class ModuleUpload(_message.Message):
    __slots__ = ["chunk", "chunk_count", "chunk_index", "module_digest", "period", "round", "samples"]
    CHUNK_COUNT_FIELD_NUMBER: _ClassVar[int]
    CHUNK_FIELD_NUMBER: _ClassVar[int]
    CHUNK_INDEX_FIELD_NUMBER: _ClassVar[int]
    MODULE_DIGEST_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    ROUND_FIELD_NUMBER: _ClassVar[int]
    SAMPLES_FIELD_NUMBER: _ClassVar[int]
    chunk: bytes
    chunk_count: int
    chunk_index: int
    module_digest: bytes
    period: int
    round: int
    samples: int
    def __init__(self, round: _Optional[int] = ..., period: _Optional[int] = ..., chunk_index: _Optional[int] = ..., chunk_count: _Optional[int] = ..., chunk: _Optional[bytes] = ..., module_digest: _Optional[bytes] = ..., samples: _Optional[int] = ...) -> None: ...

class ModuleUploadAck(_message.Message):
    __slots__ = ["accuracy", "integrated", "next_chunk", "refused"]
    ACCURACY_FIELD_NUMBER: _ClassVar[int]
    INTEGRATED_FIELD_NUMBER: _ClassVar[int]
    NEXT_CHUNK_FIELD_NUMBER: _ClassVar[int]
    REFUSED_FIELD_NUMBER: _ClassVar[int]
    accuracy: float
    integrated: bool
    next_chunk: int
    refused: str
    def __init__(self, next_chunk: _Optional[int] = ..., integrated: bool = ..., accuracy: _Optional[float] = ..., refused: _Optional[str] = ...) -> None: ...
