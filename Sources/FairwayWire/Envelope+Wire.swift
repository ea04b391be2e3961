import FairwayCore
import Foundation

extension Envelope {
    /// Maps a generated envelope to the domain; throws on anything malformed.
    init(wire: Fairway_V1_Envelope, archived: Bool = false) throws {
        guard wire.protocolVersion == WireProtocol.version || (archived && wire.protocolVersion == 1) else {
            throw FairwayError(.unsupportedVersion, "protocol version \(wire.protocolVersion) is not supported; this node speaks \(WireProtocol.version)", field: "envelope.protocol_version")
        }
        let messageID = try MessageID(bytes: [UInt8](wire.messageID))
        let sender = try NodeID(wire.sender, field: "envelope.sender")
        guard wire.sentAtUnixMs >= 0 else {
            throw FairwayError(.invalidField, "send time must be ≥ 0 ms, got \(wire.sentAtUnixMs)", field: "envelope.sent_at_unix_ms")
        }
        let inReplyTo = wire.inReplyTo.isEmpty ? nil : try MessageID(bytes: [UInt8](wire.inReplyTo), field: "envelope.in_reply_to")
        guard let payload = wire.payload else {
            throw FairwayError(.malformed, "envelope carries no payload", field: "envelope.payload")
        }
        self.init(protocolVersion: wire.protocolVersion, messageID: messageID, sender: sender,
                  sentAt: Timestamp(unixMilliseconds: wire.sentAtUnixMs), inReplyTo: inReplyTo,
                  payload: try Payload(wire: payload))
    }

    var wire: Fairway_V1_Envelope {
        var w = Fairway_V1_Envelope()
        w.protocolVersion = protocolVersion
        w.messageID = Data(messageID.bytes)
        w.sender = sender.rawValue
        w.sentAtUnixMs = sentAt.unixMilliseconds
        if let inReplyTo { w.inReplyTo = Data(inReplyTo.bytes) }
        w.payload = payload.wire
        return w
    }
}

extension Payload {
    init(wire: Fairway_V1_Envelope.OneOf_Payload) throws {
        switch wire {
        case .error(let e): self = .error(try FairwayError(wire: e))
        case .join(let j): self = .join(try JoinRequest(wire: j))
        case .joinAccepted(let j): self = .joinAccepted(try JoinAccepted(wire: j))
        case .heartbeat(let h): self = .heartbeat(try Heartbeat(wire: h))
        case .heartbeatAck(let h): self = .heartbeatAck(try HeartbeatAck(wire: h))
        case .statusRequest: self = .statusRequest
        case .statusReply(let s): self = .statusReply(try StatusReply(wire: s))
        case .epochAnnouncement(let a): self = .epochAnnouncement(try EpochAnnouncement(wire: a))
        case .ping: self = .ping
        case .pong(let p): self = .pong(try Pong(wire: p))
        case .grantRequest(let g): self = .grantRequest(try GrantRequest(wire: g))
        case .grantReply(let g): self = .grantReply(try GrantReply(wire: g))
        case .usageReport(let u): self = .usageReport(try UsageReport(wire: u))
        case .usageAck(let u): self = .usageAck(try UsageAck(wire: u))
        case .inferenceRequest(let i): self = .inferenceRequest(try InferenceRequest(wire: i))
        case .inferenceReply(let i): self = .inferenceReply(try InferenceReply(wire: i))
        case .epochsRequest(let r):
            guard r.limit <= 1000 else {
                throw FairwayError(.invalidField, "at most 1000 epochs per request, got \(r.limit)", field: "epochs_request.limit")
            }
            self = .epochsRequest(limit: r.limit == 0 ? 100 : r.limit)
        case .epochsReply(let r):
            try checkedCount(r.epochs.count, field: "epochs_reply.epochs")
            self = .epochsReply(try r.epochs.enumerated().map { try EpochRecord(wire: $1, field: "epochs_reply.epochs[\($0)]") })
        case .contribution(let c): self = .contribution(try Contribution(wire: c))
        case .contributionReceipt(let r): self = .contributionReceipt(try ContributionReceipt(wire: r, field: "contribution_receipt"))
        case .contributionBatch(let b): self = .contributionBatch(try ContributionBatch(wire: b))
        case .contributionBatchAck(let a):
            try checkedCount(a.receipts.count, field: "contribution_batch_ack.receipts")
            self = .contributionBatchAck(try a.receipts.enumerated().map { try ContributionReceipt(wire: $1, field: "contribution_batch_ack.receipts[\($0)]") })
        case .valuationRequest(let r):
            guard r.agentIds.count <= 1000 else {
                throw FairwayError(.invalidField, "at most 1000 agents per request, got \(r.agentIds.count)", field: "valuation_request.agent_ids")
            }
            self = .valuationRequest(try r.agentIds.enumerated().map { try NodeID($1, field: "valuation_request.agent_ids[\($0)]") })
        case .valuationReply(let r): self = .valuationReply(try ValuationReply(wire: r))
        case .ledgerRequest(let r):
            guard r.limit <= maxLedgerPage else {
                throw FairwayError(.invalidField, "at most \(maxLedgerPage) records per request, got \(r.limit)", field: "ledger_request.limit")
            }
            self = .ledgerRequest(start: r.start, limit: r.limit == 0 ? 100 : r.limit)
        case .ledgerReply(let r): self = .ledgerReply(try LedgerReply(wire: r))
        case .ledgerProofRequest(let r): self = .ledgerProofRequest(LedgerProofRequest(wire: r))
        case .ledgerProofReply(let r): self = .ledgerProofReply(try LedgerProofReply(wire: r))
        case .contractOfferRequest: self = .contractOfferRequest
        case .contractOffer(let o): self = .contractOffer(try ContractOffer(wire: o))
        case .contractSelection(let s): self = .contractSelection(try ContractSelection(wire: s))
        case .moduleUpload(let u): self = .moduleUpload(try ModuleUpload(wire: u))
        case .moduleUploadAck(let a): self = .moduleUploadAck(try ModuleUploadAck(wire: a))
        case .moduleRequest(let r): self = .moduleRequest(chunkIndex: try moduleRequestChunk(r))
        case .moduleReply(let r): self = .moduleReply(try ModuleReply(wire: r))
        case .contractStatusRequest: self = .contractStatusRequest
        case .contractStatus(let s): self = .contractStatus(try ContractStatus(wire: s))
        case .cloudInferenceRequest(let r): self = .cloudInferenceRequest(try CloudInferenceRequest(wire: r))
        case .cloudInferenceReply(let r): self = .cloudInferenceReply(try CloudInferenceReply(wire: r))
        case .cloudStatusRequest: self = .cloudStatusRequest
        case .cloudStatus(let s): self = .cloudStatus(try CloudStatus(wire: s))
        case .drainRequest(let r): self = .drainRequest(drain: r.drain)
        case .drainReply(let r): self = .drainReply(try DrainReply(wire: r))
        }
    }

