import EdgeServerCore
import FairwayCore
import FairwayTestSupport
import FairwayWire
import XCTest

/// Tier (a): `fairwayctl drain` / `resume` at the edge instance.
final class EdgeDrainTests: XCTestCase {
    let cast = Cast()
    var t0: Timestamp { cast.t0 }
    let coordinatorKey = testKey(1), edgeKey = testKey(2), agentKey = testKey(3), adminKey = testKey(4), newcomerKey = testKey(5)
    var agent: NodeID { agentKey.nodeID }
    var accepted: JoinAccepted { JoinAccepted(coordinatorID: coordinatorKey.nodeID, heartbeatIntervalMilliseconds: 1000, epoch: 4) }

    /// A registered edge with one attached agent, whose admin is `adminKey`.
    func edgeWithAgent(draining: Bool = false) -> EdgeInstance {
        var s = EdgeInstance.Settings()
        s.adminKeys = [adminKey.nodeID.rawValue]
        var e = EdgeInstance(settings: s, identity: NodeIdentity(id: edgeKey.nodeID, publicKey: edgeKey.publicKey, name: "edge-1", address: "tcp://edge-1:1"),
                             draining: draining)
        let d = e.onTick(now: t0)
        e.answer(d, now: t0) { _ in .success(.joinAccepted(self.accepted)) }
        XCTAssertTrue(e.registered)
        let join = JoinRequest(nodeID: agent, role: .edgeAgent, address: "", version: "0.1.0", via: e.id, bucketSize: 4)
        _ = e.onAgentJoinResult(join, result: .success(accepted), now: t0)
        return e
    }

    func testOnlyAnAdminKeyDrainsAndTheStateIsPersistedWithTheReply() {
        var e = edgeWithAgent()
        guard case .error(let refused) = e.onAgentRequest(cast.env(agent, .drainRequest(drain: true)), now: t0).reply else { return XCTFail() }
        XCTAssertEqual(refused.code, .notAdmitted)
        XCTAssertEqual(refused.field, "admin_keys")
        XCTAssertFalse(e.draining)

        let (reply, directives) = e.onAgentRequest(cast.env(adminKey.nodeID, .drainRequest(drain: true)), now: t0)
        XCTAssertEqual(reply, .drainReply(DrainReply(edgeID: e.id, draining: true, attachedAgents: 1)))
        XCTAssertTrue(directives.contains(.draining(true)))
        XCTAssertTrue(e.draining)
    }

    func testADrainingEdgeRefusesJoinsAndSendsItsAgentsAwayUntilResumed() {
        var e = edgeWithAgent()
        _ = e.onAgentRequest(cast.env(adminKey.nodeID, .drainRequest(drain: true)), now: t0)
        let join = JoinRequest(nodeID: newcomerKey.nodeID, role: .edgeAgent, address: "", version: "0.1.0", bucketSize: 4)
        guard case .failure(let refused) = e.onAgentJoin(cast.env(newcomerKey.nodeID, .join(join))) else { return XCTFail("joined a draining edge") }
        XCTAssertTrue(refused.isDraining)
        XCTAssertEqual(refused.field, FairwayError.drainingField)

        // The attached agent's next heartbeat is refused the same way, and the edge forgets it.
        guard case .error(let moved) = e.onAgentRequest(cast.env(agent, .heartbeat(Heartbeat(nodeID: agent))), now: t0).reply else { return XCTFail() }
        XCTAssertTrue(moved.isDraining)
        XCTAssertNil(e.agents[agent])

        let (reply, directives) = e.onAgentRequest(cast.env(adminKey.nodeID, .drainRequest(drain: false)), now: t0)
        XCTAssertEqual(reply, .drainReply(DrainReply(edgeID: e.id, draining: false, attachedAgents: 0)))
        XCTAssertTrue(directives.contains(.draining(false)))
        guard case .success = e.onAgentJoin(cast.env(newcomerKey.nodeID, .join(join))) else { return XCTFail("resumed edge refused a join") }
    }

    func testTheRestoredDrainStateHolds() {
        let e = edgeWithAgent(draining: true)
        XCTAssertTrue(e.draining)
        let join = JoinRequest(nodeID: newcomerKey.nodeID, role: .edgeAgent, address: "", version: "0.1.0", bucketSize: 4)
        guard case .failure(let refused) = e.onAgentJoin(cast.env(newcomerKey.nodeID, .join(join))) else { return XCTFail() }
        XCTAssertTrue(refused.isDraining)
    }
}
