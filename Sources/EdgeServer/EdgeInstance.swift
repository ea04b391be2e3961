import FairwayCore
import FairwayRuntime
import FairwayWire

/// The edge server's protocol role as a pure value: its link to the coordinator, the agents
/// attached to it and the token leases it holds for them. No I/O, no clock.
///
/// Agents heartbeat to the edge; the edge's own heartbeat vouches for the agents it heard from
/// recently, so the coordinator sees one message per edge per interval, not one per agent.
///
/// Tokens (I1): the edge serves an inference only by debiting a lease the coordinator lent it
/// (`EdgeLeases`), and the shell makes every debit durable before it replies. When an agent
/// leaves (silent, so it failed over) or the edge restarts, its leases are settled: frozen, and
/// reported with their final usage so the coordinator can lend the unused tokens to the
/// agent's next edge. See `TokenAccounts` for why this never serves more than was granted.
public struct EdgeInstance: Sendable {
    public enum Directive: Sendable, Hashable {
        case joinCoordinator(JoinRequest)
        case heartbeatCoordinator(Heartbeat)
        case fetchGrants(GrantRequest)
        case reportUsage(UsageReport)
        /// Make these leases (and the retired lease ids) durable.
        case persistLeases([TokenLease], retired: Set<UInt64>)
        case log(String)
    }

    /// What to do with an agent's request.
    public enum AgentDecision: Sendable, Hashable {
        case reply(Payload)
        /// Relay this join to the coordinator, then call `onAgentJoinResult`.
        case relayJoin(JoinRequest)
        /// The reply, to be sent only once these debited leases are durable (the shell returns
        /// them as the request's writes, committed with its journal entry).
        case persistThenReply([TokenLease], Payload)
    }

    public struct AttachedAgent: Sendable, Hashable {
        public var lastSeen: Timestamp
        public var joinedAt: Timestamp
        public var bucketSize: UInt32
        public var name: String
    }

    public let settings: EdgeServerSettings
    /// This edge's id: the address of its key.
    public let id: NodeID
    /// This edge's public key (sent in its join).
    public let publicKey: [UInt8]
    /// The coordinator this edge trusts: `settings.coordinatorID`, or the first one that
    /// accepted its join (trust on first use, for the life of the process).
    public private(set) var coordinatorID: NodeID?
    public private(set) var registered = false
    public private(set) var agents: [NodeID: AttachedAgent] = [:]
    public private(set) var epoch: UInt64 = 0
    public private(set) var heartbeatIntervalMilliseconds: Int64
    public private(set) var lastCoordinatorContact: Timestamp = .zero
    /// Token leases held for agents.
    public private(set) var leases: EdgeLeases
    /// When the next grants land (from the coordinator); `.zero` = unknown.
    public private(set) var nextEpochAt: Timestamp = .zero
    /// Agents whose tokens to ask the coordinator for at the next opportunity.
    public private(set) var grantsWanted: Set<NodeID> = []
    private var coordinatorCallsInFlight = 0
    private var lastCoordinatorAttempt: Timestamp = .zero
    private var lastHeartbeatSent: Timestamp = .zero
    private var lastGrantFetch: Timestamp = .zero
    private var lastReport: Timestamp = .zero
    private var grantEpoch: UInt64 = 0

    /// - Parameter restoredLeases: the lease book saved before a restart; every open lease in it
    ///   is settled at once (the edge forgot its agents, who may have moved on).
    public init(settings: EdgeServerSettings, id: NodeID, publicKey: [UInt8] = [], restoredLeases: EdgeLeases = EdgeLeases()) {
        self.settings = settings
        self.id = id
        self.publicKey = publicKey
        self.coordinatorID = settings.coordinatorID
        self.heartbeatIntervalMilliseconds = settings.heartbeatIntervalMilliseconds
        self.leases = restoredLeases
        self.leases.settleAll()
    }

    private var agentExpiryMilliseconds: Int64 { heartbeatIntervalMilliseconds * Int64(settings.agentExpiryMisses) }

