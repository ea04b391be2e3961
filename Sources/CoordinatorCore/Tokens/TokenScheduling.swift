import FairwayCore
import FairwayWire

/// Token scheduling (paper 1, §III, eq. 15): each epoch's V whole tokens granted from the
/// agents' values within their buckets, lent to the edges that serve them, and settled from
/// the edges' usage reports. Owns the token book (`TokenAccounts`), the authority for I1.
///
/// It reads nothing of the other concerns: the router passes it the agents and their values.
public struct TokenScheduling: Sendable {
    public enum Directive: Sendable, Hashable {
        /// Durably, with the epoch: its record, the grants and the accounts they changed.
        case persistGrants(EpochRecord, grants: [NodeID: UInt64], accounts: [TokenAccount])
        /// Durably: accounts and leases that changed, and the next lease id.
        case persistTokens(accounts: [TokenAccount], leases: [TokenLease], nextLeaseID: UInt64)
        /// Durably: settled leases folded into their accounts (`TokenAccounts.compact`).
        case compact(accounts: [TokenAccount], removedLeases: [UInt64])
    }

    /// An agent eligible for grants at an epoch boundary.
    public struct Agent: Sendable, Hashable {
        public var id: NodeID
        public init(id: NodeID) { self.id = id }
    }

    /// Settled leases younger than this many epochs stay in the book (for late duplicate
    /// reports and for operators); older ones are folded into the accounts.
    public static let settledLeaseEpochsKept: UInt64 = 2

    public let settings: Settings
    /// Every agent's account and every lease.
    public private(set) var book: TokenAccounts

    public init(settings: Settings, restored: TokenAccounts = TokenAccounts()) {
        self.settings = settings
        self.book = restored
    }

    /// An agent joined (or re-joined) with bucket size B.
    public mutating func onAgentJoined(_ agent: NodeID, bucketSize: UInt32) -> [Directive] {
        book.register(agent: agent, bucketSize: UInt64(bucketSize))
        return [.persistTokens(accounts: [book.account(agent)!], leases: [], nextLeaseID: book.nextLeaseID)]
    }

    /// A dead edge's open leases are written off as fully spent, so its agents' buckets can
    /// refill at their new edge (see `TokenAccounts.writeOff`).
    public mutating func onEdgeDead(_ edge: NodeID) -> (written: [TokenLease], directives: [Directive]) {
        let written = book.writeOff(edge: edge)
        return (written, written.isEmpty ? [] : [.persistTokens(accounts: [], leases: written, nextLeaseID: book.nextLeaseID)])
    }

    /// Grants epoch `epoch`'s V tokens to `agents` (the ones not dead) from `values` (v_n), with
    /// the configured allocator, rounded down to whole tokens within each bucket's room:
    /// Σ grants ≤ V (I1). Then folds settled leases older than `settledLeaseEpochsKept`.
    public mutating func onEpochBoundary(epoch: UInt64, startedAt: Timestamp, agents: [NodeID], values: [NodeID: Double]) -> [Directive] {
        let eligible = agents.filter { book.account($0) != nil }.sorted()
        var grants: [NodeID: UInt64] = [:]
        if !eligible.isEmpty, settings.tokensPerEpoch > 0 {
            let sizes = eligible.map { Double(book.account($0)!.bucketSize) }
            let remaining = eligible.enumerated().map { min(sizes[$0], Double(book.remaining($1))) }
            do {
                let problem = try TokenAllocationProblem(totalTokens: Double(settings.tokensPerEpoch), values: eligible.map { values[$0] ?? 0 },
                                                         bucketSizes: sizes, remaining: remaining)
                let u = settings.allocator.allocator.allocate(problem, seed: settings.seed ^ epoch)
                let g = WholeTokenGrants.round(u, totalTokens: settings.tokensPerEpoch, room: eligible.map { book.room($0) })
                var next = book
                for (i, a) in eligible.enumerated() where g[i] > 0 { grants[a] = g[i] }
                try next.applyGrants(epoch: epoch, grants)
                book = next
            } catch {
                grants = [:]  // cannot happen with validated settings; grant nothing rather than break I1
            }
        }
        let record = EpochRecord(epoch: epoch, startedAt: startedAt, totalTokens: settings.tokensPerEpoch, granted: grants.values.reduce(0, +),
                                 allocator: settings.allocator.rawValue, agents: UInt32(eligible.count))
        var directives: [Directive] = [.persistGrants(record, grants: grants, accounts: grants.keys.sorted().compactMap { book.account($0) })]
        if epoch > Self.settledLeaseEpochsKept {
            let (accounts, removed) = book.compact(settledBefore: epoch - Self.settledLeaseEpochsKept)
            if !removed.isEmpty { directives.append(.compact(accounts: accounts, removedLeases: removed)) }
        }
        return directives
    }

    /// An edge asks for the tokens of `agents` attached to it (the router has checked they
    /// are): each gets the edge's open leases plus a new lease of whatever is available.
    public mutating func onGrantRequest(agents: [NodeID], edge: NodeID, epoch: UInt64) -> (leases: [TokenLease], directives: [Directive]) {
        var out: [TokenLease] = []
        for agent in agents {
            out += book.openLeases(agent: agent).filter { $0.edge == edge }
            if let lease = book.lease(agent: agent, to: edge, epoch: epoch) { out.append(lease) }
        }
        // Every lease in the reply is written (an upsert), not only the new ones.
        return (out, out.isEmpty ? [] : [.persistTokens(accounts: [], leases: out, nextLeaseID: book.nextLeaseID)])
    }

    /// Cumulative usage from the edge holding the leases; all or nothing.
    public mutating func onUsageReport(_ u: UsageReport, from edge: NodeID) throws -> (leases: [TokenLease], directives: [Directive]) {
        var next = book
        var updated: [TokenLease] = []
        for (i, usage) in u.usages.enumerated() {
            do {
                updated.append(try next.reportUsage(leaseID: usage.leaseID, edge: edge, usedTotal: usage.usedTotal, final: usage.final,
                                                    creditUnusedTwice: settings.breaks.contains(.settleLeaseTwice)))
            } catch var e as FairwayError {
                e.field = "usage_report.usages[\(i)]" + (e.field.isEmpty ? "" : " (\(e.field))")
                e.peer = edge.rawValue
                throw e
            }
        }
        book = next
        // A repeated final report of a compacted lease is answered with a stand-in (it names the
        // edge, not the agent); only leases still in the book are written.
        let changed = updated.filter { book.lease(id: $0.id) != nil }
        return (updated, changed.isEmpty ? [] : [.persistTokens(accounts: [], leases: changed, nextLeaseID: book.nextLeaseID)])
    }

    /// An agent's status figures: granted, used, remaining (nil if it has no account).
    public func balance(_ agent: NodeID) -> (granted: UInt64, used: UInt64, remaining: UInt64)? {
        guard let account = book.account(agent) else { return nil }
        let remaining = book.remaining(agent)
        return (account.granted, account.granted - remaining, remaining)
    }
}
