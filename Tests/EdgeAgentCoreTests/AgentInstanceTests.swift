import EdgeAgentCore
import FairwayCore
import FairwayTestSupport
import FairwayWire
import XCTest

/// Tier (a): an agent identity driven with manual time.
final class AgentInstanceTests: XCTestCase {
    let t0 = Cast().t0
    let agent = testKey(3).nodeID

    func testAgentFailsOverAfterSilenceButNotAfterOneRefusal() {
        var s = AgentInstance.Settings()
        s.failoverAfterFailures = 2
        var a = AgentInstance(id: agent, settings: s, edges: ["tcp://a:1", "tcp://b:1"], firstEdge: 0)
        guard case .send(0, .join) = a.onTick(now: t0).first else { return XCTFail() }
        _ = a.onReply(.failure(FairwayError(.unavailable, "not registered")), now: t0)
        XCTAssertEqual(a.edge, 0, "a refusal alone does not move the agent")
        var now = t0
        for _ in 0..<2 {
            now = now.adding(milliseconds: 1000)
            guard case .send(let edge, _) = a.onTick(now: now).first else { return XCTFail() }
            XCTAssertEqual(edge, 0)
            _ = a.onReply(.failure(FairwayError(.noReply, "timeout")), now: now)
        }
        XCTAssertEqual(a.edge, 1, "two silent exchanges move it to the next edge")
        guard case .send(1, .join) = a.onTick(now: now).first else { return XCTFail("re-joins at once on the new edge") }
        _ = a.onReply(.success(.joinAccepted(JoinAccepted(coordinatorID: NodeID(unchecked: "c"), heartbeatIntervalMilliseconds: 250, epoch: 0))), now: now)
        XCTAssertTrue(a.joined)
        XCTAssertEqual(a.heartbeatIntervalMilliseconds, 250)
        XCTAssertEqual(a.onTick(now: now.adding(milliseconds: 249)).effects, [])
        guard case .send(1, .heartbeat) = a.onTick(now: now.adding(milliseconds: 250)).first else { return XCTFail() }
        _ = a.onReply(.failure(FairwayError(.unknownSender, "edge restarted")), now: now)
        XCTAssertFalse(a.joined)
        XCTAssertEqual(a.edge, 1, "unknown-sender means re-join the same edge")
    }

    func testTheWorkloadIsPacedByWakeUpsNotTicks() {
        var s = AgentInstance.Settings()
        s.workload.ratePerSecond = 10
        s.workload.burst = 2
        var a = AgentInstance(id: agent, settings: s, edges: ["tcp://a:1"], firstEdge: 0)
        _ = a.onTick(now: t0)
        _ = a.onReply(.success(.joinAccepted(JoinAccepted(coordinatorID: NodeID(unchecked: "c"), heartbeatIntervalMilliseconds: 1000, epoch: 0))), now: t0)
        let burst = a.onTick(now: t0)
        XCTAssertEqual(burst.filter { if case .infer = $0 { true } else { false } }.count, 2, "the burst goes out at once")
        guard case .wake(let next)? = burst.last else { return XCTFail("no wake-up") }
        XCTAssertEqual(next, t0.adding(milliseconds: 100), "one request per 100 ms at 10/s")
        XCTAssertEqual(a.onTick(now: t0.adding(milliseconds: 50)).filter { if case .infer = $0 { true } else { false } }.count, 0)
        XCTAssertEqual(a.onTick(now: next).filter { if case .infer = $0 { true } else { false } }.count, 1)
        // A refusal's retry-after holds the workload back, and the wake-up follows it.
        _ = a.onInferenceReply(.failure(FairwayError(.insufficientTokens, "empty", retryAfterMilliseconds: 700)), cost: 1, now: next)
        guard case .wake(let held)? = a.onTick(now: next).last else { return XCTFail() }
        XCTAssertEqual(held, next.adding(milliseconds: 700))
    }
}

/// A draining edge's refusal moves the agent to its next edge at once.
final class AgentDrainTests: XCTestCase {
    let t0 = Cast().t0
    let agent = testKey(3).nodeID

    func testADrainingEdgeHandsTheAgentOverAtOnceAndRefusedJoinsAreNotRepeatedInATightLoop() {
        var a = AgentInstance(id: agent, settings: AgentInstance.Settings(), edges: ["tcp://a:1", "tcp://b:1"], firstEdge: 0)
        guard case .send(0, .join) = a.onTick(now: t0).first else { return XCTFail() }
        _ = a.onReply(.success(.joinAccepted(JoinAccepted(coordinatorID: NodeID(unchecked: "c"), heartbeatIntervalMilliseconds: 500, epoch: 0))), now: t0)
        let now = t0.adding(milliseconds: 500)
        guard case .send(0, .heartbeat) = a.onTick(now: now).first else { return XCTFail() }
        let draining = FairwayError(.unavailable, "edge is draining: move to another edge", field: FairwayError.drainingField)
        _ = a.onReply(.failure(draining), now: now)
        XCTAssertEqual(a.edge, 1, "one refusal from a draining edge moves the agent")
        XCTAssertFalse(a.joined)
        guard case .send(1, .join) = a.onTick(now: now).first else { return XCTFail("joins the next edge at once") }
        // That edge drains too: the agent moves on, but waits an interval before the next join.
        _ = a.onReply(.failure(draining), now: now)
        XCTAssertEqual(a.edge, 0)
        XCTAssertEqual(a.onTick(now: now.adding(milliseconds: 100)).effects, [])
        guard case .send(0, .join) = a.onTick(now: now.adding(milliseconds: 500)).first else { return XCTFail() }
    }
}