    /// Leases to persist right after start (the restored ones, now settled).
    public var leasesToPersist: Directive { .persistLeases(leases.leases, retired: leases.retiredLeaseIDs) }

    // MARK: agents

    public mutating func onAgentRequest(_ request: Envelope, now: Timestamp) -> AgentDecision {
        let sender = request.sender
        switch request.payload {
        case .join(var join):
            guard join.role == .edgeAgent else {
                return .reply(.error(FairwayError(.invalidField, "only agents join through an edge server; got \(join.role.rawValue)", field: "join.role", peer: sender.rawValue)))
            }
            guard join.nodeID == sender else {
                return .reply(.error(FairwayError(.invalidField, "agent \(join.nodeID) must join for itself, not via \(sender)", field: "join.node_id", peer: sender.rawValue)))
            }
            guard registered else {
                return .reply(.error(FairwayError(.unavailable, "edge \(id) is not yet registered with the coordinator", peer: sender.rawValue, retryAfterMilliseconds: heartbeatIntervalMilliseconds)))
            }
            join.via = id
            return .relayJoin(join)
        case .heartbeat(let hb):
            guard hb.nodeID == sender else {
                return .reply(.error(FairwayError(.invalidField, "heartbeat for \(hb.nodeID) sent by \(sender)", field: "heartbeat.node_id", peer: sender.rawValue)))
            }
            guard hb.agentIDs.isEmpty else {
                return .reply(.error(FairwayError(.invalidField, "agents cannot vouch for other agents", field: "heartbeat.agent_ids", peer: sender.rawValue)))
            }
            guard touch(sender, now: now) else { return .reply(.error(notJoined(sender))) }
            return .reply(.heartbeatAck(HeartbeatAck(epoch: epoch)))
        case .inferenceRequest(let inference):
            guard touch(sender, now: now) else { return .reply(.error(notJoined(sender))) }
            switch leases.admit(agent: sender, cost: inference.cost) {
            case .admitted(let ids, let remaining):
                let debited = ids.compactMap { leases.lease(id: $0) }
                return .persistThenReply(debited, .inferenceReply(InferenceReply(charged: inference.cost, remaining: remaining)))
            case .refused(let reason, _):
                grantsWanted.insert(sender)  // maybe tokens came back from another edge: ask again
                let wait = nextEpochAt == .zero ? heartbeatIntervalMilliseconds : max(50, nextEpochAt.milliseconds(since: now))
                return .reply(.error(FairwayError(.insufficientTokens, reason + "; the next grants land in about \(wait) ms",
                                                  field: "inference_request.cost", peer: sender.rawValue, retryAfterMilliseconds: wait)))
            }
        case .statusRequest:
            return .reply(.statusReply(status(now: now)))
        case .ping:
            return .reply(.pong(Pong(nodeID: id, role: .edgeServer, version: FairwayVersion.current, name: settings.name)))
        default:
            return .reply(.error(FairwayError(.unexpectedPayload, "the edge server's agent socket does not serve \(request.payload.kind)", field: "envelope.payload", peer: sender.rawValue)))
        }
    }

    /// Marks an attached agent as heard from; false if it is not attached.
    private mutating func touch(_ agent: NodeID, now: Timestamp) -> Bool {
        guard var a = agents[agent] else { return false }
        a.lastSeen = max(a.lastSeen, now)
        agents[agent] = a
        return true
    }

    private func notJoined(_ sender: NodeID) -> FairwayError {
        FairwayError(.unknownSender, "agent \(sender) has not joined through edge \(id); join first", field: "envelope.sender", peer: sender.rawValue)
    }

    /// Result of relaying an agent's join; returns the reply for the agent.
    public mutating func onAgentJoinResult(_ join: JoinRequest, result: Result<JoinAccepted, FairwayError>, now: Timestamp) -> Payload {
        switch result {
        case .success(let accepted):
            let joinedAt = agents[join.nodeID]?.joinedAt ?? now
            agents[join.nodeID] = AttachedAgent(lastSeen: now, joinedAt: joinedAt, bucketSize: join.bucketSize, name: join.name)
            grantsWanted.insert(join.nodeID)
            epoch = max(epoch, accepted.epoch)
            return .joinAccepted(JoinAccepted(coordinatorID: accepted.coordinatorID,
                                              heartbeatIntervalMilliseconds: heartbeatIntervalMilliseconds, epoch: epoch))
        case .failure(let error):
            if error.code == .unknownSender { registered = false }
            return .error(error)
        }
    }

