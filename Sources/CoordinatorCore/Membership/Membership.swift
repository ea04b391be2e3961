import FairwayCore

/// The coordinator's view of the cluster: a pure failure detector and member table.
///
/// Instance in the instance/shell/directive style: it reads no clock and does
/// no I/O. The shell feeds it joins, heartbeats and ticks with `now`, and carries
/// out the returned directives (persist a member, log a transition).
///
/// Invariants:
/// - the coordinator itself is always `alive`;
/// - a member's state only moves alive → suspect → dead by silence, and back to
///   alive by a join or heartbeat;
/// - an agent is vouched for only by the edge server it joined through.
public struct Membership: Sendable {
    public enum Directive: Sendable, Hashable {
        /// Make this member record durable.
        case persist(Member)
        /// A member changed state (for logs and metrics); also implies `.persist`.
        case transition(NodeID, from: MemberState, to: MemberState)
    }

    public let settings: Settings
    public let selfID: NodeID
    public private(set) var members: [NodeID: Member]

    /// - Parameters:
    ///   - restored: members loaded from storage after a restart. Non-dead members get
    ///     a fresh grace period (`lastHeartbeat = now`), so a coordinator that was down
    ///     does not declare its whole cluster dead on its first tick.
    public init(settings: Settings, coordinator: Member, restored: [Member] = [], now: Timestamp) {
        self.settings = settings
        self.selfID = coordinator.id
        var table: [NodeID: Member] = [:]
        for var m in restored where m.id != coordinator.id {
            if m.state != .dead { m.lastHeartbeat = max(m.lastHeartbeat, now) }
            table[m.id] = m
        }
        var me = coordinator
        me.state = .alive
        me.lastHeartbeat = now
        table[me.id] = me
        self.members = table
    }

    /// A node joins (or re-joins). Idempotent: re-joining refreshes address, version,
    /// `via` and liveness, and keeps `joinedAt`.
    public mutating func onJoin(_ request: JoinRequest, now: Timestamp) -> [Directive] {
        var directives: [Directive] = []
        if var existing = members[request.nodeID] {
            let old = existing.state
            existing.role = request.role
            existing.address = request.address
            existing.version = request.version
            existing.via = request.via
            existing.bucketSize = request.bucketSize
            existing.name = request.name
            existing.publicKey = request.publicKey
            existing.state = .alive
            existing.lastHeartbeat = now
            members[request.nodeID] = existing
            if old != .alive { directives.append(.transition(existing.id, from: old, to: .alive)) }
            directives.append(.persist(existing))
        } else {
            let m = Member(id: request.nodeID, role: request.role, address: request.address, version: request.version,
                           via: request.via, bucketSize: request.bucketSize, state: .alive, lastHeartbeat: now, joinedAt: now,
                           name: request.name, publicKey: request.publicKey)
            members[m.id] = m
            directives.append(.persist(m))
        }
        return directives
    }

    /// A heartbeat. Throws `unknownSender` if the node never joined (it must join first).
    /// Agents in `heartbeat.agentIDs` are refreshed only if they are attached to the
    /// sending edge; the others are returned so the edge can tell them to re-join.
    public mutating func onHeartbeat(_ heartbeat: Heartbeat, now: Timestamp) throws -> (unknownAgents: [NodeID], directives: [Directive]) {
        guard members[heartbeat.nodeID] != nil else {
            throw FairwayError(.unknownSender, "node has not joined; send JoinRequest first", field: "heartbeat.node_id", peer: heartbeat.nodeID.rawValue)
        }
        var directives = refresh(heartbeat.nodeID, now: now)
        var unknown: [NodeID] = []
        for agent in heartbeat.agentIDs {
            guard let m = members[agent], m.role == .edgeAgent, m.via == heartbeat.nodeID else {
                unknown.append(agent)
                continue
            }
            directives += refresh(m.id, now: now)
        }
        return (unknown, directives)
    }

    private mutating func refresh(_ id: NodeID, now: Timestamp) -> [Directive] {
        guard var m = members[id] else { return [] }
        m.lastHeartbeat = max(m.lastHeartbeat, now)
        let old = m.state
        m.state = .alive
        members[id] = m
        return old == .alive ? [] : [.transition(id, from: old, to: .alive), .persist(m)]
    }

    /// Advances the failure detector to `now`.
    public mutating func onTick(now: Timestamp) -> [Directive] {
        var directives: [Directive] = []
        if var me = members[selfID] {
            me.lastHeartbeat = now
            members[selfID] = me
        }
        for (id, var m) in members where id != selfID && m.state != .dead {
            let silence = now.milliseconds(since: m.lastHeartbeat)
            let next: MemberState
            if silence >= settings.deadAfterMilliseconds {
                next = .dead
            } else if silence >= settings.suspectAfterMilliseconds {
                next = .suspect
            } else {
                continue
            }
            guard next != m.state else { continue }
            let old = m.state
            m.state = next
            members[id] = m
            directives.append(.transition(id, from: old, to: next))
            directives.append(.persist(m))
        }
        return directives
    }

    /// When the failure detector next has a transition to make, if silence continues: the
    /// earliest suspect or dead deadline of any member (nil if none is pending).
    public var nextDeadline: Timestamp? {
        members.values.lazy.filter { $0.id != selfID && $0.state != .dead }
            .map { $0.lastHeartbeat.adding(milliseconds: $0.state == .alive ? settings.suspectAfterMilliseconds : settings.deadAfterMilliseconds) }
            .min()
    }

    /// Agents that are not dead, by id: those eligible for grants at an epoch boundary.
    public var liveAgents: [NodeID] {
        members.values.filter { $0.role == .edgeAgent && $0.state != .dead }.map(\.id).sorted()
    }

    /// Edge servers that are not dead, by id: those that get cloud shares at an epoch boundary.
    public var liveEdges: [NodeID] {
        members.values.filter { $0.role == .edgeServer && $0.state != .dead }.map(\.id).sorted()
    }

    /// Number of members currently alive (the coordinator included).
    public var aliveCount: Int { members.values.reduce(0) { $0 + ($1.state == .alive ? 1 : 0) } }

    /// Status rows sorted by role (coordinator, edges, agents) then id.
    public func status() -> [NodeStatus] {
        let order: [NodeRole: Int] = [.cloudCoordinator: 0, .edgeServer: 1, .edgeAgent: 2]
        return members.values
            .sorted { (order[$0.role]!, $0.id) < (order[$1.role]!, $1.id) }
            .map(NodeStatus.init)
    }
}
