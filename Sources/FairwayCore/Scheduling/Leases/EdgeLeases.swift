/// An edge server's book of the token leases it holds, per agent: admission debits them, usage
/// reports flow back to the coordinator from them.
///
/// Pure (no clock, no I/O). The shell must make `leases` (and `retiredLeaseIDs`) durable after
/// every change **before** acting on it, in particular before serving an admitted request: after
/// a crash (even kill -9) it restores the book with `init(leases:retiredLeaseIDs:)`, calls
/// `settleAll()` and reports `pendingReports()`, so the coordinator learns every token it served.
/// A refused operation changes nothing.
///
/// A lease's `used` here is the edge's own debit count, ahead of or equal to the coordinator's;
/// its `settled` flag means "frozen for a final report": a settled lease is never debited again.
/// Invariants: every lease has `used ≤ tokens`; `used` only grows; `settled` is never cleared.
///
/// Reports are cumulative and idempotent at the coordinator, so sending one twice is harmless; a
/// report the coordinator acknowledges is recorded with `markReported`, after which the lease is
/// no longer pending until it is debited or settled again.
public struct EdgeLeases: Sendable, Hashable {
    /// The outcome of an admission request.
    public enum Admission: Sendable, Hashable {
        /// Debited: the leases the cost was taken from (oldest first) and the agent's balance after.
        case admitted(leaseIDs: [UInt64], remaining: UInt64)
        /// Not debited: why, and the agent's balance at this edge (unchanged).
        case refused(reason: String, balance: UInt64)
    }

    /// A held lease and the last state of it the coordinator acknowledged.
    private struct Entry: Sendable, Hashable {
        var lease: TokenLease
        /// (used, settled) as last acknowledged; nil = unknown (restored from storage).
        var acknowledged: Acknowledged?

        var isPending: Bool { acknowledged != Acknowledged(lease) }
    }

    private struct Acknowledged: Sendable, Hashable {
        var used: UInt64
        var settled: Bool
        init(_ lease: TokenLease) {
            used = lease.used
            settled = lease.settled
        }
    }

    /// Leases per agent, ordered by id; agents without leases have no entry.
    private var entriesByAgent: [NodeID: [Entry]]
    /// The agent of every held lease, by lease id.
    private var agentByLeaseID: [UInt64: NodeID]
    /// Ids of leases settled, acknowledged and forgotten: `add` refuses them, so a late or
    /// repeated lease message can never reopen tokens the coordinator has taken back.
    public private(set) var retiredLeaseIDs: Set<UInt64>

    /// A book holding `leases` (as saved by `leases`), none of them known to be reported yet, and
    /// refusing the ids in `retiredLeaseIDs` (as saved by `retiredLeaseIDs`).
    ///
    /// Restored leases count as unreported, so `pendingReports()` lists them all; repeating a
    /// report the coordinator already has is harmless. If `leases` repeats an id, the entry with
    /// the larger `used` (then the settled one) is kept; a lease with `used > tokens` is kept with
    /// `used = tokens` (all spent), and a retired id is dropped: every repair only lowers what can
    /// be debited.
    public init(leases: [TokenLease] = [], retiredLeaseIDs: Set<UInt64> = []) {
        entriesByAgent = [:]
        agentByLeaseID = [:]
        self.retiredLeaseIDs = retiredLeaseIDs
        var byID: [UInt64: TokenLease] = [:]
        for var lease in leases where !retiredLeaseIDs.contains(lease.id) {
            lease.used = min(lease.used, lease.tokens)
            if let other = byID[lease.id] {
                lease.used = max(lease.used, other.used)
                lease.settled = lease.settled || other.settled
                lease.tokens = min(lease.tokens, other.tokens)
                lease.used = min(lease.used, lease.tokens)
            }
            byID[lease.id] = lease
        }
        for lease in byID.values.sorted(by: { $0.id < $1.id }) {
            entriesByAgent[lease.agent, default: []].append(Entry(lease: lease, acknowledged: nil))
            agentByLeaseID[lease.id] = lease.agent
        }
    }

    /// Every held lease, ordered by id (for persistence). `settled` marks a lease frozen for its
    /// final report.
    public var leases: [TokenLease] {
        entriesByAgent.values.flatMap { $0.map(\.lease) }.sorted { $0.id < $1.id }
    }

    /// The held lease with id `id`, if any.
    public func lease(id: UInt64) -> TokenLease? {
        guard let agent = agentByLeaseID[id] else { return nil }
        return entriesByAgent[agent]?.first { $0.lease.id == id }?.lease
    }

