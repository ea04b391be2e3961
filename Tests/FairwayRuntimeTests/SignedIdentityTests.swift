import CloudCoordinator
import FairwayCore
import FairwayRuntime
import FairwayTestSupport
@testable import FairwayWire
import Foundation
import XCTest

/// Issue 3, acceptance 1: forged, unknown, replayed and stale messages are refused with a
/// clear error and change no state; an honest resend gets the original reply, also after a
/// restart (durable replay journal).
final class SignedIdentityTests: XCTestCase {
    func settings(_ dir: String) -> CoordinatorSettings {
        var s = CoordinatorSettings()
        s.controlURL = "tcp://127.0.0.1:0"
        s.epochURL = "tcp://127.0.0.1:0"
        s.dataDirectory = dir
        return s
    }

    func error(_ reply: VerifiedEnvelope) -> FairwayError? {
        if case .error(let e) = reply.envelope.payload { return e }
        return nil
    }

    func testForgedUnknownReplayedAndStaleAreRefusedWithoutStateChangeAndResendsGetTheOriginalReply() async throws {
        let dir = temporaryDirectory()
        var node = try CoordinatorNode(settings: settings(dir), logger: quietLogger)
        try await node.start()
        var running = Running { [node] in try await node.run() }
        var url = "tcp://127.0.0.1:\(await node.controlPort!)"
        var c = try client(url)

        let edge = NodeKey(), stranger = NodeKey()
        let joinID = MessageID.random()
        let join = JoinRequest(nodeID: edge.nodeID, role: .edgeServer, address: "tcp://edge:1", version: "0.1.0", name: "edge-1", publicKey: edge.publicKey)
        let joinBytes = WireCodec.seal(Envelope(messageID: joinID, sender: edge.nodeID, sentAt: WallClock.now(), payload: .join(join)), signedBy: edge)
        let original = try await c.exchangeSealed(joinBytes, as: edge)
        XCTAssertNil(error(original), "the join is accepted")
        let afterJoin = await node.status()
        XCTAssertEqual(afterJoin.count, 2)

        // An honest resend gets the original reply (the same envelope, re-encrypted in the session).
        let resent = try await c.exchangeSealed(joinBytes, as: edge)
        XCTAssertEqual(resent.envelope, original.envelope)
        let replayed = await node.serverCounters.replayed
        XCTAssertGreaterThanOrEqual(replayed, 1)

        func heartbeat(_ key: NodeKey, sentAt: Timestamp = WallClock.now(), id: MessageID = .random()) -> [UInt8] {
            WireCodec.seal(Envelope(messageID: id, sender: key.nodeID, sentAt: sentAt, payload: .heartbeat(Heartbeat(nodeID: key.nodeID))), signedBy: key)
        }
        var forged = try Fairway_V1_SignedEnvelope(serializedBytes: heartbeat(edge))
        forged.signature[0] ^= 1
        var otherAddress = join
        otherAddress.address = "tcp://mallory:1"
        let sameIDOtherContent = WireCodec.seal(Envelope(messageID: joinID, sender: edge.nodeID, sentAt: WallClock.now(), payload: .join(otherAddress)), signedBy: edge)
        let cases: [(String, [UInt8], NodeKey, FairwayError.Code)] = [
            ("forged signature", try forged.serializedBytes(), edge, .unauthenticated),
            ("unknown key", heartbeat(stranger), stranger, .unknownSender),
            ("replayed id with other content", sameIDOtherContent, edge, .replayed),
            ("stale (11 minutes old)", heartbeat(edge, sentAt: WallClock.now().adding(milliseconds: -660_000)), edge, .stale),
            ("future-dated (11 minutes ahead)", heartbeat(edge, sentAt: WallClock.now().adding(milliseconds: 660_000)), edge, .stale),
        ]
        for (what, bytes, key, code) in cases {
            let e = error(try await c.exchangeSealed(bytes, as: key))
            XCTAssertEqual(e?.code, code, "\(what): \(String(describing: e))")
            XCTAssertFalse(e?.message.isEmpty ?? true, what)
            let now = await node.status()
            XCTAssertEqual(now.map(\.id), afterJoin.map(\.id), "\(what) changed the member table")
            XCTAssertEqual(now.first { $0.id == edge.nodeID }?.address, "tcp://edge:1", "\(what) changed the edge")
            XCTAssertEqual(now.first { $0.id == edge.nodeID }?.lastHeartbeat, afterJoin.first { $0.id == edge.nodeID }?.lastHeartbeat, "\(what) refreshed liveness")
        }

        // kill and restart on the same data directory: the journal still answers the resend.
        c.close()
        await running.stop()
        node = try CoordinatorNode(settings: settings(dir), logger: quietLogger)
        try await node.start()
        running = Running { [node] in try await node.run() }
        url = "tcp://127.0.0.1:\(await node.controlPort!)"
        c = try client(url)
        defer { c.close() }
        let afterRestart = try await c.exchangeSealed(joinBytes, as: edge)
        XCTAssertEqual(afterRestart.envelope, original.envelope, "a resend after a restart gets the original reply, not a second handling")
        let replayedAfterRestart = error(try await c.exchangeSealed(sameIDOtherContent, as: edge))
        XCTAssertEqual(replayedAfterRestart?.code, .replayed)
        await running.stop()
    }

    func testKeyFilesAreCreatedPrivateReusedAndRefusedWhenReadableByOthers() throws {
        let dir = temporaryDirectory()
        let path = dir + "/node.key"
        let first = try NodeKeyFile.loadOrCreate(path)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)
        XCTAssertEqual(try NodeKeyFile.loadOrCreate(path).nodeID, first.nodeID, "a restart keeps the identity")
        chmod(path, 0o644)
        XCTAssertThrowsError(try NodeKeyFile.load(path)) { error in
            XCTAssertTrue("\(error)".contains("chmod 600"), "\(error)")
        }
        try "not hex\n".write(toFile: dir + "/bad.key", atomically: true, encoding: .utf8)
        chmod(dir + "/bad.key", 0o600)
        XCTAssertThrowsError(try NodeKeyFile.load(dir + "/bad.key"))
    }
}
