import FairwayCore
import Foundation
import XCTest

/// Whole-token grants, the coordinator's token accounts and the edge's leases: rounding
/// properties, lease / usage / settle flows, refusals that change nothing, and invariant I1
/// (no agent is served more than it was granted) across edge failover.
final class TokenLeaseTests: XCTestCase {
    let a = NodeID(unchecked: "agent-a")
    let b = NodeID(unchecked: "agent-b")
    let edge1 = NodeID(unchecked: "edge-1")
    let edge2 = NodeID(unchecked: "edge-2")


    // MARK: - WholeTokenGrants

    /// The rule exactly as specified: floor, cap, then one token at a time off the largest (ties: highest index).
    func literalRound(_ u: [Double], totalTokens: UInt64, room: [UInt64]) -> [UInt64] {
        var g: [UInt64] = zip(u, room).map { x, r in
            guard x.isFinite, x >= 0 else { return 0 }
            return min(r, UInt64((x + 1e-9).rounded(.down)))
        }
        while g.reduce(0, +) > totalTokens {
            let i = g.lastIndex(of: g.max()!)!
            g[i] -= 1
        }
        return g
    }

    func testWholeTokenGrantsOnSeededRandomInputs() throws {
        var rng = SeededGenerator(seed: 77)
        var tookBack = 0
        for trial in 0..<300 {
            let n = 1 + rng.nextIndex(below: 30)
            var u = [Double](), room = [UInt64](), total: UInt64
            switch trial % 3 {
            case 0:  // generic: fractional grants, some junk, small quota
                total = UInt64(rng.nextIndex(below: 200))
                for _ in 0..<n {
                    switch rng.nextIndex(below: 12) {
                    case 0: u.append(.nan)
                    case 1: u.append(-rng.nextUnit() * 3)
                    case 2: u.append(.infinity)
                    case 3: u.append(Double(rng.nextIndex(below: 9)) - rng.nextUnit() * 1e-9)  // k minus rounding noise
                    default: u.append(rng.nextUnit() * 20)
                    }
                    room.append(UInt64(rng.nextIndex(below: 21)))
                }
            case 1:  // fp noise: exact whole shares of a large V, each inflated by up to 2·10⁻¹², so Σu > V
                total = UInt64(1_000_000_000_000 + rng.nextIndex(below: Int(1) << 52))
                var left = total
                for i in 0..<n {
                    let share = i == n - 1 ? left : UInt64(Double(left) * rng.nextUnit() * 0.5)
                    left -= share
                    u.append(Double(share) * (1 + rng.nextUnit() * 2e-12))
                    room.append(rng.nextIndex(below: 5) == 0 ? share / 2 : UInt64.max / 64)
                }
            default:  // an allocator's output on whole-number buckets
                let values = (0..<n).map { _ in rng.nextUnit() }
                let sizes = (0..<n).map { _ in UInt64(rng.nextIndex(below: 10)) }
                let held = sizes.map { UInt64(rng.nextIndex(below: Int($0) + 1)) }
                total = UInt64(rng.nextIndex(below: 60))
                let p = try TokenAllocationProblem(totalTokens: Double(total), values: values,
                                                   bucketSizes: sizes.map(Double.init), remaining: held.map(Double.init))
                u = ProportionalFillingAllocator().allocate(p)
                room = zip(sizes, held).map { $0 - $1 }
            }
            let g = WholeTokenGrants.round(u, totalTokens: total, room: room)
            XCTAssertEqual(g.count, n)
            XCTAssertLessThanOrEqual(g.reduce(0, +), total, "trial \(trial): Σg ≤ V")
            let floors: [UInt64] = zip(u, room).map { x, r in x.isFinite && x >= 0 ? min(r, UInt64((x + 1e-9).rounded(.down))) : 0 }
            for i in 0..<n {
                XCTAssertLessThanOrEqual(g[i], room[i], "trial \(trial) agent \(i): g ≤ room")
                if u[i].isFinite, u[i] >= 0 {
                    XCTAssertLessThanOrEqual(Double(g[i]), u[i] + 1e-9, "trial \(trial) agent \(i): g ≤ u")
                } else {
                    XCTAssertEqual(g[i], 0, "trial \(trial) agent \(i): junk grants nothing")
                }
            }
            XCTAssertEqual(g, literalRound(u, totalTokens: total, room: room), "trial \(trial): the one-at-a-time rule")
            if floors.reduce(0, +) <= total {
                XCTAssertEqual(g, floors, "trial \(trial): nothing taken back when the floors fit")
            } else {
                tookBack += 1
                XCTAssertEqual(g.reduce(0, +), total, "trial \(trial): only the overshoot is taken back")
            }
            // Σ min(u, room) ≤ V: each agent loses less than one token.
            let capped = zip(u, room).map { x, r in x.isFinite && x >= 0 ? min(x, Double(r)) : 0 }
            if capped.reduce(0, +) + 1e-6 <= Double(total) {
                for i in 0..<n { XCTAssertGreaterThan(Double(g[i]), capped[i] - 1, "trial \(trial) agent \(i): loses < 1 token") }
            }
        }
        XCTAssertGreaterThan(tookBack, 20, "the fp-noise cases exercise taking back")
    }

