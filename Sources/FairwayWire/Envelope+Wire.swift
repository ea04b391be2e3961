import FairwayCore
import Foundation

extension Envelope {
    /// Maps a generated envelope to the domain; throws on anything malformed.
    init(wire: Fairway_V1_Envelope) throws {
        guard wire.protocolVersion == WireProtocol.version else {
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
        }
    }
}
