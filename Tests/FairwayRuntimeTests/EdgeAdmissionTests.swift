import CloudCoordinator
import EdgeServer
import FairwayCore
import FairwayRuntime
import FairwayTestSupport
@testable import FairwayWire
import Foundation
import XCTest

/// Tier (b): a real coordinator and edge server over tcp. An admitted inference is debited
/// durably together with its journal entry: a resend, even after the edge restarts, gets the
/// original reply and is never served (or charged) twice.
final class EdgeAdmissionTests: XCTestCase {
    func testResentInferenceIsServedOnceAcrossAnEdgeRestart() async throws {
        let dir = temporaryDirectory()
        var cs = CoordinatorSettings()
        cs.controlURL = "tcp://127.0.0.1:0"
        cs.epochURL = "tcp://127.0.0.1:0"
        cs.dataDirectory = dir + "/coordinator"
        cs.epochMilliseconds = 200
        cs.tokens.tokensPerEpoch = 5
        cs.membership.heartbeatIntervalMilliseconds = 100
        let coordinator = try CoordinatorNode(settings: cs, logger: quietLogger)
        try await coordinator.start()
        let c = Running { try await coordinator.run() }
        var es = EdgeServerSettings()
        es.listenURL = "tcp://127.0.0.1:0"
        es.coordinatorURL = "tcp://127.0.0.1:\(await coordinator.controlPort!)"
        es.coordinatorEpochURL = "tcp://127.0.0.1:\(await coordinator.epochPort!)"
        es.dataDirectory = dir + "/edge"
        es.heartbeatIntervalMilliseconds = 100
        var edge = try EdgeServerNode(settings: es, logger: quietLogger)
        try await edge.start()
        var e = Running { [edge] in try await edge.run() }
        es.listenURL = "tcp://127.0.0.1:\(await edge.listenPort!)"  // the restart binds the same port
        let agentKey = NodeKey()
        let agent = try client(es.listenURL, key: agentKey)
        defer { agent.close() }

        let join = JoinRequest(nodeID: agentKey.nodeID, role: .edgeAgent, address: "", version: "0.1.0", bucketSize: 5, name: "a", publicKey: agentKey.publicKey)
        await eventually(10, "agent joined") { if case .joinAccepted = try await agent.call(.join(join)) { true } else { false } }
        await eventually(10, "tokens leased to the edge") {
            let rows = try await status(agent)
            return rows.first { $0.id == agentKey.nodeID }?.tokensRemaining ?? 0 >= 2
        }

        let id = MessageID.random()
        let sealed = WireCodec.seal(Envelope(messageID: id, sender: agentKey.nodeID, sentAt: WallClock.now(),
                                             payload: .inferenceRequest(InferenceRequest(cost: 2))), signedBy: agentKey)
        let first = try await agent.exchangeSealed(sealed, as: agentKey)
        guard case .inferenceReply(let served) = first.envelope.payload else { return XCTFail("not admitted") }
        XCTAssertEqual(served.charged, 2)
        let resent = try await agent.exchangeSealed(sealed, as: agentKey)
        XCTAssertEqual(resent.envelope, first.envelope, "a resend gets the original reply")

        // Restart the edge on its data directory: the journal (same transaction as the debit) answers.
        await e.stop()
        edge = try EdgeServerNode(settings: es, logger: quietLogger)
        try await edge.start()
        e = Running { [edge] in try await edge.run() }
        // The restarted edge has no session: the client handshakes again without an error.
        let afterRestart = try await agent.exchangeSealed(sealed, as: agentKey)
        XCTAssertEqual(afterRestart.envelope, first.envelope, "after a restart the resend still gets the original reply, not a second admission")

        // The restarted edge settled the lease with the durable debit: the coordinator counts exactly
        // 2 used (by account: settled leases are compacted into it after two epochs).
        func used() async -> UInt64? { await coordinator.status().first { $0.id == agentKey.nodeID }?.tokensUsed }
        await eventually(10, "usage settled at the coordinator") {
            let open = await coordinator.tokens.openLeases(agent: agentKey.nodeID)
            let charged = await used()
            return open.isEmpty && charged == 2
        }
        let charged = await used()
        XCTAssertEqual(charged, 2, "served and charged once")
        await e.stop()
        await c.stop()
    }