    func testWholeTokenGrantsExamples() {
        XCTAssertEqual(WholeTokenGrants.round([2.9999999999, 1.5, .nan, -1, .infinity, 1e30], totalTokens: 100,
                                              room: [10, 10, 10, 10, 10, 5]), [3, 1, 0, 0, 0, 5])
        let noisy = [3.0000000001, 3.0000000001, 3.0000000001]
        XCTAssertEqual(WholeTokenGrants.round(noisy, totalTokens: 9, room: [9, 9, 9]), [3, 3, 3])
        XCTAssertEqual(WholeTokenGrants.round(noisy, totalTokens: 8, room: [9, 9, 9]), [3, 3, 2], "ties: highest index first")
        XCTAssertEqual(WholeTokenGrants.round(noisy, totalTokens: 7, room: [9, 9, 9]), [3, 2, 2])
        XCTAssertEqual(WholeTokenGrants.round([5, 1, 4], totalTokens: 6, room: [9, 9, 9]), [3, 1, 2], "largest first")
        XCTAssertEqual(WholeTokenGrants.round([5, 1, 4], totalTokens: 0, room: [9, 9, 9]), [0, 0, 0])
        XCTAssertEqual(WholeTokenGrants.round([], totalTokens: 3, room: []), [])
        let huge = WholeTokenGrants.round([1e30, 1e30], totalTokens: .max, room: [.max, .max])
        XCTAssertEqual(huge, [UInt64.max / 2 + 1, UInt64.max / 2], "no overflow near 2^64")
    }

    // MARK: - TokenAccounts

    func testLeaseUsageAndSettleFlow() throws {
        var book = TokenAccounts()
        book.register(agent: a, bucketSize: 10)
        XCTAssertEqual(book.room(a), 10)
        try book.applyGrants(epoch: 1, [a: 6])
        XCTAssertEqual([book.remaining(a), book.available(a), book.room(a)], [6, 6, 4])

        let first = try XCTUnwrap(book.lease(agent: a, to: edge1, epoch: 1))
        XCTAssertEqual(first, TokenLease(id: 1, agent: a, edge: edge1, epoch: 1, tokens: 6))
        XCTAssertEqual([book.remaining(a), book.available(a)], [6, 0], "an open lease counts as fully spent")
        XCTAssertNil(book.lease(agent: a, to: edge2, epoch: 1), "nothing left to lease")
        XCTAssertEqual(book.openLeases(agent: a), [first])
        XCTAssertEqual(book.openLeases(edge: edge1), [first])
        XCTAssertEqual(book.openLeases(edge: edge2), [])

        var lease = try book.reportUsage(leaseID: 1, edge: edge1, usedTotal: 2, final: false)
        XCTAssertEqual(lease.used, 2)
        XCTAssertFalse(lease.settled)
        XCTAssertEqual([book.remaining(a), book.available(a), book.room(a)], [4, 0, 6])

        lease = try book.reportUsage(leaseID: 1, edge: edge1, usedTotal: 5, final: true)
        XCTAssertTrue(lease.settled)
        XCTAssertEqual([book.remaining(a), book.available(a), book.room(a)], [1, 1, 9])
        XCTAssertEqual(book.openLeases(agent: a), [])

        try book.applyGrants(epoch: 2, [a: 9])
        XCTAssertEqual([book.remaining(a), book.available(a), book.room(a)], [10, 10, 0])
        let second = try XCTUnwrap(book.lease(agent: a, to: edge2, epoch: 2))
        XCTAssertEqual(second.id, 2)
        XCTAssertEqual(second.tokens, 10)
        XCTAssertEqual(book.account(a)?.granted, 15)
        XCTAssertEqual(book.nextLeaseID, 3)

        // Shrinking the bucket keeps the tokens, only the room goes.
        book.register(agent: a, bucketSize: 4)
        XCTAssertEqual([book.remaining(a), book.room(a)], [10, 0])
        // Unknown agents hold nothing.
        XCTAssertEqual([book.remaining(b), book.available(b), book.room(b)], [0, 0, 0])
    }

