/// Whole tokens of one agent lent to one edge server, as the coordinator records it.
///
/// The edge debits `used` as it admits the agent's requests and reports the cumulative count
/// back; a `settled` lease is closed: its unused tokens (`tokens − used`) return to the agent's
/// account and can be leased again. Invariant: `used ≤ tokens`. Units: tokens; `epoch` is the
/// coordinator epoch in which the lease was made.
public struct TokenLease: Sendable, Hashable, Codable {
    /// Unique per coordinator, increasing (1, 2, 3, …).
    public var id: UInt64
    /// The agent whose tokens these are.
    public var agent: NodeID
    /// The edge server holding the lease: the only node allowed to debit it or report on it.
    public var edge: NodeID
    /// The coordinator epoch in which the lease was made.
    public var epoch: UInt64
    /// Tokens lent.
    public var tokens: UInt64
    /// Tokens spent so far (cumulative, as last reported), at most `tokens`.
    public var used: UInt64
    /// Closed: `used` is final and the rest went back to the coordinator.
    public var settled: Bool
    /// Settled by the coordinator, not the edge: its edge was declared dead, so the lease counts
    /// as fully spent (`used = tokens`) until the edge, if it returns, reports its true final use.
    public var writtenOff: Bool = false

    public init(id: UInt64, agent: NodeID, edge: NodeID, epoch: UInt64, tokens: UInt64, used: UInt64 = 0, settled: Bool = false) {
        self.id = id
        self.agent = agent
        self.edge = edge
        self.epoch = epoch
        self.tokens = tokens
        self.used = used
        self.settled = settled
    }

    /// `tokens − used`: what the holding edge may still debit while the lease is open.
    public var unused: UInt64 { tokens - min(tokens, used) }
}

/// One agent's account at the coordinator. Units: tokens.
public struct TokenAccount: Sendable, Hashable, Codable {
    public var agent: NodeID
    /// B_n: the most tokens the agent's bucket may hold (its subscription tier).
    public var bucketSize: UInt64
    /// Every token ever granted to the agent (cumulative over all epochs).
    public var granted: UInt64
    /// Tokens used in settled leases that were compacted away (`TokenAccounts.compact`).
    public var settledUsed: UInt64

    public init(agent: NodeID, bucketSize: UInt64, granted: UInt64 = 0, settledUsed: UInt64 = 0) {
        self.agent = agent
        self.bucketSize = bucketSize
        self.granted = granted
        self.settledUsed = settledUsed
    }
}

/// The coordinator's book of token accounts and leases: the authority on every agent's tokens.
///
/// Pure (no clock, no I/O): the shell applies each epoch's whole-token grants
/// (`WholeTokenGrants.round`), leases tokens to the edge an agent is attached to, feeds in the
/// edges' usage reports, and persists `accounts`, `leases` and `nextLeaseID` (all `Codable`)
/// after every change. A refused operation (a throw) changes nothing.
///
/// For agent n, with units in tokens:
/// - `remaining` R_n = granted − Σ used over all its leases: what is in its bucket, wherever leased;
/// - `available` = granted − Σ used over settled leases − Σ tokens over open leases: what may
///   still be leased out. An open lease counts as fully spent until it is settled.
/// - `room` = B_n − min(B_n, R_n): what the next grant may add.
///
/// Invariants, for every agent, after every operation: Σ used(settled) + Σ tokens(open) ≤ granted
/// (so `available ≥ 0` and `available ≤ remaining ≤ granted`); a grant never raises `remaining`
/// above `bucketSize`; every lease has `used ≤ tokens` and an id below `nextLeaseID`.
///
/// Why an agent is never served more than it was granted (invariant I1), across edge failover:
/// - every token the coordinator lends sits in at most one open lease, and each lease is held
///   by exactly one edge; `lease` only lends what is `available`, i.e. not in any open lease and
///   not spent in a settled one;
/// - an edge can only debit its own leases (a report from any other edge is refused), only up to
///   `tokens`, and `used` only grows;
/// - an edge that dies (even killed -9) leaves its open leases counted as fully spent for
///   `available`, however little it debited, until that edge settles them. When it restarts it
///   settles all its open leases with their durable `used` counts (the edge writes `used` to disk
///   before serving a request); only then do the unused tokens return to `available`, to be leased
///   to the agent's new edge. A settled lease never changes again.
///
/// So Σ served ≤ Σ used(settled) + Σ tokens(open) ≤ granted at every moment, whatever the order of
/// failures: over-serving is impossible, and an edge that never returns only causes under-serving
/// (its leases' unused tokens stay locked).
public struct TokenAccounts: Sendable, Hashable {
    private var accountByAgent: [NodeID: TokenAccount]
    private var leaseByID: [UInt64: TokenLease]
    /// Lease ids per agent, ascending; agents without leases have no entry.
    private var leaseIDsByAgent: [NodeID: [UInt64]]
    /// Ids of the unsettled leases.
    private var openIDs: Set<UInt64>
    /// The id the next lease gets.
    public private(set) var nextLeaseID: UInt64

