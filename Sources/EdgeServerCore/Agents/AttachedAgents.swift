import FairwayCore
import FairwayWire

/// The agents attached to this edge: joined through it and heard from recently. The edge's own
/// heartbeat vouches for them, so the coordinator sees one message per edge per interval.
public struct AttachedAgents: Sendable, Hashable {
    public struct Agent: Sendable, Hashable {
        public var lastSeen: Timestamp
        public var joinedAt: Timestamp
        public var bucketSize: UInt32
        public var name: String
    }

    /// Missed heartbeat intervals after which an agent is forgotten.
    public let expiryMisses: Int
    /// The edge vouches for agents heard from within this many heartbeat intervals.
    public static let vouchedIntervals: Int64 = 2
    /// Status shows an agent silent for this many intervals as suspect.
    public static let suspectIntervals: Int64 = 3
    public private(set) var agents: [NodeID: Agent] = [:]

    public init(expiryMisses: Int) { self.expiryMisses = expiryMisses }

    public subscript(id: NodeID) -> Agent? { agents[id] }
    public var ids: [NodeID] { agents.keys.sorted() }

    /// Silence after which an agent is forgotten, milliseconds.
    public func expiryMilliseconds(heartbeatInterval: Int64) -> Int64 { heartbeatInterval * Int64(expiryMisses) }

    /// An agent the coordinator accepted through this edge.
    public mutating func attach(_ join: JoinRequest, now: Timestamp) {
        let joinedAt = agents[join.nodeID]?.joinedAt ?? now
        agents[join.nodeID] = Agent(lastSeen: now, joinedAt: joinedAt, bucketSize: join.bucketSize, name: join.name)
    }

    public mutating func detach(_ id: NodeID) { agents[id] = nil }

    /// Marks an attached agent as heard from; false if it is not attached.
    public mutating func touch(_ id: NodeID, now: Timestamp) -> Bool {
        guard var a = agents[id] else { return false }
        a.lastSeen = max(a.lastSeen, now)
        agents[id] = a
        return true
    }

    /// Forgets agents silent for the expiry time; returns them.
    public mutating func expire(now: Timestamp, heartbeatInterval: Int64) -> [NodeID] {
        let limit = expiryMilliseconds(heartbeatInterval: heartbeatInterval)
        let expired = agents.filter { now.milliseconds(since: $0.value.lastSeen) >= limit }.map(\.key).sorted()
        for id in expired { agents[id] = nil }
        return expired
    }

    /// Agents heard from within two intervals: the ones this edge vouches for.
    public func recent(now: Timestamp, heartbeatInterval: Int64) -> [NodeID] {
        agents.filter { now.milliseconds(since: $0.value.lastSeen) < Self.vouchedIntervals * heartbeatInterval }.keys.sorted()
    }

    /// When the next agent expires if it stays silent.
    public func nextExpiry(heartbeatInterval: Int64) -> Timestamp? {
        agents.values.map { $0.lastSeen.adding(milliseconds: expiryMilliseconds(heartbeatInterval: heartbeatInterval)) }.min()
    }

    /// An agent's liveness as this edge sees it.
    public func state(_ agent: Agent, now: Timestamp, heartbeatInterval: Int64) -> MemberState {
        let silence = now.milliseconds(since: agent.lastSeen)
        return silence >= expiryMilliseconds(heartbeatInterval: heartbeatInterval) ? .dead : silence >= Self.suspectIntervals * heartbeatInterval ? .suspect : .alive
    }
}