    func testRepeatedReportsAreIdempotent() throws {
        var book = TokenAccounts()
        book.register(agent: a, bucketSize: 10)
        try book.applyGrants(epoch: 1, [a: 8])
        _ = book.lease(agent: a, to: edge1, epoch: 1)
        let once = try book.reportUsage(leaseID: 1, edge: edge1, usedTotal: 3, final: false)
        let snapshot = book
        XCTAssertEqual(try book.reportUsage(leaseID: 1, edge: edge1, usedTotal: 3, final: false), once)
        XCTAssertEqual(book, snapshot)

        let final = try book.reportUsage(leaseID: 1, edge: edge1, usedTotal: 4, final: true)
        let settled = book
        for _ in 0..<3 {
            XCTAssertEqual(try book.reportUsage(leaseID: 1, edge: edge1, usedTotal: 4, final: true), final, "exact repeat of the final report")
            XCTAssertEqual(book, settled)
        }
    }

    func testEveryRefusalChangesNothing() throws {
        var book = TokenAccounts()
        book.register(agent: a, bucketSize: 10)
        book.register(agent: b, bucketSize: 4)
        try book.applyGrants(epoch: 1, [a: 6, b: 4])
        _ = book.lease(agent: a, to: edge1, epoch: 1)  // lease 1: 6 tokens
        _ = book.lease(agent: b, to: edge1, epoch: 1)  // lease 2: 4 tokens
        try book.reportUsage(leaseID: 1, edge: edge1, usedTotal: 2, final: false)
        try book.reportUsage(leaseID: 2, edge: edge1, usedTotal: 1, final: true)
        let before = book

        let refusals: [(String, (inout TokenAccounts) throws -> Void)] = [
            ("usage.lease_id", { try $0.reportUsage(leaseID: 9, edge: self.edge1, usedTotal: 1, final: false) }),
            ("usage.edge", { try $0.reportUsage(leaseID: 1, edge: self.edge2, usedTotal: 3, final: false) }),
            ("usage.edge", { try $0.reportUsage(leaseID: 2, edge: self.edge2, usedTotal: 1, final: true) }),
            ("usage.used", { try $0.reportUsage(leaseID: 1, edge: self.edge1, usedTotal: 7, final: false) }),
            ("usage.used", { try $0.reportUsage(leaseID: 1, edge: self.edge1, usedTotal: 1, final: true) }),
            ("usage.lease_id", { try $0.reportUsage(leaseID: 2, edge: self.edge1, usedTotal: 2, final: true) }),
            ("usage.lease_id", { try $0.reportUsage(leaseID: 2, edge: self.edge1, usedTotal: 1, final: false) }),
            ("usage.lease_id", { try $0.reportUsage(leaseID: 2, edge: self.edge1, usedTotal: 0, final: true) }),
            ("grants.agent", { try $0.applyGrants(epoch: 2, [self.a: 1, NodeID(unchecked: "stranger"): 1]) }),
            ("grants.tokens", { try $0.applyGrants(epoch: 2, [self.a: 1, self.b: 2]) }),  // b's room is 1
            ("grants.tokens", { try $0.applyGrants(epoch: 2, [self.a: 7]) }),  // a's room is 6
        ]
        for (expected, refusal) in refusals {
            var copy = book
            XCTAssertEqual(field { try refusal(&copy) }, expected)
            XCTAssertEqual(copy, before, "a refusal (\(expected)) changed the book")
        }
        var copy = book
        XCTAssertNil(copy.lease(agent: NodeID(unchecked: "stranger"), to: edge1, epoch: 2))
        XCTAssertNil(copy.lease(agent: a, to: edge2, epoch: 2), "a's tokens are all leased")
        XCTAssertEqual(copy, before)
        XCTAssertNotNil(copy.lease(agent: b, to: edge2, epoch: 2), "b's 3 unused tokens came back when lease 2 settled")
    }

