/// Domain forms of the membership messages of wire protocol v1
/// (`proto/fairway/v1/membership.proto`). Values here are already validated.

/// A node asks to join. Agents join through an edge server (`via`).
public struct JoinRequest: Sendable, Hashable {
    public var nodeID: NodeID
    public var role: NodeRole
    /// nng URL where the node serves requests; empty for agents.
    public var address: String
    public var version: String
    /// For agents: the edge server relaying the join.
    public var via: NodeID?
    /// For agents: token bucket size B (tokens).
    public var bucketSize: UInt32
    /// Display name chosen by the operator (e.g. `edge-1`); not an identity, may repeat.
    public var name: String
    /// Ed25519 public key (32 bytes) whose address is `nodeID`.
    public var publicKey: [UInt8]
    /// For agents joining through an edge: the agent's own signed envelope carrying this
    /// join (proof that the agent holds the key). Empty otherwise.
    public var agentProof: [UInt8]

    public init(nodeID: NodeID, role: NodeRole, address: String, version: String, via: NodeID? = nil, bucketSize: UInt32 = 0,
                name: String = "", publicKey: [UInt8] = [], agentProof: [UInt8] = []) {
        self.nodeID = nodeID
        self.role = role
        self.address = address
        self.version = version
        self.via = via
        self.bucketSize = bucketSize
        self.name = name
        self.publicKey = publicKey
        self.agentProof = agentProof
    }
}

public struct JoinAccepted: Sendable, Hashable {
    public var coordinatorID: NodeID
    /// Heartbeat period the coordinator expects, milliseconds.
    public var heartbeatIntervalMilliseconds: Int64
    public var epoch: UInt64
    /// Epoch length set by the coordinator, milliseconds (0 = not told).
    public var epochMilliseconds: Int64
    /// Where signed epoch announcements are published, as the replying node dials it ("" = not told).
    public var epochURL: String
    /// The replying node's replay window and tolerated clock skew, milliseconds (0 = not told).
    public var replayWindowMilliseconds: Int64
    public var maxClockSkewMilliseconds: Int64

    public init(coordinatorID: NodeID, heartbeatIntervalMilliseconds: Int64, epoch: UInt64, epochMilliseconds: Int64 = 0,
                epochURL: String = "", replayWindowMilliseconds: Int64 = 0, maxClockSkewMilliseconds: Int64 = 0) {
        self.coordinatorID = coordinatorID
        self.heartbeatIntervalMilliseconds = heartbeatIntervalMilliseconds
        self.epoch = epoch
        self.epochMilliseconds = epochMilliseconds
        self.epochURL = epochURL
        self.replayWindowMilliseconds = replayWindowMilliseconds
        self.maxClockSkewMilliseconds = maxClockSkewMilliseconds
    }
}

/// Liveness; an edge server's heartbeat also vouches for the agents it heard from.
public struct Heartbeat: Sendable, Hashable {
    public var nodeID: NodeID
    public var agentIDs: [NodeID]
    /// Edge servers: their resources for the cloud allocation (Fair-Synergy).
    public var resources: EdgeResources?

    public init(nodeID: NodeID, agentIDs: [NodeID] = [], resources: EdgeResources? = nil) {
        self.nodeID = nodeID
        self.agentIDs = agentIDs
        self.resources = resources
    }
}

public struct HeartbeatAck: Sendable, Hashable {
    public var epoch: UInt64
    /// Vouched agents the coordinator does not know under this edge; they must re-join.
    public var unknownAgentIDs: [NodeID]
    /// To edge servers: their current cloud share (nil before the first allocation).
    public var cloudShare: CloudShare?

    public init(epoch: UInt64, unknownAgentIDs: [NodeID] = [], cloudShare: CloudShare? = nil) {
        self.epoch = epoch
        self.unknownAgentIDs = unknownAgentIDs
        self.cloudShare = cloudShare
    }
}

/// One row of a status report.
public struct NodeStatus: Sendable, Hashable, Codable {
    public var id: NodeID
    public var role: NodeRole
    public var address: String
    public var state: MemberState
    /// Last heartbeat seen by the reporter; `.zero` = never.
    public var lastHeartbeat: Timestamp
    public var version: String
    public var via: NodeID?
    /// Display name (see `JoinRequest.name`).
    public var name: String
    /// For agents in the coordinator's report: cumulative tokens granted and used (0 otherwise).
    public var tokensGranted: UInt64 = 0
    public var tokensUsed: UInt64 = 0
    /// R = granted − used: what is in the agent's bucket, wherever it is leased.
    public var tokensRemaining: UInt64 = 0

    public init(id: NodeID, role: NodeRole, address: String, state: MemberState, lastHeartbeat: Timestamp, version: String,
                via: NodeID? = nil, name: String = "") {
        self.id = id
        self.name = name
        self.role = role
        self.address = address
        self.state = state
        self.lastHeartbeat = lastHeartbeat
        self.version = version
        self.via = via
    }

    public init(_ m: Member) {
        self.init(id: m.id, role: m.role, address: m.address, state: m.state,
                  lastHeartbeat: m.lastHeartbeat, version: m.version, via: m.via, name: m.name)
    }
}

public struct StatusReply: Sendable, Hashable {
    public var reporterID: NodeID
    public var reporterName: String
    public var reporterRole: NodeRole
    public var nodes: [NodeStatus]
    public var epoch: UInt64

    public init(reporterID: NodeID, reporterName: String = "", reporterRole: NodeRole, nodes: [NodeStatus], epoch: UInt64) {
        self.reporterID = reporterID
        self.reporterName = reporterName
        self.reporterRole = reporterRole
        self.nodes = nodes
        self.epoch = epoch
    }
}

/// Published by the coordinator every heartbeat interval; a hint, not authority.
public struct EpochAnnouncement: Sendable, Hashable {
    public var epoch: UInt64
    public var startedAt: Timestamp
    public var aliveMembers: UInt32
    /// When the next epoch starts (`.zero` = unknown).
    public var nextEpochAt: Timestamp

    public init(epoch: UInt64, startedAt: Timestamp, aliveMembers: UInt32, nextEpochAt: Timestamp = .zero) {
        self.nextEpochAt = nextEpochAt
        self.epoch = epoch
        self.startedAt = startedAt
        self.aliveMembers = aliveMembers
    }
}

/// Health probe answer.
public struct Pong: Sendable, Hashable {
    public var nodeID: NodeID
    public var role: NodeRole
    public var version: String
    public var name: String

    public init(nodeID: NodeID, role: NodeRole, version: String, name: String = "") {
        self.nodeID = nodeID
        self.name = name
        self.role = role
        self.version = version
    }
}

/// An edge server's answer to `fairwayctl drain` / `resume` (`Payload.drainRequest`).
public struct DrainReply: Sendable, Hashable, Codable {
    public var edgeID: NodeID
    /// Whether the edge is now draining: refusing joins and sending its agents elsewhere.
    public var draining: Bool
    /// Agents still attached; each leaves at its next heartbeat.
    public var attachedAgents: UInt32

    public init(edgeID: NodeID, draining: Bool, attachedAgents: UInt32) {
        self.edgeID = edgeID
        self.draining = draining
        self.attachedAgents = attachedAgents
    }
}

extension FairwayError {
    /// The field of the `unavailable` refusal a draining edge server answers joins and its
    /// agents' heartbeats with: the agent moves to its next edge at once.
    public static let drainingField = "edge.draining"

    /// A draining edge's refusal (`drainingField`).
    public var isDraining: Bool { code == .unavailable && field == Self.drainingField }
}