    /// No accounts and no leases; the first lease gets id 1.
    public init() {
        accountByAgent = [:]
        leaseByID = [:]
        leaseIDsByAgent = [:]
        openIDs = []
        nextLeaseID = 1
    }

    /// Restores a book from storage (`accounts`, `leases`, `nextLeaseID` as saved).
    ///
    /// - Throws: `FairwayError(.invalidField)` if the saved state breaks an invariant: a duplicate
    ///   agent (field `accounts`), a duplicate lease id, a lease of an agent without account or
    ///   with `used > tokens` (field `leases`), a lease id not below `nextLeaseID` (field
    ///   `next_lease_id`), or an agent whose leases hold more than it was granted (field `leases`).
    public init(accounts: [TokenAccount] = [], leases: [TokenLease] = [], nextLeaseID: UInt64 = 1) throws {
        self.init()
        for account in accounts {
            guard accountByAgent[account.agent] == nil else {
                throw FairwayError(.invalidField, "agent \(account.agent) has two accounts", field: "accounts")
            }
            accountByAgent[account.agent] = account
        }
        for lease in leases.sorted(by: { $0.id < $1.id }) {
            guard leaseByID[lease.id] == nil else {
                throw FairwayError(.invalidField, "lease id \(lease.id) appears twice", field: "leases")
            }
            guard accountByAgent[lease.agent] != nil else {
                throw FairwayError(.invalidField, "lease \(lease.id) belongs to agent \(lease.agent), which has no account", field: "leases")
            }
            guard lease.used <= lease.tokens else {
                throw FairwayError(.invalidField, "lease \(lease.id) used \(lease.used) of only \(lease.tokens) tokens", field: "leases")
            }
            guard lease.id < nextLeaseID else {
                throw FairwayError(.invalidField, "lease id \(lease.id) is not below the next lease id \(nextLeaseID)", field: "next_lease_id")
            }
            leaseByID[lease.id] = lease
            leaseIDsByAgent[lease.agent, default: []].append(lease.id)
            if !lease.settled { openIDs.insert(lease.id) }
        }
        for account in accounts {
            guard let committed = committed(account.agent), committed <= account.granted else {
                throw FairwayError(.invalidField, "the leases of agent \(account.agent) hold more tokens than the \(account.granted) it was granted", field: "leases")
            }
        }
        self.nextLeaseID = nextLeaseID
    }

    /// Every account, ordered by agent (for persistence).
    public var accounts: [TokenAccount] { accountByAgent.values.sorted { $0.agent < $1.agent } }

    /// Every lease, open and settled, ordered by id (for persistence).
    public var leases: [TokenLease] { leaseByID.values.sorted { $0.id < $1.id } }

    /// The account of `agent`, if it is registered.
    public func account(_ agent: NodeID) -> TokenAccount? { accountByAgent[agent] }

    /// The lease with id `id`, if any.
    public func lease(id: UInt64) -> TokenLease? { leaseByID[id] }

    /// Opens an account for `agent` with an empty bucket, or changes its bucket size (a new
    /// subscription tier). Shrinking the bucket below `remaining` takes nothing away; it only
    /// leaves no room for grants until the agent has spent down to the new size.
    public mutating func register(agent: NodeID, bucketSize: UInt64) {
        if var account = accountByAgent[agent] {
            account.bucketSize = bucketSize
            accountByAgent[agent] = account
        } else {
            accountByAgent[agent] = TokenAccount(agent: agent, bucketSize: bucketSize)
        }
    }

    /// R_n = granted − Σ used over all of the agent's leases (compacted ones included), in
    /// tokens; 0 for an unknown agent.
    public func remaining(_ agent: NodeID) -> UInt64 {
        guard let account = accountByAgent[agent] else { return 0 }
        var used = account.settledUsed
        for lease in agentLeases(agent) { used += lease.used }  // ≤ committed ≤ granted: no overflow
        return account.granted - used
    }