    func testRestoreRoundTripsAndRefusesBrokenState() throws {
        var book = TokenAccounts()
        book.register(agent: a, bucketSize: 10)
        book.register(agent: b, bucketSize: 5)
        try book.applyGrants(epoch: 1, [a: 7, b: 5])
        _ = book.lease(agent: a, to: edge1, epoch: 1)
        _ = book.lease(agent: b, to: edge2, epoch: 1)
        try book.reportUsage(leaseID: 2, edge: edge2, usedTotal: 3, final: true)
        try book.applyGrants(epoch: 2, [b: 3])
        _ = book.lease(agent: b, to: edge1, epoch: 2)

        let encoder = JSONEncoder(), decoder = JSONDecoder()
        let accounts = try decoder.decode([TokenAccount].self, from: encoder.encode(book.accounts))
        let leases = try decoder.decode([TokenLease].self, from: encoder.encode(book.leases))
        let restored = try TokenAccounts(accounts: accounts, leases: leases.reversed(), nextLeaseID: book.nextLeaseID)
        XCTAssertEqual(restored, book)
        XCTAssertEqual(restored.available(b), book.available(b))
        XCTAssertEqual(try TokenAccounts(accounts: [], leases: [], nextLeaseID: 1), TokenAccounts())

        let lease1 = leases[0]
        var overUsed = lease1
        overUsed.used = overUsed.tokens + 1
        var overCommitted = lease1
        overCommitted.tokens = 8  // a was granted 7
        var foreign = lease1
        foreign.agent = NodeID(unchecked: "stranger")
        XCTAssertEqual(field { _ = try TokenAccounts(accounts: accounts + [accounts[0]], leases: leases, nextLeaseID: 9) }, "accounts")
        XCTAssertEqual(field { _ = try TokenAccounts(accounts: accounts, leases: leases + [lease1], nextLeaseID: 9) }, "leases")
        XCTAssertEqual(field { _ = try TokenAccounts(accounts: accounts, leases: [overUsed], nextLeaseID: 9) }, "leases")
        XCTAssertEqual(field { _ = try TokenAccounts(accounts: accounts, leases: [overCommitted], nextLeaseID: 9) }, "leases")
        XCTAssertEqual(field { _ = try TokenAccounts(accounts: accounts, leases: [foreign], nextLeaseID: 9) }, "leases")
        XCTAssertEqual(field { _ = try TokenAccounts(accounts: accounts, leases: leases, nextLeaseID: 3) }, "next_lease_id")
    }

    /// The failover of the brief: edge-1 debits 3 of 10 and is killed before reporting; the agent
    /// moves to edge-2, which gets nothing until edge-1 comes back and settles with used = 3.
    func testFailoverHandsOverOnlyWhatTheDeadEdgeDidNotServe() throws {
        var book = TokenAccounts()
        book.register(agent: a, bucketSize: 10)
        try book.applyGrants(epoch: 1, [a: 10])
        var atEdge1 = EdgeLeases()
        try atEdge1.add(XCTUnwrap(book.lease(agent: a, to: edge1, epoch: 1)))
        XCTAssertEqual(atEdge1.admit(agent: a, cost: 1), .admitted(leaseIDs: [1], remaining: 9))
        XCTAssertEqual(atEdge1.admit(agent: a, cost: 2), .admitted(leaseIDs: [1], remaining: 7))
        var served: UInt64 = 3

        // kill -9: only the durable lease (used = 3) survives; the coordinator heard nothing.
        let durable = atEdge1.leases
        XCTAssertEqual(durable.map(\.used), [3])

        // The agent re-attaches to edge-2: nothing to lease while edge-1's lease is open.
        var atEdge2 = EdgeLeases()
        XCTAssertEqual(book.available(a), 0)
        XCTAssertEqual(book.remaining(a), 10, "the coordinator does not know about the 3 yet")
        XCTAssertNil(book.lease(agent: a, to: edge2, epoch: 1))
        XCTAssertEqual(atEdge2.admit(agent: a, cost: 1), .refused(reason: "agent agent-a needs 1 token but holds 0 at this edge", balance: 0))
        XCTAssertEqual(field { try book.reportUsage(leaseID: 1, edge: self.edge2, usedTotal: 0, final: true) }, "usage.edge",
                       "edge-2 cannot settle edge-1's lease")

        // edge-1 restarts: settles everything it held with the durable counts.
        var restarted = EdgeLeases(leases: durable)
        restarted.settleAll()
        XCTAssertEqual(restarted.admit(agent: a, cost: 1), .refused(reason: "agent agent-a needs 1 token but holds 0 at this edge", balance: 0))
        let pending = restarted.pendingReports()
        XCTAssertEqual(pending.map { [$0.id, $0.used] }, [[1, 3]])
        XCTAssertTrue(pending[0].settled)
        for lease in pending {
            let ack = try book.reportUsage(leaseID: lease.id, edge: edge1, usedTotal: lease.used, final: lease.settled)
            restarted.markReported(ack)
        }
        restarted.forgetSettled()
        XCTAssertEqual(restarted.leases, [])
        XCTAssertEqual([book.remaining(a), book.available(a)], [7, 7])

        // Now edge-2 gets the 7 unserved tokens, and not one more.
        let second = try XCTUnwrap(book.lease(agent: a, to: edge2, epoch: 1))
        XCTAssertEqual(second.tokens, 7)
        try atEdge2.add(second)
        XCTAssertEqual(atEdge2.admit(agent: a, cost: 7), .admitted(leaseIDs: [2], remaining: 0))
        served += 7
        XCTAssertEqual(atEdge2.admit(agent: a, cost: 1), .refused(reason: "agent agent-a needs 1 token but holds 0 at this edge", balance: 0))
        XCTAssertEqual(served, book.account(a)?.granted)

        // A late copy of the first lease message cannot reopen it at edge-1.
        let beforeLate = restarted
        XCTAssertEqual(field { try restarted.add(durable[0]) }, "lease.id")
        XCTAssertEqual(restarted, beforeLate)
    }

