import EdgeServerCore
import FairwayCore
import FairwayTestSupport
import FairwayWire
import XCTest

/// Tier (a): the edge instance driven with manual time, no sockets.
final class EdgeInstanceTests: XCTestCase {
    let cast = Cast()
    var t0: Timestamp { cast.t0 }
    let coordinatorKey = testKey(1), edgeKey = testKey(2), agentKey = testKey(3)
    var coordinatorID: NodeID { coordinatorKey.nodeID }
    var agent: NodeID { agentKey.nodeID }
    var accepted: JoinAccepted { JoinAccepted(coordinatorID: coordinatorID, heartbeatIntervalMilliseconds: 1000, epoch: 4) }

    func registeredEdge() -> EdgeInstance {
        var e = EdgeInstance(key: edgeKey)
        let d = e.onTick(now: t0)
        guard case .join? = d.calls.first else { XCTFail("\(d)"); return e }
        e.answer(d, now: t0) { _ in .success(.joinAccepted(self.accepted)) }
        XCTAssertTrue(e.registered)
        return e
    }

    func testEdgeBelievesEpochAnnouncementsOnlyFromItsCoordinator() {
        var e = registeredEdge()
        let epoch = e.epoch
        XCTAssertFalse(e.onEpochAnnouncement(EpochAnnouncement(epoch: 99, startedAt: t0, aliveMembers: 1), from: testKey(9).nodeID))
        XCTAssertEqual(e.epoch, epoch)
        XCTAssertTrue(e.onEpochAnnouncement(EpochAnnouncement(epoch: epoch + 1, startedAt: t0, aliveMembers: 1), from: coordinatorID))
        XCTAssertEqual(e.epoch, epoch + 1)
    }

    func testEdgeRefusesAgentsUntilRegisteredThenRelaysWithItselfAsVia() {
        var e = EdgeInstance(key: edgeKey)
        let join = JoinRequest(nodeID: agent, role: .edgeAgent, address: "", version: "0.1.0", bucketSize: 4)
        guard case .failure(let err) = e.onAgentJoin(cast.env(agent, .join(join))) else { return XCTFail() }
        XCTAssertEqual(err.code, .unavailable)
        XCTAssertGreaterThan(err.retryAfterMilliseconds, 0)

        e = registeredEdge()
        guard case .success(let relayed) = e.onAgentJoin(cast.env(agent, .join(join))) else { return XCTFail() }
        XCTAssertEqual(relayed.via, e.id)
        // Heartbeat before the coordinator accepted the join: unknown.
        guard case .error(let unknown) = e.onAgentRequest(cast.env(agent, .heartbeat(Heartbeat(nodeID: agent))), now: t0).reply else { return XCTFail() }
        XCTAssertEqual(unknown.code, .unknownSender)
        let (reply, _) = e.onAgentJoinResult(relayed, result: .success(accepted), now: t0)
        guard case .joinAccepted = reply else { return XCTFail("\(reply)") }
        guard case .heartbeatAck = e.onAgentRequest(cast.env(agent, .heartbeat(Heartbeat(nodeID: agent))), now: t0).reply else { return XCTFail() }
    }

    func testEdgeVouchesForRecentAgentsAndForgetsSilentOnes() {
        var e = registeredEdge()
        let join = JoinRequest(nodeID: agent, role: .edgeAgent, address: "", version: "0.1.0", via: e.id, bucketSize: 4)
        _ = e.onAgentJoinResult(join, result: .success(accepted), now: t0)
        let d = e.onTick(now: t0.adding(milliseconds: 1000))
        // The heartbeat vouches for the agent and carries the edge's resources for the cloud allocation.
        XCTAssertEqual(d.calls.first, .heartbeat(Heartbeat(nodeID: e.id, agentIDs: [agent], resources: e.cloud.resources)))
        XCTAssertEqual(e.cloud.resources.inferenceRPS, 1000, "the default own capacity")
        XCTAssertTrue(d.calls.contains(.fetchGrants(GrantRequest(agentIDs: [agent]))), "a new agent's tokens are fetched")
        // No second heartbeat while the first is in flight.
        XCTAssertEqual(e.onTick(now: t0.adding(milliseconds: 2500)).effects, [])
        e.answer(d, now: t0.adding(milliseconds: 2500)) { request in
            if case .fetchGrants = request { return .success(.grantReply(GrantReply(epoch: 4, leases: [], nextEpochAt: self.t0))) }
            return .success(.heartbeatAck(HeartbeatAck(epoch: 4)))
        }
        let d2 = e.onTick(now: t0.adding(milliseconds: 2600))
        XCTAssertEqual(d2.calls, [.heartbeat(Heartbeat(nodeID: e.id, agentIDs: [], resources: e.cloud.resources))], "silent for 2 intervals: no longer vouched")
        e.answer(d2, now: t0.adding(milliseconds: 2600)) { _ in .success(.heartbeatAck(HeartbeatAck(epoch: 4))) }
        _ = e.onTick(now: t0.adding(milliseconds: 5000))
        XCTAssertNil(e.agents[agent], "forgotten after agent_expiry_misses intervals")
    }