    /// Folds settled leases made before `epoch` into their accounts' `settledUsed` and drops
    /// them, so the book holds open leases and recent history only (its size no longer grows
    /// with the number of epochs). `remaining`, `available` and `room` are unchanged.
    ///
    /// - Returns: the accounts that changed and the ids of the dropped leases (to persist).
    public mutating func compact(settledBefore epoch: UInt64) -> (accounts: [TokenAccount], removed: [UInt64]) {
        var removed: [UInt64] = []
        var touched: Set<NodeID> = []
        // Written-off leases stay: their edge may return with the true final count.
        for (id, lease) in leaseByID where lease.settled && !lease.writtenOff && lease.epoch < epoch {
            accountByAgent[lease.agent]?.settledUsed += lease.used
            leaseByID[id] = nil
            removed.append(id)
            touched.insert(lease.agent)
        }
        for agent in touched {
            leaseIDsByAgent[agent] = leaseIDsByAgent[agent]?.filter { leaseByID[$0] != nil }
            if leaseIDsByAgent[agent]?.isEmpty == true { leaseIDsByAgent[agent] = nil }
        }
        return (touched.sorted().compactMap { accountByAgent[$0] }, removed.sorted())
    }

    /// granted − Σ used(settled leases) − Σ tokens(open leases), in tokens: what `lease` may still
    /// lend out. 0 for an unknown agent. Never negative, and at most `remaining(agent)`.
    public func available(_ agent: NodeID) -> UInt64 {
        guard let account = accountByAgent[agent], let committed = committed(agent) else { return 0 }
        return account.granted - committed  // committed ≤ granted is an invariant
    }

    /// B_n − min(B_n, R_n), in tokens: the most the next grant may add; 0 for an unknown agent.
    public func room(_ agent: NodeID) -> UInt64 {
        guard let account = accountByAgent[agent] else { return 0 }
        return account.bucketSize - min(account.bucketSize, remaining(agent))
    }

    /// Adds one epoch's whole-token grants (agent → tokens) to the agents' accounts, all or nothing.
    ///
    /// `epoch` only labels errors: the caller applies each epoch's grants once (grants computed
    /// with `WholeTokenGrants.round` keep Σ ≤ V for the epoch).
    ///
    /// - Throws: `FairwayError(.invalidField)`, changing nothing, if an agent has no account
    ///   (field `grants.agent`) or a grant exceeds that agent's `room` (field `grants.tokens`).
    public mutating func applyGrants(epoch: UInt64, _ grants: [NodeID: UInt64]) throws {
        let ordered = grants.sorted { $0.key < $1.key }  // deterministic: the same input names the same culprit
        for (agent, tokens) in ordered {
            guard accountByAgent[agent] != nil else {
                throw FairwayError(.invalidField, "epoch \(epoch): agent \(agent) has no token account", field: "grants.agent")
            }
            let room = room(agent)
            guard tokens <= room else {
                throw FairwayError(.invalidField, "epoch \(epoch): grant of \(tokens) tokens to agent \(agent) exceeds its room of \(room)", field: "grants.tokens")
            }
            // remaining + tokens ≤ bucketSize, and granted = remaining + Σ used; still check for overflow.
            guard !accountByAgent[agent]!.granted.addingReportingOverflow(tokens).overflow else {
                throw FairwayError(.invalidField, "epoch \(epoch): agent \(agent)'s cumulative grant would overflow", field: "grants.tokens")
            }
        }
        for (agent, tokens) in ordered { accountByAgent[agent]!.granted += tokens }
    }

    /// Lends all of the agent's `available` tokens to `edge` as a new open lease.
    ///
    /// - Returns: the new lease (to send to `edge` and persist), or nil, changing nothing, if the
    ///   agent is unknown, has no available tokens, or lease ids are exhausted.
    public mutating func lease(agent: NodeID, to edge: NodeID, epoch: UInt64) -> TokenLease? {
        let tokens = available(agent)
        guard tokens > 0, nextLeaseID < .max else { return nil }
        let lease = TokenLease(id: nextLeaseID, agent: agent, edge: edge, epoch: epoch, tokens: tokens)
        nextLeaseID += 1
        leaseByID[lease.id] = lease
        leaseIDsByAgent[agent, default: []].append(lease.id)
        openIDs.insert(lease.id)
        return lease
    }

    /// The agent's unsettled leases, at any edge, ordered by id.
    public func openLeases(agent: NodeID) -> [TokenLease] {
        agentLeases(agent).filter { !$0.settled }
    }

    /// The unsettled leases held by `edge`, ordered by id (what that edge must still settle, or
    /// what to send it again if a lease message was lost).
    public func openLeases(edge: NodeID) -> [TokenLease] {
        openIDs.compactMap { leaseByID[$0] }.filter { $0.edge == edge }.sorted { $0.id < $1.id }
    }