    /// Random grants, leases (sometimes lost in transit), admissions, reports (sometimes lost, or
    /// their acknowledgment lost), agent moves, edge crashes that keep only the durable used
    /// counters, restarts, lease resends and stale duplicate lease messages. I1 holds at every step;
    /// once everything is settled the coordinator has learned exactly what was served.
    func testRandomizedFailoverSimulationNeverOverServes() throws {
        for seed: UInt64 in [1, 2, 3, 4] {
            try runSimulation(seed: seed, steps: 400)
        }
    }

    func runSimulation(seed: UInt64, steps: Int) throws {
        var rng = SeededGenerator(seed: seed)
        let agents = (0..<4).map { NodeID(unchecked: "agent-\($0)") }
        let edges = (0..<3).map { NodeID(unchecked: "edge-\($0)") }
        var book = TokenAccounts()
        for (i, agent) in agents.enumerated() { book.register(agent: agent, bucketSize: [8, 12, 20, 5][i]) }
        var atEdge = [EdgeLeases](repeating: EdgeLeases(), count: edges.count)
        var up = [Bool](repeating: true, count: edges.count)
        var attached = agents.map { _ in rng.nextIndex(below: edges.count) }
        var served = [UInt64](repeating: 0, count: agents.count)
        var servedFromLease: [UInt64: UInt64] = [:]
        var issued: [TokenLease] = []
        var epoch: UInt64 = 0
        var events: [String: Int] = [:]

        func reportPending(_ e: Int, lossy: Bool) throws {
            for lease in atEdge[e].pendingReports() where !lossy || rng.nextIndex(below: 4) != 0 {
                let ack = try book.reportUsage(leaseID: lease.id, edge: edges[e], usedTotal: lease.used, final: lease.settled)
                XCTAssertEqual(ack.used, lease.used)
                if !lossy || rng.nextIndex(below: 4) != 0 { atEdge[e].markReported(ack) }
            }
        }
        /// The shell's rule: an edge settles the leases of agents no longer attached to it.
        func settleDeparted(_ e: Int) {
            for (i, agent) in agents.enumerated() where attached[i] != e { atEdge[e].settle(agent: agent) }
        }

        for step in 0..<steps {
            switch rng.nextIndex(below: 12) {
            case 0, 1:  // an epoch's grants
                epoch += 1
                let quota = UInt64(rng.nextIndex(below: 30))
                let problem = try TokenAllocationProblem(
                    totalTokens: Double(quota), values: agents.map { _ in rng.nextUnit() },
                    bucketSizes: agents.map { Double(book.account($0)!.bucketSize) },
                    remaining: agents.map { Double(book.remaining($0)) })
                let g = WholeTokenGrants.round(ProportionalFillingAllocator().allocate(problem), totalTokens: quota,
                                               room: agents.map { book.room($0) })
                XCTAssertLessThanOrEqual(g.reduce(0, +), quota, "I1: Σ grants ≤ V")
                try book.applyGrants(epoch: epoch, Dictionary(uniqueKeysWithValues: zip(agents, g)))
            case 2:  // lease to the agent's edge; the message is lost if the edge is down, or sometimes anyway
                let i = rng.nextIndex(below: agents.count), e = attached[i]
                if let lease = book.lease(agent: agents[i], to: edges[e], epoch: epoch) {
                    issued.append(lease)
                    if up[e], rng.nextIndex(below: 5) != 0 { try atEdge[e].add(lease) } else { events["lost lease", default: 0] += 1 }
                }
            case 3, 4, 5:  // a request
                let i = rng.nextIndex(below: agents.count), e = attached[i]
                guard up[e] else { continue }
                let cost = UInt64(1 + rng.nextIndex(below: 4))
                let before = atEdge[e]
                switch atEdge[e].admit(agent: agents[i], cost: cost) {
                case let .admitted(ids, remaining):
                    served[i] += cost
                    for id in ids {
                        servedFromLease[id, default: 0] += atEdge[e].lease(id: id)!.used - before.lease(id: id)!.used
                    }
                    XCTAssertEqual(remaining, atEdge[e].balance(agent: agents[i]))
                    events["admitted", default: 0] += 1
                case let .refused(_, balance):
                    XCTAssertEqual(atEdge[e], before, "a refusal changes nothing")
                    XCTAssertLessThan(balance, cost)
                    events["refused", default: 0] += 1
                }
            case 6, 7:  // an edge reports; reports and acknowledgments get lost
                let e = rng.nextIndex(below: edges.count)
                guard up[e] else { continue }
                try reportPending(e, lossy: true)
                if rng.nextIndex(below: 2) == 0 { atEdge[e].forgetSettled() }
            case 8:  // an agent moves to another edge; its old edge (if alive) settles it
                let i = rng.nextIndex(below: agents.count), old = attached[i]
                attached[i] = rng.nextIndex(below: edges.count)
                if up[old], attached[i] != old { atEdge[old].settle(agent: agents[i]) }
            case 9:  // kill -9: the edge keeps only its durable leases; its agents flee elsewhere
                let e = rng.nextIndex(below: edges.count)
                guard up[e] else { continue }
                atEdge[e] = EdgeLeases(leases: atEdge[e].leases, retiredLeaseIDs: atEdge[e].retiredLeaseIDs)
                up[e] = false
                for i in agents.indices where attached[i] == e { attached[i] = (e + 1 + rng.nextIndex(below: edges.count - 1)) % edges.count }
                events["crash", default: 0] += 1
            case 10:  // a dead edge restarts and settles everything it held
                let e = rng.nextIndex(below: edges.count)
                guard !up[e] else { continue }
                up[e] = true
                atEdge[e].settleAll()
                events["restart", default: 0] += 1
            default:  // the coordinator resends open leases to an edge; a stale duplicate lease message arrives
                let e = rng.nextIndex(below: edges.count)
                guard up[e] else { continue }
                for lease in book.openLeases(edge: edges[e]) { try atEdge[e].add(lease) }
                settleDeparted(e)
                if let stale = issued.randomElement(using: &rng), let s = edges.firstIndex(of: stale.edge), up[s] {
                    let before = atEdge[s]
                    do {
                        try atEdge[s].add(stale)
                    } catch {
                        XCTAssertEqual(atEdge[s], before)
                        events["stale refused", default: 0] += 1
                    }
                    settleDeparted(s)
                }
            }
            try checkInvariants(book, agents, served, servedFromLease, atEdge, step: step)
        }

        // Quiesce: every edge back up, every lease delivered and settled, every report delivered.
        for e in edges.indices {
            up[e] = true
            for lease in book.openLeases(edge: edges[e]) { try atEdge[e].add(lease) }
            atEdge[e].settleAll()
            try reportPending(e, lossy: false)
            atEdge[e].forgetSettled()
            XCTAssertEqual(atEdge[e].leases, [], "seed \(seed): edge \(e) settled everything")
        }
        try checkInvariants(book, agents, served, servedFromLease, atEdge, step: steps)
        for (i, agent) in agents.enumerated() {
            XCTAssertEqual(book.openLeases(agent: agent), [])
            let account = try XCTUnwrap(book.account(agent))
            XCTAssertEqual(account.granted - book.remaining(agent), served[i], "seed \(seed) \(agent): the coordinator learned every served token")
            XCTAssertEqual(book.available(agent), book.remaining(agent))
        }
        for event in ["admitted", "refused", "crash", "restart", "lost lease"] {
            XCTAssertGreaterThan(events[event, default: 0], 0, "seed \(seed): no \(event) happened")
        }
    }