    // MARK: coordinator link

    /// Periodic work: (re-)join or heartbeat the coordinator, fetch grants, report usage,
    /// expire silent agents (settling their leases).
    public mutating func onTick(now: Timestamp) -> [Directive] {
        var directives: [Directive] = []
        let expired = agents.filter { now.milliseconds(since: $0.value.lastSeen) >= agentExpiryMilliseconds }.map(\.key)
        for agent in expired.sorted() {
            agents[agent] = nil
            grantsWanted.remove(agent)
            directives.append(.log("agent \(agent) expired after \(agentExpiryMilliseconds) ms of silence"))  // its leases settle below
        }
        // Leases of agents no longer attached (a grant that arrived after the agent left):
        // settle them so their tokens go back rather than sit here unused.
        let orphaned = Set(leases.leases.filter { !$0.settled && agents[$0.agent] == nil }.map(\.agent))
        if !orphaned.isEmpty {
            for agent in orphaned { leases.settle(agent: agent) }
            directives.append(leasesToPersist)
        }
        guard coordinatorCallsInFlight == 0 else { return directives }
        if !registered {
            guard now.milliseconds(since: lastCoordinatorAttempt) >= min(heartbeatIntervalMilliseconds, 500) else { return directives }
            lastCoordinatorAttempt = now
            coordinatorCallsInFlight = 1
            directives.append(.joinCoordinator(JoinRequest(nodeID: id, role: .edgeServer, address: settings.effectiveAdvertiseURL,
                                                           version: FairwayVersion.current, name: settings.name, publicKey: publicKey)))
            return directives
        }
        var calls: [Directive] = []
        if now.milliseconds(since: lastHeartbeatSent) >= heartbeatIntervalMilliseconds {
            lastHeartbeatSent = now
            let recent = agents.filter { now.milliseconds(since: $0.value.lastSeen) < 2 * heartbeatIntervalMilliseconds }
            calls.append(.heartbeatCoordinator(Heartbeat(nodeID: id, agentIDs: recent.keys.sorted())))
        }
        let pending = leases.pendingReports()
        // Usage flows back once per heartbeat interval; final reports (tokens to release) at once.
        if !pending.isEmpty, pending.contains(where: \.settled) || now.milliseconds(since: lastReport) >= heartbeatIntervalMilliseconds {
            lastReport = now
            calls.append(.reportUsage(UsageReport(usages: pending.map { LeaseUsage(leaseID: $0.id, usedTotal: $0.used, final: $0.settled) })))
        }
        if epoch > grantEpoch {
            grantEpoch = epoch
            grantsWanted.formUnion(agents.keys)
        }
        let wanted = grantsWanted.filter { agents[$0] != nil }
        if !wanted.isEmpty, now.milliseconds(since: lastGrantFetch) >= min(200, heartbeatIntervalMilliseconds) {
            lastGrantFetch = now
            grantsWanted = []
            calls.append(.fetchGrants(GrantRequest(agentIDs: wanted.sorted())))
        }
        coordinatorCallsInFlight = calls.count
        return directives + calls
    }

