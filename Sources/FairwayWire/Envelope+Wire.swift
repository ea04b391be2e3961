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
        }
    }
}