    func checkInvariants(_ book: TokenAccounts, _ agents: [NodeID], _ served: [UInt64], _ servedFromLease: [UInt64: UInt64],
                         _ atEdge: [EdgeLeases], step: Int) throws {
        for (i, agent) in agents.enumerated() {
            let account = try XCTUnwrap(book.account(agent))
            let available = book.available(agent), remaining = book.remaining(agent)
            XCTAssertLessThanOrEqual(served[i], account.granted, "step \(step) \(agent): I1, served ≤ granted")
            XCTAssertLessThanOrEqual(served[i], account.granted - available, "step \(step) \(agent): served ≤ committed")
            XCTAssertGreaterThanOrEqual(available, 0)
            XCTAssertLessThanOrEqual(available, remaining, "step \(step) \(agent)")
            XCTAssertLessThanOrEqual(remaining, account.bucketSize, "step \(step) \(agent)")
            XCTAssertLessThanOrEqual(account.granted - remaining, served[i], "step \(step) \(agent): reported ≤ served")
        }
        for lease in book.leases {
            let actual = servedFromLease[lease.id, default: 0]
            XCTAssertLessThanOrEqual(actual, lease.tokens, "step \(step) lease \(lease.id): never debited beyond its tokens")
            XCTAssertLessThanOrEqual(lease.used, actual, "step \(step) lease \(lease.id)")
            if lease.settled { XCTAssertEqual(lease.used, actual, "step \(step) lease \(lease.id): settled with the true count") }
        }
        for edge in atEdge {
            for lease in edge.leases { XCTAssertEqual(lease.used, servedFromLease[lease.id, default: 0], "step \(step): durable used") }
        }
    }

