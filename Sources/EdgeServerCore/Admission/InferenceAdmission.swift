import FairwayCore
import FairwayWire

/// Admission of inference requests against the token leases the coordinator lent this edge
/// (I1): a request is served only by debiting a lease, and the debit commits before the reply.
/// When an agent leaves or the edge restarts, its leases settle and go back with their final use.
public struct InferenceAdmission: Sendable, Hashable {
    public enum Directive: Sendable, Hashable {
        /// Make these leases (upserts) and the retired lease ids durable.
        case persist([TokenLease], retired: Set<UInt64>)
    }

    /// The lease book.
    public private(set) var leases: EdgeLeases
    /// Retired lease ids already in a persist directive (a failed commit rolls this back with
    /// the rest of the instance).
    private var retiredPersisted: Set<UInt64> = []

    /// - Parameter restored: the book saved before a restart; every open lease in it is settled
    ///   at once (the edge forgot its agents, who may have moved on).
    public init(restored: EdgeLeases = EdgeLeases()) {
        leases = restored
        leases.settleAll()
    }

    /// The whole book and the newly retired ids, to persist (after a restart, or after settling).
    public mutating func persistAll() -> Directive {
        let retired = leases.retiredLeaseIDs.subtracting(retiredPersisted)
        retiredPersisted.formUnion(retired)
        return .persist(leases.leases, retired: retired)
    }

    public enum Outcome: Sendable, Hashable {
        /// Debited; `remaining` tokens are left; persist the debited leases before replying.
        case admitted(remaining: UInt64, Directive)
        case refused(reason: String)
    }

    /// Debits `cost` tokens of `agent`'s leases, or says why not.
    public mutating func admit(agent: NodeID, cost: UInt64) -> Outcome {
        switch leases.admit(agent: agent, cost: cost) {
        case .admitted(let ids, let remaining):
            return .admitted(remaining: remaining, .persist(ids.compactMap { leases.lease(id: $0) }, retired: []))
        case .refused(let reason, _):
            return .refused(reason: reason)
        }
    }

    /// Settles the open leases of agents not in `attached` (a grant that arrived after the
    /// agent left): their tokens go back rather than sit here unused.
    public mutating func settleOrphans(attached: (NodeID) -> Bool) -> [Directive] {
        let orphaned = Set(leases.leases.filter { !$0.settled && !attached($0.agent) }.map(\.agent))
        guard !orphaned.isEmpty else { return [] }
        for agent in orphaned { leases.settle(agent: agent) }
        return [persistAll()]
    }

    /// Leases the coordinator granted; those addressed elsewhere or malformed are refused (logged).
    public mutating func onGrants(_ granted: [TokenLease], edge: NodeID) -> (directives: [Directive], refusals: [String]) {
        var refusals: [String] = []
        for lease in granted {
            guard lease.edge == edge else {
                refusals.append("ignored lease \(lease.id) addressed to \(lease.edge)")
                continue
            }
            do { try leases.add(lease) } catch { refusals.append("refused lease \(lease.id): \(error)") }
        }
        return (granted.isEmpty ? [] : [persistAll()], refusals)
    }

    /// Cumulative usage to report: (report, whether it carries final settlements).
    public var pendingReport: (report: UsageReport, final: Bool)? {
        let pending = leases.pendingReports()
        guard !pending.isEmpty else { return nil }
        return (UsageReport(usages: pending.map { LeaseUsage(leaseID: $0.id, usedTotal: $0.used, final: $0.settled) }), pending.contains(where: \.settled))
    }

    /// The coordinator acknowledged usage.
    public mutating func onUsageAck(_ ack: UsageAck) -> [Directive] {
        for lease in ack.leases {
            // The coordinator settled a lease this edge still holds open (it wrote it off while
            // it thought this edge dead): freeze it and report the true final count.
            if lease.settled, let held = leases.lease(id: lease.id), !held.settled {
                leases.settle(agent: held.agent)
                continue
            }
            leases.markReported(lease)
        }
        leases.forgetSettled()
        return [persistAll()]
    }

    /// An agent's figures here: (granted in open leases, used, balance).
    public func figures(agent: NodeID) -> (granted: UInt64, used: UInt64, balance: UInt64) {
        let held = leases.leases.filter { $0.agent == agent && !$0.settled }
        return (held.reduce(0) { $0 + $1.tokens }, held.reduce(0) { $0 + $1.used }, leases.balance(agent: agent))
    }
}
