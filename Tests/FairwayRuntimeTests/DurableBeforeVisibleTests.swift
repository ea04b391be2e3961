import CloudCoordinator
import FairwayCore
import FairwayRuntime
import FairwayTestSupport
@testable import FairwayWire
import Foundation
import XCTest

/// Issue 8, acceptance 2, on a real coordinator over tcp with its SQLite file: a request's
/// effect is not visible to another request before its commit, and a failed commit (injected)
/// leaves the state as before the batch, in memory and on disk.
final class DurableBeforeVisibleTests: XCTestCase {
    struct InjectedFailure: Error {}

    func testAJoinIsInvisibleUntilCommittedAndAFailedCommitChangesNothing() async throws {
        var s = CoordinatorSettings()
        s.controlURL = "tcp://127.0.0.1:0"
        s.epochURL = "tcp://127.0.0.1:0"
        s.dataDirectory = temporaryDirectory()
        s.name = "durable-\(UInt32.random(in: 0...UInt32.max))"  // its own metrics series in this process
        s.epochMilliseconds = 3_600_000
        s.membership.heartbeatIntervalMilliseconds = 60_000  // no wake-up batches during the test
        var node = try CoordinatorNode(settings: s, logger: quietLogger)
        try await node.start()
        var running = Running { [node] in try await node.run() }
        var url = "tcp://127.0.0.1:\(await node.controlPort!)"
        let observer = try client(url)
        try await Task.sleep(for: .milliseconds(200))  // the start-up wake-up has committed

        // Hold the join's batch inside its commit.
        let gate = AsyncGate()
        await node.state.setCommitHook { _ in await gate.pass() }
        let edge = NodeKey()
        let join = JoinRequest(nodeID: edge.nodeID, role: .edgeServer, address: "tcp://edge:1", version: "0.1.0", name: "edge-1", publicKey: edge.publicKey)
        let edgeClient = try client(url, key: edge)
        defer { edgeClient.close() }
        let joining = Task { try await edgeClient.call(.join(join)) }
        let held = await gate.waitUntilHeld()
        XCTAssertTrue(held, "the join reached its commit")
        let duringCommit = try await status(observer)
        XCTAssertEqual(duringCommit.map(\.role), [.cloudCoordinator], "status (another request) does not see the uncommitted join")
        let inProcess = await node.status()
        XCTAssertEqual(inProcess.count, 1)
        gate.open()
        guard case .joinAccepted = try await joining.value else { return XCTFail("join refused") }
        let afterCommit = try await status(observer)
        XCTAssertTrue(afterCommit.contains { $0.id == edge.nodeID }, "visible once committed")

        // Inject a failed commit: the second edge's join is refused, and nothing of it remains.
        await node.state.setCommitHook { _ in throw InjectedFailure() }
        let edge2 = NodeKey()
        let join2 = JoinRequest(nodeID: edge2.nodeID, role: .edgeServer, address: "tcp://edge2:1", version: "0.1.0", name: "edge-2", publicKey: edge2.publicKey)
        let bytes = WireCodec.seal(Envelope(sender: edge2.nodeID, sentAt: WallClock.now(), payload: .join(join2)), signedBy: edge2)
        let refused = try await observer.exchangeSealed(bytes, as: edge2).envelope.payload
        guard case .error(let e) = refused else { return XCTFail("accepted a join whose commit failed: \(refused)") }
        XCTAssertEqual(e.code, .unavailable)
        XCTAssertGreaterThan(e.retryAfterMilliseconds, 0)
        let afterFailure = await node.status()
        XCTAssertEqual(Set(afterFailure.map(\.id)), Set(afterCommit.map(\.id)), "state as before the failed batch")
        // Metrics count what was sent: one join served (committed), one refused; the reply made
        // for the failed batch before its commit is not counted.
        let exposition = String(decoding: FairwayMetrics.exposition(), as: UTF8.self)
        let series = "fairway_requests_total{role=\"cloud-coordinator\",node=\"\(s.name)\",kind=\"join\""
        XCTAssertTrue(exposition.contains("\(series),outcome=\"served\"} 1\n"), exposition)
        XCTAssertTrue(exposition.contains("\(series),outcome=\"refused\"} 1\n"), exposition)
        XCTAssertTrue(exposition.contains("fairway_refusals_total{role=\"cloud-coordinator\",node=\"\(s.name)\",code=\"unavailable\"} 1\n"), exposition)

        // The refusal was not remembered: the same bytes, resent once commits work, are handled.
        await node.state.setCommitHook(nil)
        guard case .joinAccepted = try await observer.exchangeSealed(bytes, as: edge2).envelope.payload else {
            return XCTFail("the resend was answered from a cache")
        }

        // On disk: a restart on the same directory has both edges, nothing from the failure.
        observer.close()
        await running.stop()
        node = try CoordinatorNode(settings: s, logger: quietLogger)
        let restored = await node.status()
        XCTAssertEqual(Set(restored.filter { $0.role == .edgeServer }.map(\.id)), [edge.nodeID, edge2.nodeID])
        try await node.start()
        running = Running { [node] in try await node.run() }
        url = "tcp://127.0.0.1:\(await node.controlPort!)"
        let again = try client(url)
        defer { again.close() }
        let replayed = try await again.exchangeSealed(bytes, as: edge2).envelope.payload
        guard case .joinAccepted = replayed else { return XCTFail("the journaled reply was lost: \(replayed)") }
        await running.stop()
    }
}
