import FairwayCore
import FairwayWire

/// The edge's link to its coordinator: registration (join, re-join when forgotten), the
/// heartbeat that vouches for attached agents, grant fetches and usage reports, as typed calls
/// matched to their results by call id. It knows the coordinator's epoch and when the next one
/// starts. It is told the agents and the pending report; it never reads the other concerns.
public struct CoordinatorLink: Sendable, Hashable {
    /// What a call's result means for the rest of the edge.
    public enum Event: Sendable, Hashable {
        case registered(JoinAccepted, first: Bool)
        /// A heartbeat was acknowledged: the agents the coordinator does not know under this
        /// edge (they must re-join), and the edge's current cloud share.
        case heartbeatAcknowledged(unknown: [NodeID], share: CloudShare?)
        case grants([TokenLease])
        case usageAcknowledged(UsageAck)
        case forgotten
        case failed(FairwayError)
        case unexpected(Payload.Kind)
        /// A result for no call in flight (late, or duplicated): ignored.
        case unmatched(UInt64)
        /// The result of a contract call, for `ContractWork`.
        case contract(Result<Payload, FairwayError>)
    }

    /// Grant fetches come at most this often (or every heartbeat, if shorter).
    public static let grantFetchSpacing: Duration = .milliseconds(200)
    /// Join attempts come at most this often while unregistered (or every heartbeat, if shorter).
    public static let joinRetrySpacing: Duration = .milliseconds(500)

    public let identity: NodeIdentity
    /// The coordinator this edge trusts: configured, or the first that accepted its join
    /// (trust on first use, for the life of the process).
    public private(set) var coordinatorID: NodeID?
    public private(set) var registered = false
    public private(set) var epoch: UInt64 = 0
    /// When the next grants land (from the coordinator); `.zero` = unknown.
    public private(set) var nextEpochAt: Timestamp = .zero
    public private(set) var heartbeatIntervalMilliseconds: Int64
    /// The heartbeat interval the coordinator set (or the configured one until it does).
    public var heartbeat: Duration { .milliseconds(heartbeatIntervalMilliseconds) }
    public private(set) var lastContact: Timestamp = .zero
    /// Agents whose tokens to ask for at the next opportunity.
    public private(set) var grantsWanted: Set<NodeID> = []
    public private(set) var inFlight: [UInt64: CoordinatorCall.Request] = [:]
    private var nextCallID: UInt64 = 1
    private var grantEpoch: UInt64 = 0
    private var joinDue: Timestamp = .zero
    private var heartbeatDue: Timestamp = .zero
    private var reportDue: Timestamp = .zero
    private var grantFetchDue: Timestamp = .zero

    public init(identity: NodeIdentity, coordinatorID: NodeID?, heartbeatIntervalMilliseconds: Int64) {
        self.identity = identity
        self.coordinatorID = coordinatorID
        self.heartbeatIntervalMilliseconds = heartbeatIntervalMilliseconds
    }

    /// Ask for `agents`' tokens at the next opportunity.
    public mutating func want(grantsFor agents: some Sequence<NodeID>) { grantsWanted.formUnion(agents) }
    public mutating func forget(agent: NodeID) { grantsWanted.remove(agent) }

