from fairway._proto import cloud_pb2 as _cloud_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor
MEMBER_STATE_ALIVE: MemberState
MEMBER_STATE_DEAD: MemberState
MEMBER_STATE_SUSPECT: MemberState
MEMBER_STATE_UNSPECIFIED: MemberState
NODE_ROLE_CLOUD_COORDINATOR: NodeRole
NODE_ROLE_EDGE_AGENT: NodeRole
NODE_ROLE_EDGE_SERVER: NodeRole
NODE_ROLE_UNSPECIFIED: NodeRole

class DrainReply(_message.Message):
    __slots__ = ["attached_agents", "draining", "edge_id"]
    ATTACHED_AGENTS_FIELD_NUMBER: _ClassVar[int]
    DRAINING_FIELD_NUMBER: _ClassVar[int]
    EDGE_ID_FIELD_NUMBER: _ClassVar[int]
    attached_agents: int
    draining: bool
    edge_id: str
    def __init__(self, edge_id: _Optional[str] = ..., draining: bool = ..., attached_agents: _Optional[int] = ...) -> None: ...

class DrainRequest(_message.Message):
    __slots__ = ["drain"]
    DRAIN_FIELD_NUMBER: _ClassVar[int]
    drain: bool
    def __init__(self, drain: bool = ...) -> None: ...

class EpochAnnouncement(_message.Message):
    __slots__ = ["alive_members", "epoch", "next_epoch_at_unix_ms", "started_at_unix_ms"]
    ALIVE_MEMBERS_FIELD_NUMBER: _ClassVar[int]
    EPOCH_FIELD_NUMBER: _ClassVar[int]
    NEXT_EPOCH_AT_UNIX_MS_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_UNIX_MS_FIELD_NUMBER: _ClassVar[int]
    alive_members: int
    epoch: int
    next_epoch_at_unix_ms: int
    started_at_unix_ms: int
    def __init__(self, epoch: _Optional[int] = ..., started_at_unix_ms: _Optional[int] = ..., alive_members: _Optional[int] = ..., next_epoch_at_unix_ms: _Optional[int] = ...) -> None: ...

class Heartbeat(_message.Message):
    __slots__ = ["agent_ids", "node_id", "resources"]
    AGENT_IDS_FIELD_NUMBER: _ClassVar[int]
    NODE_ID_FIELD_NUMBER: _ClassVar[int]
    RESOURCES_FIELD_NUMBER: _ClassVar[int]
    agent_ids: _containers.RepeatedScalarFieldContainer[str]
    node_id: str
    resources: _cloud_pb2.EdgeResources
    def __init__(self, node_id: _Optional[str] = ..., agent_ids: _Optional[_Iterable[str]] = ..., resources: _Optional[_Union[_cloud_pb2.EdgeResources, _Mapping]] = ...) -> None: ...

class HeartbeatAck(_message.Message):
    __slots__ = ["cloud_share", "epoch", "unknown_agent_ids"]
    CLOUD_SHARE_FIELD_NUMBER: _ClassVar[int]
    EPOCH_FIELD_NUMBER: _ClassVar[int]
    UNKNOWN_AGENT_IDS_FIELD_NUMBER: _ClassVar[int]
    cloud_share: _cloud_pb2.CloudShare
    epoch: int
    unknown_agent_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, epoch: _Optional[int] = ..., unknown_agent_ids: _Optional[_Iterable[str]] = ..., cloud_share: _Optional[_Union[_cloud_pb2.CloudShare, _Mapping]] = ...) -> None: ...

class JoinAccepted(_message.Message):
    __slots__ = ["coordinator_id", "epoch", "epoch_ms", "epoch_url", "heartbeat_interval_ms", "max_clock_skew_ms", "replay_window_ms"]
    COORDINATOR_ID_FIELD_NUMBER: _ClassVar[int]
    EPOCH_FIELD_NUMBER: _ClassVar[int]
    EPOCH_MS_FIELD_NUMBER: _ClassVar[int]
    EPOCH_URL_FIELD_NUMBER: _ClassVar[int]
    HEARTBEAT_INTERVAL_MS_FIELD_NUMBER: _ClassVar[int]
    MAX_CLOCK_SKEW_MS_FIELD_NUMBER: _ClassVar[int]
    REPLAY_WINDOW_MS_FIELD_NUMBER: _ClassVar[int]
    coordinator_id: str
    epoch: int
    epoch_ms: int
    epoch_url: str
    heartbeat_interval_ms: int
    max_clock_skew_ms: int
    replay_window_ms: int
    def __init__(self, coordinator_id: _Optional[str] = ..., heartbeat_interval_ms: _Optional[int] = ..., epoch: _Optional[int] = ..., epoch_ms: _Optional[int] = ..., epoch_url: _Optional[str] = ..., replay_window_ms: _Optional[int] = ..., max_clock_skew_ms: _Optional[int] = ...) -> None: ...