    /// Refusals that pass are not remembered: a contribution sent before the agent joined is
    /// refused `unknown-sender`, and the same bytes resent after the join are handled afresh
    /// (valued), not answered from the cache. An inference whose input is not one digit image
    /// is refused `invalid-field` and charges nothing.
    func testRefusalsThatPassAreHandledAfreshAndWrongInputIsNotCharged() async throws {
        let dir = temporaryDirectory()
        var cs = CoordinatorSettings()
        cs.controlURL = "tcp://127.0.0.1:0"
        cs.epochURL = "tcp://127.0.0.1:0"
        cs.dataDirectory = dir + "/coordinator"
        cs.epochMilliseconds = 200
        cs.tokens.tokensPerEpoch = 5
        cs.membership.heartbeatIntervalMilliseconds = 100
        let coordinator = try CoordinatorNode(settings: cs, logger: quietLogger)
        try await coordinator.start()
        let c = Running { try await coordinator.run() }
        var es = EdgeServerSettings()
        es.listenURL = "tcp://127.0.0.1:0"
        es.coordinatorURL = "tcp://127.0.0.1:\(await coordinator.controlPort!)"
        es.coordinatorEpochURL = "tcp://127.0.0.1:\(await coordinator.epochPort!)"
        es.dataDirectory = dir + "/edge"
        es.heartbeatIntervalMilliseconds = 100
        let edge = try EdgeServerNode(settings: es, logger: quietLogger)
        try await edge.start()
        let e = Running { [edge] in try await edge.run() }
        let agentKey = NodeKey()
        let agent = try client("tcp://127.0.0.1:\(await edge.listenPort!)", key: agentKey)
        defer { agent.close() }
        await eventually(10, "edge registered") { await edge.isRegistered }

        let v = (0..<16).map { $0 == 0 ? 1.0 : 0 }
        let contribution = Contribution(prototypes: [Prototype(image: v, text: v, count: 40)], mode: .none, epsilon: 0, delta: 0,
                                        noiseMultiplier: 0, sequence: 1, records: 40)
        let id = MessageID.random()
        let sealed = WireCodec.seal(Envelope(messageID: id, sender: agentKey.nodeID, sentAt: WallClock.now(), payload: .contribution(contribution)), signedBy: agentKey)
        let early = try await agent.exchangeSealed(sealed, as: agentKey)
        guard case .error(let refusal) = early.envelope.payload else { return XCTFail("accepted before joining: \(early.envelope.payload)") }
        XCTAssertEqual(refusal.code, .unknownSender)

        let join = JoinRequest(nodeID: agentKey.nodeID, role: .edgeAgent, address: "", version: "0.1.0", bucketSize: 5, name: "a", publicKey: agentKey.publicKey)
        var accepted: JoinAccepted?
        await eventually(10, "agent joined") {
            if case .joinAccepted(let a) = try await agent.call(.join(join)) { accepted = a; return true } else { return false }
        }
        // The join reply tells the agent what it needs without cluster.json.
        XCTAssertEqual(accepted?.epochMilliseconds, 200, "the coordinator's epoch length")
        XCTAssertEqual(accepted?.epochURL, es.coordinatorEpochURL, "where the edge itself subscribes")
        XCTAssertEqual(accepted?.replayWindowMilliseconds, es.transport.replay.windowMilliseconds)
        XCTAssertEqual(accepted?.maxClockSkewMilliseconds, es.transport.replay.maxClockSkewMilliseconds)
        let again = try await agent.exchangeSealed(sealed, as: agentKey)
        guard case .contributionReceipt(let receipt) = again.envelope.payload else { return XCTFail("the resend after the join: \(again.envelope.payload)") }
        XCTAssertEqual(receipt.agentID, agentKey.nodeID)

        await eventually(10, "tokens leased to the edge") {
            let rows = try await status(agent)
            return rows.first { $0.id == agentKey.nodeID }?.tokensRemaining ?? 0 >= 1
        }
        let before = try await status(agent).first { $0.id == agentKey.nodeID }?.tokensRemaining
        do {
            _ = try await agent.call(.inferenceRequest(InferenceRequest(cost: 1, features: [1, 2, 3])))
            XCTFail("three features accepted")
        } catch let error as FairwayError {
            XCTAssertEqual(error.code, .invalidField)
            XCTAssertEqual(error.field, "inference_request.features")
        }
        let after = try await status(agent).first { $0.id == agentKey.nodeID }?.tokensRemaining
        XCTAssertEqual(after, before, "a refused input charges nothing")
        await e.stop()
        await c.stop()
    }
}