    /// Takes a lease from the coordinator.
    ///
    /// Idempotent: a lease already held with the same id, agent, edge, epoch and tokens changes
    /// nothing, except that a larger `used` or a `settled` flag in the message is adopted (both
    /// only lower what can be debited). The message's `used` and `settled` count as acknowledged
    /// for a new lease, since they are the coordinator's own record.
    ///
    /// - Throws: `FairwayError(.invalidField)`, changing nothing, for `used > tokens` (field
    ///   `lease.used`), an id held with different content, or an id already settled and forgotten
    ///   here (field `lease.id`).
    public mutating func add(_ lease: TokenLease) throws {
        guard lease.used <= lease.tokens else {
            throw FairwayError(.invalidField, "lease \(lease.id) used \(lease.used) of only \(lease.tokens) tokens", field: "lease.used")
        }
        guard !retiredLeaseIDs.contains(lease.id) else {
            throw FairwayError(.invalidField, "lease \(lease.id) was already settled and forgotten at this edge", field: "lease.id")
        }
        if let agent = agentByLeaseID[lease.id] {
            let index = entriesByAgent[agent]!.firstIndex { $0.lease.id == lease.id }!
            var held = entriesByAgent[agent]![index].lease
            guard held.agent == lease.agent, held.edge == lease.edge, held.epoch == lease.epoch, held.tokens == lease.tokens else {
                throw FairwayError(.invalidField, "lease \(lease.id) is already held with different content", field: "lease.id")
            }
            held.used = max(held.used, lease.used)
            held.settled = held.settled || lease.settled
            entriesByAgent[agent]![index].lease = held
            return
        }
        var entries = entriesByAgent[lease.agent] ?? []
        let position = entries.firstIndex { $0.lease.id > lease.id } ?? entries.endIndex
        entries.insert(Entry(lease: lease, acknowledged: Acknowledged(lease)), at: position)
        entriesByAgent[lease.agent] = entries
        agentByLeaseID[lease.id] = lease.agent
    }

    /// Σ (tokens − used) over the agent's unsettled leases at this edge, in tokens.
    public func balance(agent: NodeID) -> UInt64 {
        var total: UInt64 = 0
        for entry in entriesByAgent[agent] ?? [] where !entry.lease.settled {
            let (sum, overflow) = total.addingReportingOverflow(entry.lease.unused)
            total = overflow ? .max : sum
        }
        return total
    }

    /// Debits `cost` tokens from the agent's unsettled leases, oldest (lowest id) first, possibly
    /// across several leases; or refuses whole, changing nothing.
    ///
    /// - Returns: `.admitted` with the leases debited and the balance left, or `.refused` if `cost`
    ///   is 0 or the agent holds fewer than `cost` tokens at this edge.
    public mutating func admit(agent: NodeID, cost: UInt64) -> Admission {
        let balance = balance(agent: agent)
        guard cost > 0 else { return .refused(reason: "cost must be at least 1 token", balance: balance) }
        guard balance >= cost else {
            return .refused(reason: "agent \(agent) needs \(cost) token\(cost == 1 ? "" : "s") but holds \(balance) at this edge", balance: balance)
        }
        var entries = entriesByAgent[agent]!  // balance ≥ cost > 0: the agent holds leases
        var left = cost
        var debited: [UInt64] = []
        for i in entries.indices where left > 0 && !entries[i].lease.settled {
            let take = min(left, entries[i].lease.unused)
            guard take > 0 else { continue }
            entries[i].lease.used += take
            left -= take
            debited.append(entries[i].lease.id)
        }
        entriesByAgent[agent] = entries
        return .admitted(leaseIDs: debited, remaining: balance - cost)
    }

    /// The leases whose state the coordinator has not acknowledged yet, ordered by id: debited
    /// since the last acknowledged report, marked to settle, or restored from storage. Report each
    /// as (id, used, final: settled).
    public func pendingReports() -> [TokenLease] {
        entriesByAgent.values.flatMap { $0.filter(\.isPending).map(\.lease) }.sorted { $0.id < $1.id }
    }

    /// Records that the coordinator acknowledged `lease`'s exact (id, used, settled) state (the
    /// lease `TokenAccounts.reportUsage` returned). Ignored for a lease not held here, or for a
    /// state this edge has not reached (more used, or settled while still open here), which cannot
    /// be the acknowledgment of a report it sent.
    public mutating func markReported(_ lease: TokenLease) {
        guard let agent = agentByLeaseID[lease.id],
              let index = entriesByAgent[agent]?.firstIndex(where: { $0.lease.id == lease.id }) else { return }
        let held = entriesByAgent[agent]![index].lease
        guard lease.used <= held.used, !lease.settled || held.settled else { return }
        if let old = entriesByAgent[agent]![index].acknowledged, old.used > lease.used || (old.settled && !lease.settled) {
            return  // an older acknowledgment arriving late
        }
        entriesByAgent[agent]![index].acknowledged = Acknowledged(lease)
    }

    /// Freezes all of the agent's open leases at this edge for a final report (the agent moved
    /// away, or the edge is shutting down): their `used` is final and `admit` no longer debits them.
    public mutating func settle(agent: NodeID) {
        guard var entries = entriesByAgent[agent] else { return }
        for i in entries.indices { entries[i].lease.settled = true }
        entriesByAgent[agent] = entries
    }

    /// `settle(agent:)` for every agent: what an edge does first after a restart.
    public mutating func settleAll() {
        for agent in entriesByAgent.keys { settle(agent: agent) }
    }

    /// Drops the leases whose final report the coordinator acknowledged, retiring their ids.
    public mutating func forgetSettled() {
        for (agent, entries) in entriesByAgent {
            let done = entries.filter { $0.lease.settled && !$0.isPending }
            guard !done.isEmpty else { continue }
            for entry in done {
                agentByLeaseID[entry.lease.id] = nil
                retiredLeaseIDs.insert(entry.lease.id)
            }
            let kept = entries.filter { !($0.lease.settled && !$0.isPending) }
            entriesByAgent[agent] = kept.isEmpty ? nil : kept
        }
    }
}
