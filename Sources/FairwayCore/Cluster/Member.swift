/// What the coordinator knows about one node.
public struct Member: Sendable, Hashable, Codable {
    public var id: NodeID
    public var role: NodeRole
    /// Where the node serves requests (nng URL); empty for agents.
    public var address: String
    /// Software version the node reported at join.
    public var version: String
    /// For agents: the edge server the agent is attached to.
    public var via: NodeID?
    /// For agents: token bucket size B (tokens); 0 for other roles.
    public var bucketSize: UInt32
    public var state: MemberState
    /// Last heartbeat (or join) seen; `.zero` if never.
    public var lastHeartbeat: Timestamp
    /// When the node first joined.
    public var joinedAt: Timestamp
    /// Display name (not an identity).
    public var name: String
    /// Ed25519 public key whose address is `id` (empty only for legacy rows).
    public var publicKey: [UInt8]

    public init(id: NodeID, role: NodeRole, address: String, version: String, via: NodeID? = nil,
                bucketSize: UInt32 = 0, state: MemberState = .alive, lastHeartbeat: Timestamp, joinedAt: Timestamp,
                name: String = "", publicKey: [UInt8] = []) {
        self.id = id
        self.name = name
        self.publicKey = publicKey
        self.role = role
        self.address = address
        self.version = version
        self.via = via
        self.bucketSize = bucketSize
        self.state = state
        self.lastHeartbeat = lastHeartbeat
        self.joinedAt = joinedAt
    }
}