class JoinRequest(_message.Message):
    __slots__ = ["address", "agent_proof", "bucket_size", "name", "node_id", "public_key", "role", "version", "via"]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    AGENT_PROOF_FIELD_NUMBER: _ClassVar[int]
    BUCKET_SIZE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    NODE_ID_FIELD_NUMBER: _ClassVar[int]
    PUBLIC_KEY_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    VIA_FIELD_NUMBER: _ClassVar[int]
    address: str
    agent_proof: bytes
    bucket_size: int
    name: str
    node_id: str
    public_key: bytes
    role: NodeRole
    version: str
    via: str
    def __init__(self, node_id: _Optional[str] = ..., role: _Optional[_Union[NodeRole, str]] = ..., address: _Optional[str] = ..., version: _Optional[str] = ..., via: _Optional[str] = ..., bucket_size: _Optional[int] = ..., name: _Optional[str] = ..., public_key: _Optional[bytes] = ..., agent_proof: _Optional[bytes] = ...) -> None: ...

class NodeStatus(_message.Message):
    __slots__ = ["address", "last_heartbeat_unix_ms", "name", "node_id", "role", "state", "tokens_granted", "tokens_remaining", "tokens_used", "version", "via"]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    LAST_HEARTBEAT_UNIX_MS_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    NODE_ID_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    TOKENS_GRANTED_FIELD_NUMBER: _ClassVar[int]
    TOKENS_REMAINING_FIELD_NUMBER: _ClassVar[int]
    TOKENS_USED_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    VIA_FIELD_NUMBER: _ClassVar[int]
    address: str
    last_heartbeat_unix_ms: int
    name: str
    node_id: str
    role: NodeRole
    state: MemberState
    tokens_granted: int
    tokens_remaining: int
    tokens_used: int
    version: str
    via: str
    def __init__(self, node_id: _Optional[str] = ..., role: _Optional[_Union[NodeRole, str]] = ..., address: _Optional[str] = ..., state: _Optional[_Union[MemberState, str]] = ..., last_heartbeat_unix_ms: _Optional[int] = ..., version: _Optional[str] = ..., via: _Optional[str] = ..., name: _Optional[str] = ..., tokens_granted: _Optional[int] = ..., tokens_used: _Optional[int] = ..., tokens_remaining: _Optional[int] = ...) -> None: ...

class Ping(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class Pong(_message.Message):
    __slots__ = ["name", "node_id", "role", "version"]
    NAME_FIELD_NUMBER: _ClassVar[int]
    NODE_ID_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    name: str
    node_id: str
    role: NodeRole
    version: str
    def __init__(self, node_id: _Optional[str] = ..., role: _Optional[_Union[NodeRole, str]] = ..., version: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class StatusReply(_message.Message):
    __slots__ = ["epoch", "nodes", "reporter_id", "reporter_name", "reporter_role"]
    EPOCH_FIELD_NUMBER: _ClassVar[int]
    NODES_FIELD_NUMBER: _ClassVar[int]
    REPORTER_ID_FIELD_NUMBER: _ClassVar[int]
    REPORTER_NAME_FIELD_NUMBER: _ClassVar[int]
    REPORTER_ROLE_FIELD_NUMBER: _ClassVar[int]
    epoch: int
    nodes: _containers.RepeatedCompositeFieldContainer[NodeStatus]
    reporter_id: str
    reporter_name: str
    reporter_role: NodeRole
    def __init__(self, reporter_id: _Optional[str] = ..., reporter_name: _Optional[str] = ..., reporter_role: _Optional[_Union[NodeRole, str]] = ..., nodes: _Optional[_Iterable[_Union[NodeStatus, _Mapping]]] = ..., epoch: _Optional[int] = ...) -> None: ...

class StatusRequest(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class NodeRole(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class MemberState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []
