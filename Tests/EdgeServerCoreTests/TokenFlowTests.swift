import CoordinatorCore
import EdgeServerCore
import FairwayCore
import FairwayTestSupport
import FairwayWire
import XCTest

/// Tier (a): grants, leases, admission, usage and hand-over through the role instances, with
/// manual time; every call an edge makes is carried to the coordinator instance and back.
final class TokenFlowTests: XCTestCase {
    let cast = Cast(t0: Timestamp(unixMilliseconds: 9_000_000))
    var t0: Timestamp { cast.t0 }
    let coordinatorKey = testKey(11), edge1Key = testKey(12), edge2Key = testKey(13), agentKey = testKey(14)

    func env(_ sender: NodeKey, _ payload: Payload, at t: Timestamp) -> Envelope { cast.env(sender.nodeID, payload, at: t) }

    func edgeJoin(_ key: NodeKey, _ name: String) -> JoinRequest { cast.edgeJoin(key, name) }

    func agentJoin(via edge: NodeKey, at t: Timestamp) -> JoinRequest {
        Cast(t0: t).agentJoin(agentKey, via: edge.nodeID, signedBucketSize: 8)
    }

    func edge(_ key: NodeKey, _ name: String, restored: EdgeLeases = EdgeLeases()) -> EdgeInstance {
        EdgeInstance(key: key, name: name, restoredLeases: restored)
    }

    /// Ticks the edge at `t` and carries its calls to the coordinator and the replies back,
    /// until it has no more calls to make at `t`.
    @discardableResult
    func exchange(_ e: inout EdgeInstance, _ key: NodeKey, _ c: inout CoordinatorInstance, at t: Timestamp) -> [EdgeInstance.Directive] {
        var all: [EdgeInstance.Directive] = []
        for _ in 0..<3 {
            let d = e.onTick(now: t)
            all += d
            guard !d.calls.isEmpty else { break }
            all += e.answer(d, now: t) { request in
                let (reply, _) = c.onRequest(env(key, request.payload, at: t), now: t)
                if case .error(let err) = reply { return .failure(err) }
                return .success(reply)
            }
        }
        return all
    }

    /// Registers the edge (if needed) and joins the agent through it, on both sides.
    func attach(_ e: inout EdgeInstance, _ key: NodeKey, _ c: inout CoordinatorInstance, at t: Timestamp) {
        if !e.registered { exchange(&e, key, &c, at: t) }
        XCTAssertTrue(e.registered)
        let (reply, _) = c.onRequest(env(key, .join(agentJoin(via: key, at: t)), at: t), now: t)
        guard case .joinAccepted(let a) = reply else { return XCTFail("\(reply)") }
        _ = e.onAgentJoinResult(agentJoin(via: key, at: t), result: .success(a), now: t)
    }

    func fetch(_ e: inout EdgeInstance, _ key: NodeKey, _ c: inout CoordinatorInstance, at t: Timestamp) {
        exchange(&e, key, &c, at: t)
    }

    func infer(_ e: inout EdgeInstance, cost: UInt64, at t: Timestamp) -> Result<InferenceReply, FairwayError> {
        switch e.onAgentRequest(env(agentKey, .inferenceRequest(InferenceRequest(cost: cost)), at: t), now: t) {
        case (.inferenceReply(let r), let directives):
            XCTAssertTrue(directives.contains { if case .leases(.persist) = $0 { true } else { false } }, "a debit is persisted before the reply")
            return .success(r)
        case (.error(let err), _): return .failure(err)
        case let other: return .failure(FairwayError(.internal, "\(other)"))
        }
    }

    func testGrantsLeasesAdmissionUsageAndHandOverKeepI1() throws {
        var s = CoordinatorInstance.Settings()
        s.epochMilliseconds = 1000
        s.tokens.tokensPerEpoch = 10
        var c = CoordinatorInstance(settings: s, key: coordinatorKey, now: t0)
        for (k, n) in [(edge1Key, "edge-1"), (edge2Key, "edge-2")] {
            guard case .joinAccepted = c.onRequest(env(k, .join(edgeJoin(k, n)), at: t0), now: t0).reply else { return XCTFail() }
        }
        var e1 = edge(edge1Key, "edge-1")
        attach(&e1, edge1Key, &c, at: t0)

        // Epoch 1: one agent with B = 8 gets min(V, room) = 8 whole tokens; Σ ≤ V.
        let t1 = t0.adding(milliseconds: 1000)
        let d = c.onTick(now: t1)
        guard let (record, grants) = d.grants else { return XCTFail("\(d)") }
        XCTAssertEqual(record.granted, 8)
        XCTAssertLessThanOrEqual(record.granted, record.totalTokens)
        XCTAssertEqual(grants[agentKey.nodeID], 8)

        // The edge borrows them and admits by cost until they run out.
        fetch(&e1, edge1Key, &c, at: t1)
        XCTAssertEqual(e1.leases.balance(agent: agentKey.nodeID), 8)
        XCTAssertEqual(try infer(&e1, cost: 3, at: t1).get().remaining, 5)
        XCTAssertEqual(try infer(&e1, cost: 3, at: t1).get().remaining, 2)
        guard case .failure(let refusal) = infer(&e1, cost: 3, at: t1) else { return XCTFail("served beyond the grant") }
        XCTAssertEqual(refusal.code, .insufficientTokens)
        XCTAssertTrue(refusal.message.contains("needs 3 tokens but holds 2"), refusal.message)
        XCTAssertEqual(refusal.retryAfterMilliseconds, 1000, "until the next grants")

        // kill -9 of edge-1 (its durable book survives); the agent re-joins through edge-2.
        let durable = e1.leases
        var e2 = edge(edge2Key, "edge-2")
        attach(&e2, edge2Key, &c, at: t1)
        fetch(&e2, edge2Key, &c, at: t1)
        XCTAssertEqual(e2.leases.balance(agent: agentKey.nodeID), 0, "edge-1's unreported lease counts as spent: nothing to lend")
        XCTAssertEqual(c.tokens.available(agentKey.nodeID), 0)

        // edge-1 restarts: it settles its restored lease with the durable used count.
        var restarted = edge(edge1Key, "edge-1", restored: durable)
        XCTAssertEqual(restarted.admission.pendingReport?.report.usages, [LeaseUsage(leaseID: 1, usedTotal: 6, final: true)])
        let restart = exchange(&restarted, edge1Key, &c, at: t1)  // re-joins, then reports at once
        XCTAssertTrue(restart.calls.contains(.reportUsage(UsageReport(usages: [LeaseUsage(leaseID: 1, usedTotal: 6, final: true)]))), "\(restart.calls)")
        XCTAssertTrue(restarted.leases.leases.isEmpty, "settled and acknowledged: forgotten")

        // The unused 2 tokens go to the agent's new edge, and no more: a refusal asks for them.
        guard case .failure = infer(&e2, cost: 1, at: t1) else { return XCTFail("served without tokens") }
        fetch(&e2, edge2Key, &c, at: t1.adding(milliseconds: 250))
        XCTAssertEqual(e2.leases.balance(agent: agentKey.nodeID), 2)
        XCTAssertEqual(try infer(&e2, cost: 2, at: t1).get().remaining, 0)
        guard case .failure = infer(&e2, cost: 1, at: t1) else { return XCTFail("served beyond the grant after failover") }
        XCTAssertEqual(c.tokens.account(agentKey.nodeID)?.granted, 8)

        // A usage report for a lease the sender does not hold is refused and changes nothing.
        let before = c.tokens
        let (forged, directives) = c.onRequest(env(edge1Key, .usageReport(UsageReport(usages: [LeaseUsage(leaseID: 2, usedTotal: 0, final: true)])), at: t1), now: t1)
        guard case .error(let e) = forged else { return XCTFail("edge-1 settled edge-2's lease") }
        XCTAssertEqual(e.code, .invalidField)
        XCTAssertTrue(directives.isEmpty)
        XCTAssertEqual(c.tokens, before)
    }

    func testEveryAllocatorKeepsEpochGrantsWithinVAndBuckets() {
        for kind in AllocatorKind.allCases {
            var s = CoordinatorInstance.Settings()
            s.epochMilliseconds = 1000
            s.tokens.tokensPerEpoch = 7
            s.tokens.allocator = kind
            var c = CoordinatorInstance(settings: s, key: coordinatorKey, now: t0)
            _ = c.onRequest(env(edge1Key, .join(edgeJoin(edge1Key, "edge-1")), at: t0), now: t0)
            for i in 0..<5 {
                let k = testKey(UInt8(40 + i))
                let j = cast.agentJoin(k, via: edge1Key.nodeID, signedBucketSize: UInt32(1 + i))
                guard case .joinAccepted = c.onRequest(env(edge1Key, .join(j), at: t0), now: t0).reply else { return XCTFail("\(kind)") }
            }
            for epoch in 1...4 {
                let t = t0.adding(milliseconds: Int64(1000 * epoch))
                for case .tokens(.persistGrants(let r, let grants, _)) in c.onTick(now: t) {
                    XCTAssertLessThanOrEqual(r.granted, 7, "\(kind) epoch \(epoch)")
                    XCTAssertEqual(grants.values.reduce(0, +), r.granted)
                }
                for a in c.tokens.accounts {
                    XCTAssertLessThanOrEqual(c.tokens.remaining(a.agent), a.bucketSize, "\(kind): bucket overflow")
                }
            }
        }
    }

    func testCompactionFoldsSettledLeasesWithoutChangingAnyAccount() throws {
        let agent = agentKey.nodeID, edge = edge1Key.nodeID
        var book = TokenAccounts()
        book.register(agent: agent, bucketSize: 100)
        for epoch in 1...30 as ClosedRange<UInt64> {
            try book.applyGrants(epoch: epoch, [agent: book.room(agent)])
            let lease = try XCTUnwrap(book.lease(agent: agent, to: edge, epoch: epoch))
            try book.reportUsage(leaseID: lease.id, edge: edge, usedTotal: lease.tokens / 2, final: true)
        }
        let before = (book.remaining(agent), book.available(agent), book.room(agent), book.account(agent)!.granted)
        XCTAssertEqual(book.leases.count, 30)
        let (accounts, removed) = book.compact(settledBefore: 28)
        XCTAssertEqual(removed.count, 27)
        XCTAssertEqual(book.leases.count, 3, "only recent history stays")
        XCTAssertEqual(accounts.map(\.agent), [agent])
        XCTAssertEqual((book.remaining(agent), book.available(agent), book.room(agent), book.account(agent)!.granted).0, before.0)
        XCTAssertEqual(book.available(agent), before.1)
        XCTAssertEqual(book.room(agent), before.2)

        // A final report repeated for a compacted lease is acknowledged and changes nothing;
        // any other report on it is refused.
        let snapshot = book
        let ack = try book.reportUsage(leaseID: removed[0], edge: edge, usedTotal: 7, final: true)
        XCTAssertTrue(ack.settled)
        XCTAssertEqual(book, snapshot)
        XCTAssertThrowsError(try book.reportUsage(leaseID: removed[0], edge: edge, usedTotal: 7, final: false))
        XCTAssertThrowsError(try book.reportUsage(leaseID: book.nextLeaseID, edge: edge, usedTotal: 0, final: true), "never issued")

        // What the store saves restores to the same book.
        let restored = try TokenAccounts(accounts: book.accounts, leases: book.leases, nextLeaseID: book.nextLeaseID)
        XCTAssertEqual(restored.remaining(agent), book.remaining(agent))
        XCTAssertEqual(restored.available(agent), book.available(agent))
    }

    func testALeaseForAnAgentThatAlreadyLeftIsSettledAtOnce() {
        var e = edge(edge1Key, "edge-1")
        e.register(coordinator: coordinatorKey.nodeID, epoch: 1, now: t0)
        // The agent asks for tokens, then leaves before the grant comes back.
        let join = cast.agentJoin(agentKey, via: edge1Key.nodeID)
        _ = e.onAgentJoinResult(join, result: .success(JoinAccepted(coordinatorID: coordinatorKey.nodeID, heartbeatIntervalMilliseconds: 1000, epoch: 1)), now: t0)
        let ask = e.onTick(now: t0)
        XCTAssertTrue(ask.calls.contains(.fetchGrants(GrantRequest(agentIDs: [agentKey.nodeID]))), "\(ask)")
        let late = TokenLease(id: 5, agent: agentKey.nodeID, edge: edge1Key.nodeID, epoch: 1, tokens: 9)
        let expired = e.onTick(now: t0.adding(milliseconds: 5000))  // silent for 5 intervals: forgotten
        XCTAssertNil(e.agents[agentKey.nodeID])
        e.answer(ask, now: t0.adding(milliseconds: 5000)) { request in
            if case .fetchGrants = request { return .success(.grantReply(GrantReply(epoch: 1, leases: [late], nextEpochAt: t0))) }
            return .success(.heartbeatAck(HeartbeatAck(epoch: 1)))
        }
        XCTAssertTrue(expired.calls.isEmpty, "no new call while calls are in flight")
        XCTAssertEqual(e.leases.balance(agent: agentKey.nodeID), 9, "held until the next tick")
        let d = e.onTick(now: t0.adding(milliseconds: 5010))
        XCTAssertEqual(e.leases.balance(agent: agentKey.nodeID), 0, "the agent is not attached: settled")
        XCTAssertTrue(d.contains { if case .leases(.persist) = $0 { true } else { false } })
        XCTAssertTrue(d.calls.contains(.reportUsage(UsageReport(usages: [LeaseUsage(leaseID: 5, usedTotal: 0, final: true)]))), "\(d)")
    }

