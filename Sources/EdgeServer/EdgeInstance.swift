import FairwayCore
import FairwayRuntime
import FairwayWire

/// The edge server's protocol role as a pure value: its link to the coordinator
/// and the agents attached to it. No I/O, no clock.
///
/// Agents heartbeat to the edge; the edge's own heartbeat vouches for the agents
/// it heard from recently, so the coordinator sees one message per edge per
/// interval, not one per agent.
public struct EdgeInstance: Sendable {
    public enum Directive: Sendable, Hashable {
        case joinCoordinator(JoinRequest)
        case heartbeatCoordinator(Heartbeat)
        case log(String)
    }

    /// What to do with an agent's request.
    public enum AgentDecision: Sendable, Hashable {
        case reply(Payload)
        /// Relay this join to the coordinator, then call `onAgentJoinResult`.
        case relayJoin(JoinRequest)
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
    /// The coordinator this edge trusts: `settings.coordinatorID`, or the first one that
    /// accepted its join (trust on first use, for the life of the process).
    public private(set) var coordinatorID: NodeID?
    public private(set) var registered = false
    public private(set) var agents: [NodeID: AttachedAgent] = [:]
    public private(set) var epoch: UInt64 = 0
    public private(set) var heartbeatIntervalMilliseconds: Int64
    public private(set) var lastCoordinatorContact: Timestamp = .zero
    private var coordinatorCallInFlight = false
    private var lastCoordinatorAttempt: Timestamp = .zero

    /// This edge's public key (sent in its join).
    public let publicKey: [UInt8]

    public init(settings: EdgeServerSettings, id: NodeID, publicKey: [UInt8] = []) {
        self.settings = settings
        self.id = id
        self.publicKey = publicKey
        self.coordinatorID = settings.coordinatorID
        self.heartbeatIntervalMilliseconds = settings.heartbeatIntervalMilliseconds
    }

    private var agentExpiryMilliseconds: Int64 { heartbeatIntervalMilliseconds * Int64(settings.agentExpiryMisses) }

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
            guard var agent = agents[sender] else {
                return .reply(.error(FairwayError(.unknownSender, "agent \(sender) has not joined through edge \(id); join first", field: "envelope.sender", peer: sender.rawValue)))
            }
            agent.lastSeen = max(agent.lastSeen, now)
            agents[sender] = agent
            return .reply(.heartbeatAck(HeartbeatAck(epoch: epoch)))
        case .statusRequest:
            return .reply(.statusReply(status(now: now)))
        case .ping:
            return .reply(.pong(Pong(nodeID: id, role: .edgeServer, version: FairwayVersion.current, name: settings.name)))
        default:
            return .reply(.error(FairwayError(.unexpectedPayload, "the edge server's agent socket does not serve \(request.payload.kind)", field: "envelope.payload", peer: sender.rawValue)))
        }
    }

    /// Result of relaying an agent's join; returns the reply for the agent.
    public mutating func onAgentJoinResult(_ join: JoinRequest, result: Result<JoinAccepted, FairwayError>, now: Timestamp) -> Payload {
        switch result {
        case .success(let accepted):
            let joinedAt = agents[join.nodeID]?.joinedAt ?? now
            agents[join.nodeID] = AttachedAgent(lastSeen: now, joinedAt: joinedAt, bucketSize: join.bucketSize, name: join.name)
            epoch = max(epoch, accepted.epoch)
            return .joinAccepted(JoinAccepted(coordinatorID: accepted.coordinatorID,
                                              heartbeatIntervalMilliseconds: heartbeatIntervalMilliseconds, epoch: epoch))
        case .failure(let error):
            if error.code == .unknownSender { registered = false }
            return .error(error)
        }
    }

    // MARK: coordinator link

    /// Periodic work: (re-)join or heartbeat the coordinator, expire silent agents.
    public mutating func onTick(now: Timestamp) -> [Directive] {
        var directives: [Directive] = []
        let expired = agents.filter { now.milliseconds(since: $0.value.lastSeen) >= agentExpiryMilliseconds }.map(\.key)
        for id in expired {
            agents[id] = nil
            directives.append(.log("agent \(id) expired after \(agentExpiryMilliseconds) ms of silence"))
        }
        guard !coordinatorCallInFlight,
              now.milliseconds(since: lastCoordinatorAttempt) >= (registered ? heartbeatIntervalMilliseconds : min(heartbeatIntervalMilliseconds, 500))
        else { return directives }
        coordinatorCallInFlight = true
        lastCoordinatorAttempt = now
        if registered {
            let recent = agents.filter { now.milliseconds(since: $0.value.lastSeen) < 2 * heartbeatIntervalMilliseconds }
            directives.append(.heartbeatCoordinator(Heartbeat(nodeID: id, agentIDs: recent.keys.sorted())))
        } else {
            directives.append(.joinCoordinator(JoinRequest(nodeID: id, role: .edgeServer, address: settings.effectiveAdvertiseURL,
                                                           version: FairwayVersion.current, name: settings.name, publicKey: publicKey)))
        }
        return directives
    }

    /// Outcome of the join or heartbeat issued by `onTick`.
    public mutating func onCoordinatorResult(_ result: Result<Payload, FairwayError>, now: Timestamp) -> [Directive] {
        coordinatorCallInFlight = false
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
            for id in ack.unknownAgentIDs { agents[id] = nil }
            return ack.unknownAgentIDs.isEmpty ? [] : [.log("\(ack.unknownAgentIDs.count) agents must re-join")]
        case .success(let other):
            return [.log("unexpected coordinator reply \(other.kind)")]
        case .failure(let e) where e.code == .unknownSender:
            registered = false
            lastCoordinatorAttempt = .zero
            return [.log("coordinator does not know this edge; re-joining")]
        case .failure(let e):
            return [.log("coordinator call failed: \(e)")]
        }
    }

    /// A publication from the coordinator (a hint; heartbeats confirm it).
    /// Publications from anyone but the trusted coordinator are ignored (returns false).
    @discardableResult
    public mutating func onEpochAnnouncement(_ a: EpochAnnouncement, from sender: NodeID, now: Timestamp) -> Bool {
        guard sender == coordinatorID else { return false }
        epoch = max(epoch, a.epoch)
        return true
    }

    /// The edge's own view: itself, its coordinator link and its agents.
    public func status(now: Timestamp) -> StatusReply {
        func state(_ silence: Int64) -> MemberState {
            silence >= agentExpiryMilliseconds ? .dead : silence >= 3 * heartbeatIntervalMilliseconds ? .suspect : .alive
        }
        var nodes = [NodeStatus(id: id, role: .edgeServer, address: settings.effectiveAdvertiseURL,
                                state: .alive, lastHeartbeat: now, version: FairwayVersion.current, name: settings.name)]
        for (id, a) in agents.sorted(by: { $0.key < $1.key }) {
            nodes.append(NodeStatus(id: id, role: .edgeAgent, address: "", state: state(now.milliseconds(since: a.lastSeen)),
                                    lastHeartbeat: a.lastSeen, version: "", via: id, name: a.name))
        }
        return StatusReply(reporterID: id, reporterName: settings.name, reporterRole: .edgeServer, nodes: nodes, epoch: epoch)
    }
}