    /// Outcome of a coordinator call issued by `onTick` (`request` is what was sent).
    public mutating func onCoordinatorResult(_ result: Result<Payload, FairwayError>, for request: Directive? = nil, now: Timestamp) -> [Directive] {
        coordinatorCallsInFlight = max(0, coordinatorCallsInFlight - 1)
        switch result {
        case .success(.joinAccepted(let accepted)):
            let wasRegistered = registered
            registered = true
            coordinatorID = coordinatorID ?? accepted.coordinatorID
            lastCoordinatorContact = now
            heartbeatIntervalMilliseconds = accepted.heartbeatIntervalMilliseconds
            epoch = max(epoch, accepted.epoch)
            return wasRegistered ? [] : [.log("registered with coordinator \(accepted.coordinatorID) (epoch \(accepted.epoch))")]
        case .success(.heartbeatAck(let ack)):
            lastCoordinatorContact = now
            epoch = max(epoch, ack.epoch)
            // The coordinator does not know these agents under this edge: make them re-join.
            for agent in ack.unknownAgentIDs { agents[agent] = nil }
            return ack.unknownAgentIDs.isEmpty ? [] : [.log("\(ack.unknownAgentIDs.count) agents must re-join")]
        case .success(.grantReply(let reply)):
            lastCoordinatorContact = now
            epoch = max(epoch, reply.epoch)
            nextEpochAt = reply.nextEpochAt
            var log: [Directive] = []
            for lease in reply.leases {
                guard lease.edge == id else {
                    log.append(.log("ignored lease \(lease.id) addressed to \(lease.edge)"))
                    continue
                }
                do { try leases.add(lease) } catch { log.append(.log("refused lease \(lease.id): \(error)")) }
            }
            return reply.leases.isEmpty ? log : [leasesToPersist] + log
        case .success(.usageAck(let ack)):
            lastCoordinatorContact = now
            for lease in ack.leases {
                // The coordinator settled a lease this edge still holds open (it wrote it off
                // while it thought this edge dead): freeze it and report the true final count.
                if lease.settled, let held = leases.lease(id: lease.id), !held.settled {
                    leases.settle(agent: held.agent)
                    continue
                }
                leases.markReported(lease)
            }
            leases.forgetSettled()
            return [leasesToPersist]
        case .success(let other):
            return [.log("unexpected coordinator reply \(other.kind)")]
        case .failure(let e) where e.code == .unknownSender:
            registered = false
            lastCoordinatorAttempt = .zero
            return [.log("coordinator does not know this edge; re-joining")]
        case .failure(let e):
            if case .fetchGrants(let g) = request { grantsWanted.formUnion(g.agentIDs) }
            return [.log("coordinator call failed: \(e)")]
        }
    }

    /// A publication from the coordinator (a hint; the REQ calls confirm it).
    /// Publications from anyone but the trusted coordinator are ignored (returns false).
    @discardableResult
    public mutating func onEpochAnnouncement(_ a: EpochAnnouncement, from sender: NodeID, now: Timestamp) -> Bool {
        guard sender == coordinatorID else { return false }
        epoch = max(epoch, a.epoch)
        if a.nextEpochAt != .zero { nextEpochAt = a.nextEpochAt }
        return true
    }

    /// The edge's own view: itself, its coordinator link and its agents (with their balance here).
    public func status(now: Timestamp) -> StatusReply {
        func state(_ silence: Int64) -> MemberState {
            silence >= agentExpiryMilliseconds ? .dead : silence >= 3 * heartbeatIntervalMilliseconds ? .suspect : .alive
        }
        var nodes = [NodeStatus(id: id, role: .edgeServer, address: settings.effectiveAdvertiseURL,
                                state: .alive, lastHeartbeat: now, version: FairwayVersion.current, name: settings.name)]
        for (agent, a) in agents.sorted(by: { $0.key < $1.key }) {
            var row = NodeStatus(id: agent, role: .edgeAgent, address: "", state: state(now.milliseconds(since: a.lastSeen)),
                                 lastHeartbeat: a.lastSeen, version: "", via: id, name: a.name)
            let held = leases.leases.filter { $0.agent == agent && !$0.settled }
            row.tokensGranted = held.reduce(0) { $0 + $1.tokens }
            row.tokensUsed = held.reduce(0) { $0 + $1.used }
            row.tokensRemaining = leases.balance(agent: agent)
            nodes.append(row)
        }
        return StatusReply(reporterID: id, reporterName: settings.name, reporterRole: .edgeServer, nodes: nodes, epoch: epoch)
    }
}