    /// The calls due at `now`. No new call goes out while one is in flight.
    /// - Parameters:
    ///   - attached: agents attached now; `recent`: those heard from lately (vouched for).
    ///   - report: usage to report, and whether it settles leases (sent at once if so).
    ///   - resources: what the edge reports for the cloud allocation, in its heartbeat.
    public mutating func onTick(now: Timestamp, attached: Set<NodeID>, recent: [NodeID], report: (UsageReport, final: Bool)?,
                                resources: EdgeResources? = nil) -> [CoordinatorCall] {
        guard !linkCallInFlight else { return [] }
        if !registered {
            guard now >= joinDue else { return [] }
            joinDue = now.adding(min(heartbeat, Self.joinRetrySpacing))
            return [call(.join(JoinRequest(nodeID: identity.id, role: .edgeServer, address: identity.address,
                                           version: FairwayVersion.current, name: identity.name, publicKey: identity.publicKey)))]
        }
        var calls: [CoordinatorCall] = []
        if now >= heartbeatDue {
            heartbeatDue = now.adding(heartbeat)
            calls.append(call(.heartbeat(Heartbeat(nodeID: identity.id, agentIDs: recent, resources: resources))))
        }
        // Usage flows back once per heartbeat interval; final reports (tokens to release) at once.
        if let (usage, final) = report, final || now >= reportDue {
            reportDue = now.adding(heartbeat)
            calls.append(call(.reportUsage(usage)))
        }
        if epoch > grantEpoch {
            grantEpoch = epoch
            grantsWanted.formUnion(attached)
        }
        // Agents that left meanwhile are not wanted any more (a wish kept for them would make
        // `nextWake` due while no fetch goes out: a spin).
        grantsWanted.formIntersection(attached)
        let wanted = grantsWanted
        if !wanted.isEmpty, now >= grantFetchDue {
            grantFetchDue = now.adding(min(Self.grantFetchSpacing, heartbeat))
            grantsWanted = []
            calls.append(call(.fetchGrants(GrantRequest(agentIDs: wanted.sorted()))))
        }
        return calls
    }

    /// When the link next has a call to make (nil while calls are in flight: their results wake it).
    public func nextWake(hasReport: Bool, wantsGrants: Bool) -> Timestamp? {
        guard !linkCallInFlight else { return nil }
        if !registered { return joinDue }
        var next = heartbeatDue
        if hasReport { next = min(next, reportDue) }
        if wantsGrants { next = min(next, grantFetchDue) }
        return next
    }

    /// Whether one of the link's own calls (not a contract call) is in flight.
    private var linkCallInFlight: Bool { inFlight.values.contains { !$0.isContract } }

    /// A contract call, matched like the link's own; its result comes back as `.contract`.
    public mutating func contractCall(_ request: ContractWork.Request) -> CoordinatorCall { call(.contract(request)) }

    private mutating func call(_ request: CoordinatorCall.Request) -> CoordinatorCall {
        let id = nextCallID
        nextCallID += 1
        inFlight[id] = request
        return CoordinatorCall(id: id, request: request)
    }

    /// The result of call `id`.
    public mutating func onResult(_ id: UInt64, _ result: Result<Payload, FairwayError>, now: Timestamp) -> Event {
        guard let request = inFlight.removeValue(forKey: id) else { return .unmatched(id) }
        if request.isContract {
            if case .failure(let e) = result, e.code == .unknownSender { onForgotten() }
            return .contract(result)
        }
        switch result {
        case .success(.joinAccepted(let accepted)):
            let first = !registered
            registered = true
            coordinatorID = coordinatorID ?? accepted.coordinatorID
            lastContact = now
            heartbeatIntervalMilliseconds = accepted.heartbeatIntervalMilliseconds
            epoch = max(epoch, accepted.epoch)
            return .registered(accepted, first: first)
        case .success(.heartbeatAck(let ack)):
            lastContact = now
            epoch = max(epoch, ack.epoch)
            return .heartbeatAcknowledged(unknown: ack.unknownAgentIDs, share: ack.cloudShare)
        case .success(.grantReply(let reply)):
            lastContact = now
            epoch = max(epoch, reply.epoch)
            nextEpochAt = reply.nextEpochAt
            return .grants(reply.leases)
        case .success(.usageAck(let ack)):
            lastContact = now
            return .usageAcknowledged(ack)
        case .success(let other):
            return .unexpected(other.kind)
        case .failure(let e) where e.code == .unknownSender:
            onForgotten()
            return .forgotten
        case .failure(let e):
            if case .fetchGrants(let g) = request { grantsWanted.formUnion(g.agentIDs) }
            return .failed(e)
        }
    }

    /// The coordinator no longer knows this edge: re-join at once.
    public mutating func onForgotten() {
        registered = false
        joinDue = .zero
    }

    /// A publication from the coordinator (a hint; the calls confirm it). Publications from
    /// anyone but the trusted coordinator are ignored (returns false).
    public mutating func onEpochAnnouncement(_ a: EpochAnnouncement, from sender: NodeID) -> Bool {
        guard sender == coordinatorID else { return false }
        epoch = max(epoch, a.epoch)
        if a.nextEpochAt != .zero { nextEpochAt = a.nextEpochAt }
        return true
    }
}
