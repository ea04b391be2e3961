import FairwayCore
@testable import FairwayWire
import Foundation
import XCTest

final class WireCodecTests: XCTestCase {
    let sender = NodeID(unchecked: "edge-1")
    let now = Timestamp(unixMilliseconds: 1_764_000_000_000)

    func roundTrip(_ payload: Payload, file: StaticString = #filePath, line: UInt = #line) throws {
        let env = Envelope(sender: sender, sentAt: now, inReplyTo: .random(), payload: payload)
        let decoded = try WireCodec.decode(WireCodec.encode(env))
        XCTAssertEqual(decoded, env, file: file, line: line)
    }

    func testEveryPayloadRoundTrips() throws {
        let a = NodeID(unchecked: "agent-0")
        try roundTrip(.error(FairwayError(.invalidField, "bad", field: "join.role", retryAfterMilliseconds: 5)))
        let agentKey = try NodeKey(privateKey: [UInt8](repeating: 7, count: 32))
        try roundTrip(.join(JoinRequest(nodeID: agentKey.nodeID, role: .edgeAgent, address: "", version: "0.1.0", via: sender, bucketSize: 4,
                                        name: "agent-0", publicKey: agentKey.publicKey, agentProof: [1, 2, 3])))
        try roundTrip(.joinAccepted(JoinAccepted(coordinatorID: NodeID(unchecked: "coordinator"), heartbeatIntervalMilliseconds: 500, epoch: 7)))
        try roundTrip(.heartbeat(Heartbeat(nodeID: sender, agentIDs: [a, NodeID(unchecked: "agent-1")])))
        try roundTrip(.heartbeatAck(HeartbeatAck(epoch: 3, unknownAgentIDs: [a])))
        try roundTrip(.statusRequest)
        try roundTrip(.statusReply(StatusReply(reporterID: sender, reporterRole: .edgeServer, nodes: [
            NodeStatus(id: a, role: .edgeAgent, address: "", state: .suspect, lastHeartbeat: now, version: "0.1.0", via: sender),
        ], epoch: 2)))
        try roundTrip(.epochAnnouncement(EpochAnnouncement(epoch: 9, startedAt: now, aliveMembers: 13)))
        try roundTrip(.ping)
        try roundTrip(.pong(Pong(nodeID: sender, role: .edgeServer, version: "0.1.0")))
    }

    func expectFailure(_ bytes: [UInt8], code: FairwayError.Code, field: String, maxBytes: Int = 1 << 20,
                       file: StaticString = #filePath, line: UInt = #line) {
        do {
            _ = try WireCodec.decode(bytes, maxBytes: maxBytes)
            XCTFail("decoded", file: file, line: line)
        } catch {
            XCTAssertEqual(error.error.code, code, "\(error.error)", file: file, line: line)
            XCTAssertEqual(error.error.field, field, "\(error.error)", file: file, line: line)
        }
    }

    func valid() -> [UInt8] { WireCodec.encode(Envelope(sender: sender, sentAt: now, payload: .ping)) }

    func testGarbageIsMalformed() {
        expectFailure([0xFF, 0xFF, 0xFF, 0xFF, 0x0F], code: .malformed, field: "envelope")
        expectFailure(Array("hello, fairway".utf8), code: .malformed, field: "envelope")
    }

    func testEveryTruncationOfAValidEnvelopeIsRefused() {
        let key = NodeKey()
        let bytes = WireCodec.encode(Envelope(sender: sender, sentAt: now, payload: .join(JoinRequest(nodeID: key.nodeID, role: .edgeServer, address: "tcp://x:1", version: "0.1.0", publicKey: key.publicKey))))
        for n in 0..<bytes.count {
            XCTAssertThrowsError(try WireCodec.decode(Array(bytes.prefix(n))), "prefix of \(n) bytes decoded")
        }
    }

    func testUnknownProtocolVersionIsRefusedButTheHeaderIsRecovered() throws {
        var w = try Fairway_V1_Envelope(serializedBytes: valid())
        w.protocolVersion = 3
        let bytes: [UInt8] = try w.serializedBytes()
        expectFailure(bytes, code: .unsupportedVersion, field: "envelope.protocol_version")
        do {
            _ = try WireCodec.decode(bytes)
        } catch {
            XCTAssertEqual(error.partial?.messageID?.bytes, [UInt8](w.messageID), "the error reply can still answer this message id")
        }
    }

    func testOversizeIsRefusedBeforeParsing() {
        expectFailure(valid(), code: .messageTooLarge, field: "envelope", maxBytes: 10)
    }

    func testDomainViolationsNameTheField() throws {
        var w = try Fairway_V1_Envelope(serializedBytes: valid())
        w.messageID = Data([1, 2, 3])
        expectFailure(try w.serializedBytes(), code: .invalidField, field: "envelope.message_id")

        w = try Fairway_V1_Envelope(serializedBytes: valid())
        w.sender = "bad sender"
        expectFailure(try w.serializedBytes(), code: .invalidField, field: "envelope.sender")

        w = try Fairway_V1_Envelope(serializedBytes: valid())
        w.payload = nil
        expectFailure(try w.serializedBytes(), code: .malformed, field: "envelope.payload")

        w = try Fairway_V1_Envelope(serializedBytes: valid())
        var join = Fairway_V1_JoinRequest()
        join.nodeID = "edge-1"
        join.role = .unspecified
        w.join = join
        expectFailure(try w.serializedBytes(), code: .invalidField, field: "join.role")

        w = try Fairway_V1_Envelope(serializedBytes: valid())
        var hb = Fairway_V1_Heartbeat()
        hb.nodeID = "edge-1"
        hb.agentIds = ["ok", ""]
        w.heartbeat = hb
        expectFailure(try w.serializedBytes(), code: .invalidField, field: "heartbeat.agent_ids[1]")

        w = try Fairway_V1_Envelope(serializedBytes: valid())
        w.sentAtUnixMs = -1
        expectFailure(try w.serializedBytes(), code: .invalidField, field: "envelope.sent_at_unix_ms")

        w = try Fairway_V1_Envelope(serializedBytes: valid())
        var e = Fairway_V1_ErrorReply()
        e.code = .UNRECOGNIZED(42)
        w.error = e
        expectFailure(try w.serializedBytes(), code: .invalidField, field: "error.code")
    }

    func testLocalOnlyNoReplyCodeNeverCrossesTheWire() throws {
        let env = Envelope(sender: sender, sentAt: now, payload: .error(FairwayError(.noReply, "x")))
        let decoded = try WireCodec.decode(WireCodec.encode(env))
        guard case .error(let e) = decoded.payload else { return XCTFail() }
        XCTAssertEqual(e.code, .unavailable)
    }
}
