from fairway._proto import cloud_pb2 as _cloud_pb2
from fairway._proto import contracts_pb2 as _contracts_pb2
from fairway._proto import error_pb2 as _error_pb2
from fairway._proto import ledger_pb2 as _ledger_pb2
from fairway._proto import membership_pb2 as _membership_pb2
from fairway._proto import tokens_pb2 as _tokens_pb2
from fairway._proto import valuation_pb2 as _valuation_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Envelope(_message.Message):
    __slots__ = ["cloud_inference_reply", "cloud_inference_request", "cloud_status", "cloud_status_request", "contract_offer", "contract_offer_request", "contract_selection", "contract_status", "contract_status_request", "contribution", "contribution_batch", "contribution_batch_ack", "contribution_receipt", "drain_reply", "drain_request", "epoch_announcement", "epochs_reply", "epochs_request", "error", "grant_reply", "grant_request", "heartbeat", "heartbeat_ack", "in_reply_to", "inference_reply", "inference_request", "join", "join_accepted", "ledger_proof_reply", "ledger_proof_request", "ledger_reply", "ledger_request", "message_id", "module_reply", "module_request", "module_upload", "module_upload_ack", "ping", "pong", "protocol_version", "sender", "sent_at_unix_ms", "status_reply", "status_request", "usage_ack", "usage_report", "valuation_reply", "valuation_request"]
    CLOUD_INFERENCE_REPLY_FIELD_NUMBER: _ClassVar[int]
    CLOUD_INFERENCE_REQUEST_FIELD_NUMBER: _ClassVar[int]
    CLOUD_STATUS_FIELD_NUMBER: _ClassVar[int]
    CLOUD_STATUS_REQUEST_FIELD_NUMBER: _ClassVar[int]
    CONTRACT_OFFER_FIELD_NUMBER: _ClassVar[int]
    CONTRACT_OFFER_REQUEST_FIELD_NUMBER: _ClassVar[int]
    CONTRACT_SELECTION_FIELD_NUMBER: _ClassVar[int]
    CONTRACT_STATUS_FIELD_NUMBER: _ClassVar[int]
    CONTRACT_STATUS_REQUEST_FIELD_NUMBER: _ClassVar[int]
    CONTRIBUTION_BATCH_ACK_FIELD_NUMBER: _ClassVar[int]
    CONTRIBUTION_BATCH_FIELD_NUMBER: _ClassVar[int]
    CONTRIBUTION_FIELD_NUMBER: _ClassVar[int]
    CONTRIBUTION_RECEIPT_FIELD_NUMBER: _ClassVar[int]
    DRAIN_REPLY_FIELD_NUMBER: _ClassVar[int]
    DRAIN_REQUEST_FIELD_NUMBER: _ClassVar[int]
    EPOCHS_REPLY_FIELD_NUMBER: _ClassVar[int]
    EPOCHS_REQUEST_FIELD_NUMBER: _ClassVar[int]
    EPOCH_ANNOUNCEMENT_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    GRANT_REPLY_FIELD_NUMBER: _ClassVar[int]
    GRANT_REQUEST_FIELD_NUMBER: _ClassVar[int]
    HEARTBEAT_ACK_FIELD_NUMBER: _ClassVar[int]
    HEARTBEAT_FIELD_NUMBER: _ClassVar[int]
    INFERENCE_REPLY_FIELD_NUMBER: _ClassVar[int]
    INFERENCE_REQUEST_FIELD_NUMBER: _ClassVar[int]
    IN_REPLY_TO_FIELD_NUMBER: _ClassVar[int]
    JOIN_ACCEPTED_FIELD_NUMBER: _ClassVar[int]
    JOIN_FIELD_NUMBER: _ClassVar[int]
    LEDGER_PROOF_REPLY_FIELD_NUMBER: _ClassVar[int]
    LEDGER_PROOF_REQUEST_FIELD_NUMBER: _ClassVar[int]
    LEDGER_REPLY_FIELD_NUMBER: _ClassVar[int]
    LEDGER_REQUEST_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    MODULE_REPLY_FIELD_NUMBER: _ClassVar[int]
    MODULE_REQUEST_FIELD_NUMBER: _ClassVar[int]
    MODULE_UPLOAD_ACK_FIELD_NUMBER: _ClassVar[int]
    MODULE_UPLOAD_FIELD_NUMBER: _ClassVar[int]
    PING_FIELD_NUMBER: _ClassVar[int]
    PONG_FIELD_NUMBER: _ClassVar[int]
    PROTOCOL_VERSION_FIELD_NUMBER: _ClassVar[int]
    SENDER_FIELD_NUMBER: _ClassVar[int]
    SENT_AT_UNIX_MS_FIELD_NUMBER: _ClassVar[int]
    STATUS_REPLY_FIELD_NUMBER: _ClassVar[int]
    STATUS_REQUEST_FIELD_NUMBER: _ClassVar[int]
    USAGE_ACK_FIELD_NUMBER: _ClassVar[int]
    USAGE_REPORT_FIELD_NUMBER: _ClassVar[int]
    VALUATION_REPLY_FIELD_NUMBER: _ClassVar[int]
    VALUATION_REQUEST_FIELD_NUMBER: _ClassVar[int]
    cloud_inference_reply: _cloud_pb2.CloudInferenceReply
    cloud_inference_request: _cloud_pb2.CloudInferenceRequest
    cloud_status: _cloud_pb2.CloudStatus
    cloud_status_request: _cloud_pb2.CloudStatusRequest
    contract_offer: _contracts_pb2.ContractOffer
    contract_offer_request: _contracts_pb2.ContractOfferRequest
    contract_selection: _contracts_pb2.ContractSelection
    contract_status: _contracts_pb2.ContractStatus
    contract_status_request: _contracts_pb2.ContractStatusRequest
    contribution: _valuation_pb2.Contribution
    contribution_batch: _valuation_pb2.ContributionBatch
    contribution_batch_ack: _valuation_pb2.ContributionBatchAck
    contribution_receipt: _valuation_pb2.ContributionReceipt
    drain_reply: _membership_pb2.DrainReply
    drain_request: _membership_pb2.DrainRequest
    epoch_announcement: _membership_pb2.EpochAnnouncement
    epochs_reply: _tokens_pb2.EpochsReply
    epochs_request: _tokens_pb2.EpochsRequest
    error: _error_pb2.ErrorReply
    grant_reply: _tokens_pb2.GrantReply
    grant_request: _tokens_pb2.GrantRequest
    heartbeat: _membership_pb2.Heartbeat
    heartbeat_ack: _membership_pb2.HeartbeatAck
    in_reply_to: bytes
    inference_reply: _tokens_pb2.InferenceReply
    inference_request: _tokens_pb2.InferenceRequest
    join: _membership_pb2.JoinRequest
    join_accepted: _membership_pb2.JoinAccepted
    ledger_proof_reply: _ledger_pb2.LedgerProofReply
    ledger_proof_request: _ledger_pb2.LedgerProofRequest
    ledger_reply: _ledger_pb2.LedgerReply
    ledger_request: _ledger_pb2.LedgerRequest
    message_id: bytes
    module_reply: _contracts_pb2.ModuleReply
    module_request: _contracts_pb2.ModuleRequest
    module_upload: _contracts_pb2.ModuleUpload
    module_upload_ack: _contracts_pb2.ModuleUploadAck
    ping: _membership_pb2.Ping
    pong: _membership_pb2.Pong
    protocol_version: int
    sender: str
    sent_at_unix_ms: int
    status_reply: _membership_pb2.StatusReply
    status_request: _membership_pb2.StatusRequest
    usage_ack: _tokens_pb2.UsageAck
    usage_report: _tokens_pb2.UsageReport
    valuation_reply: _valuation_pb2.ValuationReply
    valuation_request: _valuation_pb2.ValuationRequest
    def __init__(self, protocol_version: _Optional[int] = ..., message_id: _Optional[bytes] = ..., sender: _Optional[str] = ..., sent_at_unix_ms: _Optional[int] = ..., in_reply_to: _Optional[bytes] = ..., error: _Optional[_Union[_error_pb2.ErrorReply, _Mapping]] = ..., join: _Optional[_Union[_membership_pb2.JoinRequest, _Mapping]] = ..., join_accepted: _Optional[_Union[_membership_pb2.JoinAccepted, _Mapping]] = ..., heartbeat: _Optional[_Union[_membership_pb2.Heartbeat, _Mapping]] = ..., heartbeat_ack: _Optional[_Union[_membership_pb2.HeartbeatAck, _Mapping]] = ..., status_request: _Optional[_Union[_membership_pb2.StatusRequest, _Mapping]] = ..., status_reply: _Optional[_Union[_membership_pb2.StatusReply, _Mapping]] = ..., epoch_announcement: _Optional[_Union[_membership_pb2.EpochAnnouncement, _Mapping]] = ..., ping: _Optional[_Union[_membership_pb2.Ping, _Mapping]] = ..., pong: _Optional[_Union[_membership_pb2.Pong, _Mapping]] = ..., grant_request: _Optional[_Union[_tokens_pb2.GrantRequest, _Mapping]] = ..., grant_reply: _Optional[_Union[_tokens_pb2.GrantReply, _Mapping]] = ..., usage_report: _Optional[_Union[_tokens_pb2.UsageReport, _Mapping]] = ..., usage_ack: _Optional[_Union[_tokens_pb2.UsageAck, _Mapping]] = ..., inference_request: _Optional[_Union[_tokens_pb2.InferenceRequest, _Mapping]] = ..., inference_reply: _Optional[_Union[_tokens_pb2.InferenceReply, _Mapping]] = ..., epochs_request: _Optional[_Union[_tokens_pb2.EpochsRequest, _Mapping]] = ..., epochs_reply: _Optional[_Union[_tokens_pb2.EpochsReply, _Mapping]] = ..., contribution: _Optional[_Union[_valuation_pb2.Contribution, _Mapping]] = ..., contribution_receipt: _Optional[_Union[_valuation_pb2.ContributionReceipt, _Mapping]] = ..., contribution_batch: _Optional[_Union[_valuation_pb2.ContributionBatch, _Mapping]] = ..., contribution_batch_ack: _Optional[_Union[_valuation_pb2.ContributionBatchAck, _Mapping]] = ..., valuation_request: _Optional[_Union[_valuation_pb2.ValuationRequest, _Mapping]] = ..., valuation_reply: _Optional[_Union[_valuation_pb2.ValuationReply, _Mapping]] = ..., ledger_request: _Optional[_Union[_ledger_pb2.LedgerRequest, _Mapping]] = ..., ledger_reply: _Optional[_Union[_ledger_pb2.LedgerReply, _Mapping]] = ..., ledger_proof_request: _Optional[_Union[_ledger_pb2.LedgerProofRequest, _Mapping]] = ..., ledger_proof_reply: _Optional[_Union[_ledger_pb2.LedgerProofReply, _Mapping]] = ..., contract_offer_request: _Optional[_Union[_contracts_pb2.ContractOfferRequest, _Mapping]] = ..., contract_offer: _Optional[_Union[_contracts_pb2.ContractOffer, _Mapping]] = ..., contract_selection: _Optional[_Union[_contracts_pb2.ContractSelection, _Mapping]] = ..., module_upload: _Optional[_Union[_contracts_pb2.ModuleUpload, _Mapping]] = ..., module_upload_ack: _Optional[_Union[_contracts_pb2.ModuleUploadAck, _Mapping]] = ..., module_request: _Optional[_Union[_contracts_pb2.ModuleRequest, _Mapping]] = ..., module_reply: _Optional[_Union[_contracts_pb2.ModuleReply, _Mapping]] = ..., contract_status_request: _Optional[_Union[_contracts_pb2.ContractStatusRequest, _Mapping]] = ..., contract_status: _Optional[_Union[_contracts_pb2.ContractStatus, _Mapping]] = ..., cloud_inference_request: _Optional[_Union[_cloud_pb2.CloudInferenceRequest, _Mapping]] = ..., cloud_inference_reply: _Optional[_Union[_cloud_pb2.CloudInferenceReply, _Mapping]] = ..., cloud_status_request: _Optional[_Union[_cloud_pb2.CloudStatusRequest, _Mapping]] = ..., cloud_status: _Optional[_Union[_cloud_pb2.CloudStatus, _Mapping]] = ..., drain_request: _Optional[_Union[_membership_pb2.DrainRequest, _Mapping]] = ..., drain_reply: _Optional[_Union[_membership_pb2.DrainReply, _Mapping]] = ...) -> None: ...

class SignedEnvelope(_message.Message):
    __slots__ = ["envelope", "public_key", "signature"]
    ENVELOPE_FIELD_NUMBER: _ClassVar[int]
    PUBLIC_KEY_FIELD_NUMBER: _ClassVar[int]
    SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    envelope: bytes
    public_key: bytes
    signature: bytes
    def __init__(self, envelope: _Optional[bytes] = ..., public_key: _Optional[bytes] = ..., signature: _Optional[bytes] = ...) -> None: ...