    /// An edge that dies for good must not starve its agents: its open leases are written off
    /// as spent when it is declared dead, so their buckets refill at the new edge; if it comes
    /// back, its true final counts return the unused tokens.
    func testADeadEdgesLeasesAreWrittenOffAndRestoredIfItReturns() throws {
        var s = CoordinatorInstance.Settings()
        s.epochMilliseconds = 1000
        s.tokens.tokensPerEpoch = 8
        var c = CoordinatorInstance(settings: s, key: coordinatorKey, now: t0)
        for (k, n) in [(edge1Key, "edge-1"), (edge2Key, "edge-2")] {
            guard case .joinAccepted = c.onRequest(env(k, .join(edgeJoin(k, n)), at: t0), now: t0).reply else { return XCTFail() }
        }
        var e1 = edge(edge1Key, "edge-1")
        attach(&e1, edge1Key, &c, at: t0)
        var t = t0.adding(milliseconds: 1000)
        _ = c.onTick(now: t)  // epoch 1: 8 tokens
        fetch(&e1, edge1Key, &c, at: t)
        XCTAssertEqual(try infer(&e1, cost: 6, at: t).get().remaining, 2)
        let durable = e1.leases  // edge-1 is killed here and does not come back (for now)

        var e2 = edge(edge2Key, "edge-2")
        attach(&e2, edge2Key, &c, at: t)
        var servedAtEdge2: UInt64 = 0
        var wroteOff = false
        for _ in 0..<8 {  // edge-2 keeps heartbeating (vouching for the agent); edge-1 is silent
            t = t.adding(milliseconds: 1000)
            _ = c.onRequest(env(edge2Key, .heartbeat(Heartbeat(nodeID: edge2Key.nodeID, agentIDs: [agentKey.nodeID])), at: t), now: t)
            let d = c.onTick(now: t)
            wroteOff = wroteOff || d.contains { if case .log(let l) = $0 { l.contains("wrote off") } else { false } }
            fetch(&e2, edge2Key, &c, at: t)
            while case .success(let r) = infer(&e2, cost: 1, at: t) { servedAtEdge2 += r.charged }
            let account = c.tokens.account(agentKey.nodeID)!
            XCTAssertLessThanOrEqual(6 + servedAtEdge2, account.granted, "I1: never served more than granted")
        }
        XCTAssertTrue(wroteOff, "edge-1 declared dead and its lease written off")
        XCTAssertGreaterThan(servedAtEdge2, 0, "the agent is not starved by tokens locked at a dead edge")

        // edge-1 returns: its durable final count (6 of 8) replaces the write-off; 2 tokens come back.
        let remainingBefore = c.tokens.remaining(agentKey.nodeID)
        var back = edge(edge1Key, "edge-1", restored: durable)
        exchange(&back, edge1Key, &c, at: t)
        XCTAssertTrue(back.leases.leases.isEmpty, "acknowledged and forgotten")
        XCTAssertEqual(c.tokens.remaining(agentKey.nodeID), remainingBefore + 2)
        XCTAssertEqual(c.tokens.lease(id: 1)?.used, 6)
        XCTAssertEqual(c.tokens.lease(id: 1)?.writtenOff, false)
    }