    // MARK: - EdgeLeases

    func testAdmissionSpansLeasesOldestFirstAndRefusesWhole() throws {
        var edge = EdgeLeases()
        try edge.add(TokenLease(id: 2, agent: a, edge: edge1, epoch: 2, tokens: 5))
        try edge.add(TokenLease(id: 1, agent: a, edge: edge1, epoch: 1, tokens: 5))
        try edge.add(TokenLease(id: 3, agent: b, edge: edge1, epoch: 2, tokens: 4))
        XCTAssertEqual(edge.balance(agent: a), 10)
        XCTAssertEqual(edge.admit(agent: a, cost: 3), .admitted(leaseIDs: [1], remaining: 7))
        XCTAssertEqual(edge.admit(agent: a, cost: 4), .admitted(leaseIDs: [1, 2], remaining: 3))
        XCTAssertEqual(edge.lease(id: 1)?.used, 5)
        XCTAssertEqual(edge.lease(id: 2)?.used, 2)
        XCTAssertEqual(edge.balance(agent: b), 4, "other agents untouched")

        let before = edge
        XCTAssertEqual(edge.admit(agent: a, cost: 0), .refused(reason: "cost must be at least 1 token", balance: 3))
        XCTAssertEqual(edge.admit(agent: a, cost: 4), .refused(reason: "agent agent-a needs 4 tokens but holds 3 at this edge", balance: 3))
        XCTAssertEqual(edge.admit(agent: NodeID(unchecked: "stranger"), cost: 1),
                       .refused(reason: "agent stranger needs 1 token but holds 0 at this edge", balance: 0))
        XCTAssertEqual(edge, before, "refusals change nothing")
        XCTAssertEqual(edge.admit(agent: a, cost: 3), .admitted(leaseIDs: [2], remaining: 0))
    }

