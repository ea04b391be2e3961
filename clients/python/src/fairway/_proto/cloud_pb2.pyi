from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CloudEdgeRow(_message.Message):
    __slots__ = ["edge_id", "name", "offloaded_total", "refused_total", "reported", "share"]
    EDGE_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    OFFLOADED_TOTAL_FIELD_NUMBER: _ClassVar[int]
    REFUSED_TOTAL_FIELD_NUMBER: _ClassVar[int]
    REPORTED_FIELD_NUMBER: _ClassVar[int]
    SHARE_FIELD_NUMBER: _ClassVar[int]
    edge_id: str
    name: str
    offloaded_total: int
    refused_total: int
    reported: EdgeResources
    share: CloudShare
    def __init__(self, edge_id: _Optional[str] = ..., name: _Optional[str] = ..., reported: _Optional[_Union[EdgeResources, _Mapping]] = ..., share: _Optional[_Union[CloudShare, _Mapping]] = ..., offloaded_total: _Optional[int] = ..., refused_total: _Optional[int] = ...) -> None: ...

class CloudInferenceReply(_message.Message):
    __slots__ = ["confidence", "epoch", "label", "module_version", "quota_remaining"]
    CONFIDENCE_FIELD_NUMBER: _ClassVar[int]
    EPOCH_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    MODULE_VERSION_FIELD_NUMBER: _ClassVar[int]
    QUOTA_REMAINING_FIELD_NUMBER: _ClassVar[int]
    confidence: float
    epoch: int
    label: int
    module_version: int
    quota_remaining: int
    def __init__(self, label: _Optional[int] = ..., confidence: _Optional[float] = ..., module_version: _Optional[int] = ..., quota_remaining: _Optional[int] = ..., epoch: _Optional[int] = ...) -> None: ...

class CloudInferenceRequest(_message.Message):
    __slots__ = ["agent_id", "cost", "features", "request_id"]
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    COST_FIELD_NUMBER: _ClassVar[int]
    FEATURES_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    agent_id: str
    cost: int
    features: _containers.RepeatedScalarFieldContainer[float]
    request_id: bytes
    def __init__(self, request_id: _Optional[bytes] = ..., agent_id: _Optional[str] = ..., cost: _Optional[int] = ..., features: _Optional[_Iterable[float]] = ...) -> None: ...

class CloudShare(_message.Message):
    __slots__ = ["epoch", "inference_quota", "inference_rps", "inference_used", "labels", "training_steps"]
    EPOCH_FIELD_NUMBER: _ClassVar[int]
    INFERENCE_QUOTA_FIELD_NUMBER: _ClassVar[int]
    INFERENCE_RPS_FIELD_NUMBER: _ClassVar[int]
    INFERENCE_USED_FIELD_NUMBER: _ClassVar[int]
    LABELS_FIELD_NUMBER: _ClassVar[int]
    TRAINING_STEPS_FIELD_NUMBER: _ClassVar[int]
    epoch: int
    inference_quota: int
    inference_rps: float
    inference_used: int
    labels: int
    training_steps: float
    def __init__(self, epoch: _Optional[int] = ..., inference_rps: _Optional[float] = ..., inference_quota: _Optional[int] = ..., inference_used: _Optional[int] = ..., training_steps: _Optional[float] = ..., labels: _Optional[int] = ...) -> None: ...

class CloudStatus(_message.Message):
    __slots__ = ["allocator", "edges", "epoch", "inference_rps", "inference_utility", "labelling_budget", "training_steps", "training_utility"]
    ALLOCATOR_FIELD_NUMBER: _ClassVar[int]
    EDGES_FIELD_NUMBER: _ClassVar[int]
    EPOCH_FIELD_NUMBER: _ClassVar[int]
    INFERENCE_RPS_FIELD_NUMBER: _ClassVar[int]
    INFERENCE_UTILITY_FIELD_NUMBER: _ClassVar[int]
    LABELLING_BUDGET_FIELD_NUMBER: _ClassVar[int]
    TRAINING_STEPS_FIELD_NUMBER: _ClassVar[int]
    TRAINING_UTILITY_FIELD_NUMBER: _ClassVar[int]
    allocator: str
    edges: _containers.RepeatedCompositeFieldContainer[CloudEdgeRow]
    epoch: int
    inference_rps: float
    inference_utility: float
    labelling_budget: int
    training_steps: float
    training_utility: float
    def __init__(self, epoch: _Optional[int] = ..., inference_rps: _Optional[float] = ..., training_steps: _Optional[float] = ..., labelling_budget: _Optional[int] = ..., allocator: _Optional[str] = ..., inference_utility: _Optional[float] = ..., training_utility: _Optional[float] = ..., edges: _Optional[_Iterable[_Union[CloudEdgeRow, _Mapping]]] = ...) -> None: ...

class CloudStatusRequest(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class EdgeResources(_message.Message):
    __slots__ = ["gamma_compute", "gamma_inference", "gamma_labels", "gamma_points", "inference_rps", "labelled_samples", "shard_samples", "training_steps"]
    GAMMA_COMPUTE_FIELD_NUMBER: _ClassVar[int]
    GAMMA_INFERENCE_FIELD_NUMBER: _ClassVar[int]
    GAMMA_LABELS_FIELD_NUMBER: _ClassVar[int]
    GAMMA_POINTS_FIELD_NUMBER: _ClassVar[int]
    INFERENCE_RPS_FIELD_NUMBER: _ClassVar[int]
    LABELLED_SAMPLES_FIELD_NUMBER: _ClassVar[int]
    SHARD_SAMPLES_FIELD_NUMBER: _ClassVar[int]
    TRAINING_STEPS_FIELD_NUMBER: _ClassVar[int]
    gamma_compute: float
    gamma_inference: float
    gamma_labels: float
    gamma_points: int
    inference_rps: float
    labelled_samples: int
    shard_samples: int
    training_steps: float
    def __init__(self, inference_rps: _Optional[float] = ..., training_steps: _Optional[float] = ..., labelled_samples: _Optional[int] = ..., shard_samples: _Optional[int] = ..., gamma_inference: _Optional[float] = ..., gamma_compute: _Optional[float] = ..., gamma_labels: _Optional[float] = ..., gamma_points: _Optional[int] = ...) -> None: ...