    /// Fair-Synergy offload through both instances: a saturated edge's request is served by the
    /// cloud within the edge's epoch quota, debited against the agent's lease only after the
    /// cloud answered (I1), and refused beyond the quota without touching the lease.
    func testSaturatedEdgeOffloadsWithinItsShareAndTheLeasePaysOnlyForAnswers() throws {
        var s = CoordinatorInstance.Settings()
        s.epochMilliseconds = 1000
        s.tokens.tokensPerEpoch = 10
        s.cloud.inferenceRPS = 2
        var c = CoordinatorInstance(settings: s, key: coordinatorKey, now: t0)
        guard case .joinAccepted = c.onRequest(env(edge1Key, .join(edgeJoin(edge1Key, "edge-1")), at: t0), now: t0).reply else { return XCTFail() }
        var es = EdgeInstance.Settings()
        es.cloud.inferenceRPS = 1
        var e = EdgeInstance(settings: es, key: edge1Key, name: "edge-1")
        attach(&e, edge1Key, &c, at: t0)
        // The edge's heartbeat reported its resources; the boundary allocates; the next heartbeat brings the share.
        let t1 = t0.adding(milliseconds: 1000)
        let boundary = c.onTick(now: t1)
        XCTAssertTrue(boundary.contains { if case .cloud(.persist) = $0 { true } else { false } }, "the allocation is recorded at the boundary")
        fetch(&e, edge1Key, &c, at: t1.adding(milliseconds: 1000))
        let t2 = t1.adding(milliseconds: 1000)
        XCTAssertEqual(e.cloud.share?.inferenceQuota, 2, "the only edge gets all 2 requests/s × 1 s")
        XCTAssertEqual(e.leases.balance(agent: agentKey.nodeID), 8)

        func request(_ n: UInt8) -> Envelope {
            var env = env(agentKey, .inferenceRequest(InferenceRequest(cost: 1)), at: t2)
            env.messageID = try! MessageID(bytes: [UInt8](repeating: n, count: 16))
            return env
        }
        // Local capacity: one request.
        XCTAssertEqual(e.routeInference(VerifiedRequest(request(1)), now: t2), .local)
        XCTAssertEqual(try infer(&e, cost: 1, at: t2).get().remaining, 7)
        // Saturated: two offloads served by the cloud and paid from the lease after the answer.
        for n: UInt8 in 2...3 {
            let r = request(n)
            guard case .offload(let offload) = e.routeInference(VerifiedRequest(r), now: t2) else { return XCTFail("expected an offload") }
            XCTAssertEqual(offload.requestID, r.messageID.bytes, "the agent's message id is the idempotency key")
            let (reply, directives) = c.onRequest(env(edge1Key, .cloudInferenceRequest(offload), at: t2), now: t2)
            XCTAssertTrue(directives.contains { if case .cloud(.persistUsage) = $0 { true } else { false } }, "the use is durable before the reply")
            guard case .cloudInferenceReply(let answer) = reply else { return XCTFail("\(reply)") }
            let before = e.leases.balance(agent: agentKey.nodeID)
            let (agentReply, edgeDirectives) = e.onOffloadResult(VerifiedRequest(r), .success(answer), now: t2)
            guard case .inferenceReply(let served) = agentReply else { return XCTFail("\(agentReply)") }
            XCTAssertTrue(served.servedByCloud)
            XCTAssertEqual(served.remaining, before - 1)
            XCTAssertTrue(edgeDirectives.contains { if case .leases(.persist) = $0 { true } else { false } })
        }
        // The quota is used up: the edge knows it and refuses without asking; the lease is untouched.
        let before = e.leases.balance(agent: agentKey.nodeID)
        guard case .refuse(.error(let refusal)) = e.routeInference(VerifiedRequest(request(4)), now: t2) else { return XCTFail("expected a refusal") }
        XCTAssertEqual(refusal.code, .capacityExhausted)
        XCTAssertGreaterThan(refusal.retryAfterMilliseconds, 0)
        XCTAssertEqual(e.leases.balance(agent: agentKey.nodeID), before)
        // Asked anyway (a stale view), the coordinator refuses and changes nothing.
        let offload = CloudInferenceRequest(requestID: [9], agentID: agentKey.nodeID, cost: 1, features: [])
        let (refused, none) = c.onRequest(env(edge1Key, .cloudInferenceRequest(offload), at: t2), now: t2)
        guard case .error(let err) = refused else { return XCTFail("served beyond the share") }
        XCTAssertEqual(err.code, .capacityExhausted)
        XCTAssertTrue(none.isEmpty)
        let (passed, d) = e.onOffloadResult(VerifiedRequest(request(5)), .failure(err), now: t2)
        guard case .error(let toAgent) = passed else { return XCTFail() }
        XCTAssertEqual(toAgent.code, .capacityExhausted)
        XCTAssertTrue(d.isEmpty, "a refusal debits nothing")
        XCTAssertEqual(c.cloud.status(epoch: c.epoch, names: [:]).edges.first?.share.inferenceUsed, 2)
    }
}