    func testSettleStopsDebitsAndReportsFlowUntilForgotten() throws {
        var edge = EdgeLeases()
        try edge.add(TokenLease(id: 1, agent: a, edge: edge1, epoch: 1, tokens: 5))
        try edge.add(TokenLease(id: 2, agent: a, edge: edge1, epoch: 2, tokens: 5))
        try edge.add(TokenLease(id: 3, agent: b, edge: edge1, epoch: 2, tokens: 4))
        XCTAssertEqual(edge.pendingReports(), [], "fresh leases are the coordinator's own state")
        _ = edge.admit(agent: a, cost: 2)
        let report = try XCTUnwrap(edge.pendingReports().first)
        XCTAssertEqual(edge.pendingReports().map(\.id), [1])
        _ = edge.admit(agent: a, cost: 1)
        edge.markReported(report)  // acknowledges used = 2, but 3 are used now
        XCTAssertEqual(edge.pendingReports().map(\.used), [3])
        edge.markReported(edge.lease(id: 1)!)
        XCTAssertEqual(edge.pendingReports(), [])
        edge.markReported(report)  // a late, older acknowledgment
        XCTAssertEqual(edge.pendingReports(), [], "an older acknowledgment does not reopen a report")

        edge.settle(agent: a)
        XCTAssertEqual(edge.balance(agent: a), 0)
        let frozen = edge
        if case .admitted = edge.admit(agent: a, cost: 1) { XCTFail("a settled lease was debited") }
        XCTAssertEqual(edge, frozen)
        XCTAssertEqual(edge.balance(agent: b), 4, "settling a does not touch b")
        let finals = edge.pendingReports()
        XCTAssertEqual(finals.map(\.id), [1, 2])
        XCTAssertTrue(finals.allSatisfy(\.settled))
        XCTAssertEqual(finals.map(\.used), [3, 0])

        edge.forgetSettled()
        XCTAssertEqual(edge, frozen, "nothing acknowledged yet, nothing forgotten")
        edge.markReported(finals[0])
        edge.forgetSettled()
        XCTAssertEqual(edge.leases.map(\.id), [2, 3])
        XCTAssertEqual(edge.retiredLeaseIDs, [1])
        edge.markReported(finals[1])
        edge.settleAll()
        edge.forgetSettled()
        XCTAssertEqual(edge.leases.map(\.id), [3], "lease 3's final report is still pending")
        XCTAssertEqual(edge.pendingReports().map(\.id), [3])
    }

    func testAddIsIdempotentAndRefusesConflicts() throws {
        var edge = EdgeLeases()
        let lease = TokenLease(id: 1, agent: a, edge: edge1, epoch: 1, tokens: 5)
        try edge.add(lease)
        _ = edge.admit(agent: a, cost: 2)
        let before = edge
        try edge.add(lease)
        XCTAssertEqual(edge, before, "a repeated lease message keeps the edge's own debits")

        var other = lease
        other.tokens = 6
        XCTAssertEqual(field { try edge.add(other) }, "lease.id")
        other = lease
        other.agent = b
        XCTAssertEqual(field { try edge.add(other) }, "lease.id")
        XCTAssertEqual(field { try edge.add(TokenLease(id: 4, agent: a, edge: edge1, epoch: 1, tokens: 2, used: 3)) }, "lease.used")
        XCTAssertEqual(edge, before)

        // The coordinator knowing more (a larger used, or settled) only lowers what can be debited.
        var ahead = lease
        ahead.used = 4
        try edge.add(ahead)
        XCTAssertEqual(edge.balance(agent: a), 1)
        ahead.settled = true
        try edge.add(ahead)
        XCTAssertEqual(edge.balance(agent: a), 0)
    }

    func testRestoredLeasesAreAllPendingAndKeepTheirCounts() throws {
        var edge = EdgeLeases()
        try edge.add(TokenLease(id: 1, agent: a, edge: edge1, epoch: 1, tokens: 5))
        try edge.add(TokenLease(id: 2, agent: b, edge: edge1, epoch: 1, tokens: 5))
        _ = edge.admit(agent: a, cost: 4)
        edge.markReported(edge.lease(id: 1)!)
        var restored = EdgeLeases(leases: edge.leases, retiredLeaseIDs: edge.retiredLeaseIDs)
        XCTAssertEqual(restored.leases, edge.leases)
        XCTAssertEqual(restored.pendingReports().map(\.id), [1, 2], "acknowledgments are not durable: report again")
        XCTAssertEqual(restored.balance(agent: a), 1)
        restored.settleAll()
        XCTAssertEqual(restored.balance(agent: a), 0)
        XCTAssertEqual(restored.pendingReports().map(\.used), [4, 0])
        XCTAssertEqual(EdgeLeases(leases: []), EdgeLeases())
    }
}
