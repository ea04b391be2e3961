import FairwayCore

extension Payload {
    /// One name for each payload of protocol v1: its field name in `fairway.v1.Envelope`.
    ///
    /// Roles build their durable, read-only and routing tables from this enum, and the fuzzer
    /// its seed corpus, so a new payload is one new case that every table must consider.
    public enum Kind: String, CaseIterable, Sendable, Hashable, Comparable, CustomStringConvertible {
        case error
        case join
        case joinAccepted = "join_accepted"
        case heartbeat
        case heartbeatAck = "heartbeat_ack"
        case statusRequest = "status_request"
        case statusReply = "status_reply"
        case epochAnnouncement = "epoch_announcement"
        case ping
        case pong
        case grantRequest = "grant_request"
        case grantReply = "grant_reply"
        case usageReport = "usage_report"
        case usageAck = "usage_ack"
        case inferenceRequest = "inference_request"
        case inferenceReply = "inference_reply"
        case epochsRequest = "epochs_request"
        case epochsReply = "epochs_reply"
        case contribution
        case contributionReceipt = "contribution_receipt"
        case contributionBatch = "contribution_batch"
        case contributionBatchAck = "contribution_batch_ack"
        case valuationRequest = "valuation_request"
        case valuationReply = "valuation_reply"
        case ledgerRequest = "ledger_request"
        case ledgerReply = "ledger_reply"
        case ledgerProofRequest = "ledger_proof_request"
        case ledgerProofReply = "ledger_proof_reply"
        case contractOfferRequest = "contract_offer_request"
        case contractOffer = "contract_offer"
        case contractSelection = "contract_selection"
        case moduleUpload = "module_upload"
        case moduleUploadAck = "module_upload_ack"
        case moduleRequest = "module_request"
        case moduleReply = "module_reply"
        case contractStatusRequest = "contract_status_request"
        case contractStatus = "contract_status"
        case cloudInferenceRequest = "cloud_inference_request"
        case cloudInferenceReply = "cloud_inference_reply"
        case cloudStatusRequest = "cloud_status_request"
        case cloudStatus = "cloud_status"
        case drainRequest = "drain_request"
        case drainReply = "drain_reply"

        /// Requests that change no state anywhere: a server may answer them without durable
        /// bookkeeping (they still pass the replay window, the duplicate check and the reply cache).
        public var isReadOnly: Bool {
            switch self {
            case .ping, .statusRequest, .epochsRequest, .valuationRequest, .ledgerRequest, .ledgerProofRequest,
                 .contractOfferRequest, .moduleRequest, .contractStatusRequest, .cloudStatusRequest: true
            default: false
            }
        }

        /// Messages a client sends to a REP socket (the others are replies or publications).
        public var isRequest: Bool {
            switch self {
            case .join, .heartbeat, .statusRequest, .ping, .grantRequest, .usageReport, .inferenceRequest, .epochsRequest,
                 .contribution, .contributionBatch, .valuationRequest, .ledgerRequest, .ledgerProofRequest,
                 .contractOfferRequest, .contractSelection, .moduleUpload, .moduleRequest, .contractStatusRequest,
                 .cloudInferenceRequest, .cloudStatusRequest, .drainRequest: true
            case .error, .joinAccepted, .heartbeatAck, .statusReply, .epochAnnouncement, .pong, .grantReply, .usageAck, .inferenceReply, .epochsReply,
                 .contributionReceipt, .contributionBatchAck, .valuationReply, .ledgerReply, .ledgerProofReply,
                 .contractOffer, .moduleUploadAck, .moduleReply, .contractStatus, .cloudInferenceReply, .cloudStatus, .drainReply: false
            }
        }

        public static func < (a: Kind, b: Kind) -> Bool { a.rawValue < b.rawValue }
        public var description: String { rawValue }
    }

    /// This payload's kind (its field name in `fairway.v1.Envelope`).
    public var kind: Kind {
        switch self {
        case .error: .error
        case .join: .join
        case .joinAccepted: .joinAccepted
        case .heartbeat: .heartbeat
        case .heartbeatAck: .heartbeatAck
        case .statusRequest: .statusRequest
        case .statusReply: .statusReply
        case .epochAnnouncement: .epochAnnouncement
        case .ping: .ping
        case .pong: .pong
        case .grantRequest: .grantRequest
        case .grantReply: .grantReply
        case .usageReport: .usageReport
        case .usageAck: .usageAck
        case .inferenceRequest: .inferenceRequest
        case .inferenceReply: .inferenceReply
        case .epochsRequest: .epochsRequest
        case .epochsReply: .epochsReply
        case .contribution: .contribution
        case .contributionReceipt: .contributionReceipt
        case .contributionBatch: .contributionBatch
        case .contributionBatchAck: .contributionBatchAck
        case .valuationRequest: .valuationRequest
        case .valuationReply: .valuationReply
        case .ledgerRequest: .ledgerRequest
        case .ledgerReply: .ledgerReply
        case .ledgerProofRequest: .ledgerProofRequest
        case .ledgerProofReply: .ledgerProofReply
        case .contractOfferRequest: .contractOfferRequest
        case .contractOffer: .contractOffer
        case .contractSelection: .contractSelection
        case .moduleUpload: .moduleUpload
        case .moduleUploadAck: .moduleUploadAck
        case .moduleRequest: .moduleRequest
        case .moduleReply: .moduleReply
        case .contractStatusRequest: .contractStatusRequest
        case .contractStatus: .contractStatus
        case .cloudInferenceRequest: .cloudInferenceRequest
        case .cloudInferenceReply: .cloudInferenceReply
        case .cloudStatusRequest: .cloudStatusRequest
        case .cloudStatus: .cloudStatus
        case .drainRequest: .drainRequest
        case .drainReply: .drainReply
        }
    }
}