    var wire: Fairway_V1_Envelope.OneOf_Payload {
        switch self {
        case .error(let e): .error(e.wire)
        case .join(let j): .join(j.wire)
        case .joinAccepted(let j): .joinAccepted(j.wire)
        case .heartbeat(let h): .heartbeat(h.wire)
        case .heartbeatAck(let h): .heartbeatAck(h.wire)
        case .statusRequest: .statusRequest(Fairway_V1_StatusRequest())
        case .statusReply(let s): .statusReply(s.wire)
        case .epochAnnouncement(let a): .epochAnnouncement(a.wire)
        case .ping: .ping(Fairway_V1_Ping())
        case .pong(let p): .pong(p.wire)
        case .grantRequest(let g): .grantRequest(g.wire)
        case .grantReply(let g): .grantReply(g.wire)
        case .usageReport(let u): .usageReport(u.wire)
        case .usageAck(let u): .usageAck(u.wire)
        case .inferenceRequest(let i): .inferenceRequest(i.wire)
        case .inferenceReply(let i): .inferenceReply(i.wire)
        case .epochsRequest(let limit): .epochsRequest({ var r = Fairway_V1_EpochsRequest(); r.limit = limit; return r }())
        case .epochsReply(let e): .epochsReply({ var r = Fairway_V1_EpochsReply(); r.epochs = e.map(\.wire); return r }())
        case .contribution(let c): .contribution(c.wire)
        case .contributionReceipt(let r): .contributionReceipt(r.wire)
        case .contributionBatch(let b): .contributionBatch(b.wire)
        case .contributionBatchAck(let rs): .contributionBatchAck({ var a = Fairway_V1_ContributionBatchAck(); a.receipts = rs.map(\.wire); return a }())
        case .valuationRequest(let ids): .valuationRequest({ var r = Fairway_V1_ValuationRequest(); r.agentIds = ids.map(\.rawValue); return r }())
        case .valuationReply(let r): .valuationReply(r.wire)
        case .ledgerRequest(let start, let limit): .ledgerRequest({ var r = Fairway_V1_LedgerRequest(); r.start = start; r.limit = limit; return r }())
        case .ledgerReply(let r): .ledgerReply(r.wire)
        case .ledgerProofRequest(let r): .ledgerProofRequest(r.wire)
        case .ledgerProofReply(let r): .ledgerProofReply(r.wire)
        case .contractOfferRequest: .contractOfferRequest(Fairway_V1_ContractOfferRequest())
        case .contractOffer(let o): .contractOffer(o.wire)
        case .contractSelection(let s): .contractSelection(s.wire)
        case .moduleUpload(let u): .moduleUpload(u.wire)
        case .moduleUploadAck(let a): .moduleUploadAck(a.wire)
        case .moduleRequest(let i): .moduleRequest({ var r = Fairway_V1_ModuleRequest(); r.chunkIndex = i; return r }())
        case .moduleReply(let r): .moduleReply(r.wire)
        case .contractStatusRequest: .contractStatusRequest(Fairway_V1_ContractStatusRequest())
        case .contractStatus(let s): .contractStatus(s.wire)
        case .cloudInferenceRequest(let r): .cloudInferenceRequest(r.wire)
        case .cloudInferenceReply(let r): .cloudInferenceReply(r.wire)
        case .cloudStatusRequest: .cloudStatusRequest(Fairway_V1_CloudStatusRequest())
        case .cloudStatus(let s): .cloudStatus(s.wire)
        case .drainRequest(let drain): .drainRequest({ var r = Fairway_V1_DrainRequest(); r.drain = drain; return r }())
        case .drainReply(let r): .drainReply(r.wire)
        }
    }
}