    func testEdgeReJoinsWhenTheCoordinatorForgotIt() {
        var e = registeredEdge()
        let d = e.onTick(now: t0.adding(milliseconds: 1000))
        e.answer(d, now: t0.adding(milliseconds: 1000)) { _ in .failure(FairwayError(.unknownSender, "who?")) }
        XCTAssertFalse(e.registered)
        guard case .join? = e.onTick(now: t0.adding(milliseconds: 1001)).calls.first else { return XCTFail() }
    }

    func testCallResultsAreMatchedByCallID() {
        var e = registeredEdge()
        let d = e.onTick(now: t0.adding(milliseconds: 1000))
        guard case .call(let heartbeat)? = d.first(where: { if case .call = $0 { true } else { false } }) else { return XCTFail("\(d)") }
        // A result for a call that is not in flight (a duplicate, or made up) changes nothing.
        let before = e.link
        let stray = e.onCallResult(heartbeat.id + 100, .failure(FairwayError(.unknownSender, "who?")), now: t0)
        XCTAssertEqual(e.link, before)
        XCTAssertTrue(stray.contains { if case .log(let l) = $0 { l.contains("not in flight") } else { false } })
        _ = e.onCallResult(heartbeat.id, .success(.heartbeatAck(HeartbeatAck(epoch: 5))), now: t0)
        XCTAssertEqual(e.epoch, 5)
        let again = e.link
        _ = e.onCallResult(heartbeat.id, .failure(FairwayError(.unknownSender, "late duplicate")), now: t0)
        XCTAssertEqual(e.link, again, "a call's result counts once")
        XCTAssertTrue(e.registered)
    }

    func testTheEdgeAsksToBeWokenForItsNextCall() {
        var e = registeredEdge()
        let d = e.onTick(now: t0.adding(milliseconds: 1000))
        e.answer(d, now: t0.adding(milliseconds: 1000)) { _ in .success(.heartbeatAck(HeartbeatAck(epoch: 4))) }
        guard case .wake(let at)? = e.onTick(now: t0.adding(milliseconds: 1100)).last else { return XCTFail("no wake-up") }
        XCTAssertEqual(at, t0.adding(milliseconds: 2000), "the next heartbeat")
    }

    /// Found by the deterministic simulation (seed 2): the coordinator's heartbeat ack named an
    /// agent unknown while the edge still wanted its grants; the agent was detached but the
    /// wish stayed, so `nextWake` was due at once while no fetch ever went out — a spin.
    func testAnAgentTheCoordinatorForgotIsNoLongerWantedAndTheEdgeDoesNotSpin() {
        var e = registeredEdge()
        let join = JoinRequest(nodeID: agent, role: .edgeAgent, address: "", version: "0.1.0", via: e.id, bucketSize: 4)
        _ = e.onAgentJoinResult(join, result: .success(accepted), now: t0)
        XCTAssertTrue(e.link.grantsWanted.contains(agent))
        // The heartbeat goes out first; its ack says the coordinator does not know the agent.
        let now = t0.adding(milliseconds: 1000)
        var d = e.onTick(now: now)
        e.answer(d, now: now) { request in
            if case .heartbeat = request { return .success(.heartbeatAck(HeartbeatAck(epoch: 4, unknownAgentIDs: [self.agent]))) }
            return .failure(FairwayError(.noReply, "lost"))
        }
        XCTAssertNil(e.agents[agent])
        // (The lost grant fetch wished for the agent again; the next tick drops the wish.)
        d = e.onTick(now: now.adding(milliseconds: 10))
        XCTAssertFalse(e.link.grantsWanted.contains(agent), "not wanted once detached")
        XCTAssertFalse(d.calls.contains { if case .fetchGrants = $0 { true } else { false } })
        guard case .wake(let at)? = d.last else { return XCTFail("no wake-up") }
        XCTAssertGreaterThan(at, now.adding(milliseconds: 10), "nothing is due now")
    }
}
