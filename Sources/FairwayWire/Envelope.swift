import FairwayCore

/// The domain form of `fairway.v1.Envelope`: every message on every socket.
public struct Envelope: Sendable, Hashable {
    public var protocolVersion: UInt32
    /// Idempotency key of the request (unique per sender).
    public var messageID: MessageID
    public var sender: NodeID
    /// Sender's clock at send time.
    public var sentAt: Timestamp
    /// For replies: the request's `messageID`.
    public var inReplyTo: MessageID?
    public var payload: Payload

    public init(protocolVersion: UInt32 = WireProtocol.version, messageID: MessageID = .random(), sender: NodeID,
                sentAt: Timestamp, inReplyTo: MessageID? = nil, payload: Payload) {
        self.protocolVersion = protocolVersion
        self.messageID = messageID
        self.sender = sender
        self.sentAt = sentAt
        self.inReplyTo = inReplyTo
        self.payload = payload
    }

    /// A reply to `self` from `sender`.
    public func reply(from sender: NodeID, at now: Timestamp, _ payload: Payload) -> Envelope {
        Envelope(sender: sender, sentAt: now, inReplyTo: messageID, payload: payload)
    }
}

/// Every payload of protocol v1.
public enum Payload: Sendable, Hashable {
    case error(FairwayError)
    case join(JoinRequest)
    case joinAccepted(JoinAccepted)
    case heartbeat(Heartbeat)
    case heartbeatAck(HeartbeatAck)
    case statusRequest
    case statusReply(StatusReply)
    case epochAnnouncement(EpochAnnouncement)
    case ping
    case pong(Pong)
    case grantRequest(GrantRequest)
    case grantReply(GrantReply)
    case usageReport(UsageReport)
    case usageAck(UsageAck)
    case inferenceRequest(InferenceRequest)
    case inferenceReply(InferenceReply)
    /// Most recent epochs first, at most `limit` (1–1000).
    case epochsRequest(limit: UInt32)
    case epochsReply([EpochRecord])
    /// Agent → edge: one DP release.
    case contribution(Contribution)
    case contributionReceipt(ContributionReceipt)
    /// Edge → coordinator: agents' signed contributions, forwarded unchanged.
    case contributionBatch(ContributionBatch)
    /// One receipt per batch entry, in order.
    case contributionBatchAck([ContributionReceipt])
    /// Agents to report (empty = all valued agents, at most 1000).
    case valuationRequest([NodeID])
    case valuationReply(ValuationReply)
    /// Ledger records [start, start + limit) (limit 1–1000) and the signed tree heads.
    case ledgerRequest(start: UInt64, limit: UInt32)
    case ledgerReply(LedgerReply)
    case ledgerProofRequest(LedgerProofRequest)
    case ledgerProofReply(LedgerProofReply)
    /// Edge → coordinator: the current period's menu for this edge and its state (read-only).
    case contractOfferRequest
    case contractOffer(ContractOffer)
    /// Edge → coordinator: the item it takes (or declines); answered with the resulting `contractOffer`.
    case contractSelection(ContractSelection)
    /// Edge → coordinator: one chunk of its trained module; answered with `moduleUploadAck`.
    case moduleUpload(ModuleUpload)
    case moduleUploadAck(ModuleUploadAck)
    /// Edge → coordinator: chunk `chunkIndex` of the integrated module (read-only); answered with `moduleReply`.
    case moduleRequest(chunkIndex: UInt32)
    case moduleReply(ModuleReply)
    /// `fairwayctl contract show` (read-only); answered with `contractStatus`.
    case contractStatusRequest
    case contractStatus(ContractStatus)
    /// Edge → coordinator: serve an inference from the edge's cloud share (Fair-Synergy);
    /// answered with `cloudInferenceReply` or `capacityExhausted`.
    case cloudInferenceRequest(CloudInferenceRequest)
    case cloudInferenceReply(CloudInferenceReply)
    /// `fairwayctl cloud` (read-only); answered with `cloudStatus`.
    case cloudStatusRequest
    case cloudStatus(CloudStatus)
    /// `fairwayctl drain` (true) / `resume` (false), to an edge server from one of its
    /// `admin_keys`; answered with `drainReply`.
    case drainRequest(drain: Bool)
    case drainReply(DrainReply)
}

/// Constants of the wire protocol.
public enum WireProtocol {
    /// The protocol version this build speaks: 2, Noise sessions (1 signed every message).
    public static let version: UInt32 = 2
    /// Default maximum envelope size accepted by the application, bytes (1 MiB).
    public static let defaultMaxMessageBytes = 1 << 20
}
