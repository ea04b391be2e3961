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

    /// Found by the deterministic simulation (seed 6): with a release due and one heartbeat
    /// unanswered, `onTick` held the release back but `nextWake` said "now", so the agent's
    /// shell spun on the CPU until the next reply.
    func testADueReleaseDoesNotSpinWhileTheEdgeIsFailing() {
        var s = AgentInstance.Settings()
        s.contribute.releases = 3
        s.contribute.intervalMilliseconds = 0
        s.heartbeatIntervalMilliseconds = 200
        var a = AgentInstance(id: agent, settings: s, edges: ["tcp://a:1", "tcp://b:1"], firstEdge: 0)
        _ = a.onTick(now: t0)
        _ = a.onReply(.success(.joinAccepted(JoinAccepted(coordinatorID: NodeID(unchecked: "c"), heartbeatIntervalMilliseconds: 200, epoch: 0))), now: t0)
        let now = t0.adding(milliseconds: 200)
        let first = a.onTick(now: now)
        XCTAssertTrue(first.contains { if case .send(0, .heartbeat) = $0 { true } else { false } })
        XCTAssertTrue(first.contains { if case .contribute = $0 { true } else { false } }, "the first release goes out with the heartbeat")
        _ = a.onContributionResult(.failure(FairwayError(.unavailable, "coordinator busy")), now: now)
        _ = a.onReply(.failure(FairwayError(.noReply, "timeout")), now: now)
        XCTAssertGreaterThan(a.consecutiveFailures, 0)
        let later = now.adding(milliseconds: 600)
        let directives = a.onTick(now: later)
        XCTAssertFalse(directives.contains { if case .contribute = $0 { true } else { false } }, "releases wait while the edge is failing")
        XCTAssertGreaterThan(a.nextWake(now: later), later, "and the agent does not wake again at once")
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

/// Issue 14 (load): when every edge stays silent, an identity does not keep re-joining at
/// once; each further round over the edges waits longer, spread per identity.
final class AgentJoinBackoffTests: XCTestCase {
    let t0 = Cast().t0

    /// Fails the identity over `rounds` times (two silent exchanges each); returns the join waits.
    func joinWaits(_ id: NodeID, failovers: Int) -> [Int64] {
        var s = AgentInstance.Settings()
        s.failoverAfterFailures = 1
        s.heartbeatIntervalMilliseconds = 100
        var a = AgentInstance(id: id, settings: s, edges: ["tcp://a:1", "tcp://b:1"], firstEdge: 0)
        var now = t0
        var waits: [Int64] = []
        for _ in 0..<failovers {
            // Tick until the join goes out, then it times out.
            var sent = false
            for _ in 0..<100_000 where !sent {
                if case .send(_, .join)? = a.onTick(now: now).first { sent = true } else { now = now.adding(milliseconds: 1) }
            }
            XCTAssertTrue(sent)
            let edge = a.edge
            _ = a.onReply(.failure(FairwayError(.noReply, "timeout")), now: now)
            XCTAssertNotEqual(a.edge, edge, "one silent join (weight 4 ≥ 1 × 4) moves it on")
            waits.append(a.joinBackoffMilliseconds)
        }
        return waits
    }

    func testJoinsBackOffAfterAFullRoundOfSilentEdgesAndSpreadPerIdentity() {
        let waits = joinWaits(testKey(3).nodeID, failovers: 13)
        XCTAssertEqual(waits[0], 0, "the first edge's failure: join the next at once")
        for (i, w) in waits.enumerated().dropFirst() {
            let rounds = (i + 1) / 2
            let span = 100 * min(16, Int64(1) << (rounds - 1))
            XCTAssertTrue(w >= span / 2 && w <= span, "failover \(i + 1): wait \(w) ms outside [\(span / 2), \(span)]")
        }
        XCTAssertTrue(waits.suffix(3).allSatisfy { $0 >= 800 && $0 <= 1600 }, "capped at 16 intervals: \(waits)")
        let other = joinWaits(testKey(4).nodeID, failovers: 13)
        XCTAssertNotEqual(waits, other, "two identities that fail together re-join apart")
        // A heartbeat acknowledged resets the backoff.
        var a = AgentInstance(id: testKey(3).nodeID, settings: AgentInstance.Settings(), edges: ["tcp://a:1"], firstEdge: 0)
        _ = a.onTick(now: t0)
        _ = a.onReply(.success(.joinAccepted(JoinAccepted(coordinatorID: NodeID(unchecked: "c"), heartbeatIntervalMilliseconds: 100, epoch: 0))), now: t0)
        XCTAssertEqual(a.failoversWithoutAnswer, 0)
    }
}