    /// Records an edge's cumulative usage report for one lease; `final` settles the lease.
    ///
    /// Idempotent: a report of the state already recorded changes nothing, and an exact repeat of
    /// a settled lease's final report (same `usedTotal`, `final`) returns the lease unchanged.
    ///
    /// - Returns: the lease as now recorded (the acknowledgment to send back).
    /// - Throws: `FairwayError(.invalidField)`, changing nothing, for an unknown lease (field
    ///   `usage.lease_id`), a report from an edge that does not hold the lease (field
    ///   `usage.edge`), any change to a settled lease (field `usage.lease_id`), or `usedTotal`
    ///   above the lease's tokens or below the usage already recorded (field `usage.used`).
    @discardableResult
    /// - Parameter creditUnusedTwice: `TestBreak.settleLeaseTwice` only: a settlement credits the
    ///   unused tokens back twice (records `used − unused`), which breaks I1. Never set otherwise.
    public mutating func reportUsage(leaseID: UInt64, edge: NodeID, usedTotal: UInt64, final: Bool, creditUnusedTwice: Bool = false) throws -> TokenLease {
        guard var lease = leaseByID[leaseID] else {
            // Ids below nextLeaseID were all issued; one missing from the book was settled and
            // compacted. A repeated final report (its acknowledgment was lost) is acknowledged
            // again, changing nothing; anything else is refused.
            if leaseID > 0, leaseID < nextLeaseID, final {
                return TokenLease(id: leaseID, agent: edge, edge: edge, epoch: 0, tokens: usedTotal, used: usedTotal, settled: true)
            }
            throw FairwayError(.invalidField, leaseID > 0 && leaseID < nextLeaseID ? "lease \(leaseID) was settled and compacted; it cannot change"
                               : "no lease with id \(leaseID)", field: "usage.lease_id", peer: edge.rawValue)
        }
        guard lease.edge == edge else {
            throw FairwayError(.invalidField, "lease \(leaseID) is held by \(lease.edge), not by \(edge)", field: "usage.edge", peer: edge.rawValue)
        }
        if lease.settled && lease.writtenOff {
            // The holder is back. Its final report is the truth (only it could debit the
            // lease, and it debits no more once final): the unused tokens return to the agent.
            // A non-final report is answered with the settled lease, telling the edge to settle.
            guard final else { return lease }
            guard usedTotal <= lease.tokens else {
                throw FairwayError(.invalidField, "lease \(leaseID) holds \(lease.tokens) tokens, cannot have used \(usedTotal)", field: "usage.used", peer: edge.rawValue)
            }
            lease.used = usedTotal
            lease.writtenOff = false
            leaseByID[leaseID] = lease
            return lease
        }
        if lease.settled {
            if final, usedTotal == lease.used { return lease }
            throw FairwayError(.invalidField, "lease \(leaseID) was settled with \(lease.used) tokens used; it cannot change", field: "usage.lease_id", peer: edge.rawValue)
        }
        guard usedTotal <= lease.tokens else {
            throw FairwayError(.invalidField, "lease \(leaseID) holds \(lease.tokens) tokens, cannot have used \(usedTotal)", field: "usage.used", peer: edge.rawValue)
        }
        guard usedTotal >= lease.used else {
            throw FairwayError(.invalidField, "lease \(leaseID) already used \(lease.used) tokens; usage cannot go back to \(usedTotal)", field: "usage.used", peer: edge.rawValue)
        }
        lease.used = usedTotal
        lease.settled = final
        if final, creditUnusedTwice { lease.used = usedTotal - min(usedTotal, lease.tokens - usedTotal) }
        leaseByID[leaseID] = lease
        if final { openIDs.remove(leaseID) }
        return lease
    }

    /// Settles every open lease of `edge`, which the failure detector declared dead, as fully
    /// spent (`used = tokens`, `writtenOff`). That can only under-count what its agents have
    /// left, never over-serve them (I1 holds even if the edge is merely partitioned and still
    /// serving), and it lets their buckets refill at their new edge instead of staying full of
    /// tokens locked at a dead one. If the edge returns, its final reports restore the truth.
    ///
    /// - Returns: the leases written off (to persist).
    public mutating func writeOff(edge: NodeID) -> [TokenLease] {
        var changed: [TokenLease] = []
        for id in openIDs.sorted() where leaseByID[id]?.edge == edge {
            var lease = leaseByID[id]!
            lease.used = lease.tokens
            lease.settled = true
            lease.writtenOff = true
            leaseByID[id] = lease
            openIDs.remove(id)
            changed.append(lease)
        }
        return changed
    }

    /// The agent's leases, ordered by id.
    private func agentLeases(_ agent: NodeID) -> [TokenLease] {
        (leaseIDsByAgent[agent] ?? []).compactMap { leaseByID[$0] }
    }

    /// Σ used(settled) + Σ tokens(open) for the agent: tokens out of `available`'s reach; nil on
    /// overflow (only possible in unchecked restored state).
    private func committed(_ agent: NodeID) -> UInt64? {
        var total: UInt64 = accountByAgent[agent]?.settledUsed ?? 0
        for lease in agentLeases(agent) {
            let (sum, overflow) = total.addingReportingOverflow(lease.settled ? lease.used : lease.tokens)
            if overflow { return nil }
            total = sum
        }
        return total
    }
}
