import FairwayCore

/// `fairwayctl status --json`: one object, `{"reporter":…,"reporter_name":…,"epoch":…,"nodes":[…]}`.
/// The same type encodes it (fairwayctl) and decodes it (tests, scripts written in Swift).
public struct StatusDocument: Codable, Sendable, Equatable {
    /// One status row.
    public struct Node: Codable, Sendable, Equatable {
        public var id: String
        public var name: String
        public var role: String
        public var address: String
        public var state: String
        /// Last heartbeat, milliseconds since the Unix epoch.
        public var last_heartbeat_unix_ms: Int64
        public var version: String
        /// For agents: the edge server they are attached through.
        public var via: String?
        /// For agents: tokens granted, used and remaining (absent for other roles).
        public var tokens_granted: UInt64?
        public var tokens_used: UInt64?
        public var tokens_remaining: UInt64?

        public init(_ n: NodeStatus) {
            if n.role == .edgeAgent {
                tokens_granted = n.tokensGranted
                tokens_used = n.tokensUsed
                tokens_remaining = n.tokensRemaining
            }
            id = n.id.rawValue
            name = n.name
            role = n.role.rawValue
            address = n.address
            state = n.state.rawValue
            last_heartbeat_unix_ms = n.lastHeartbeat.unixMilliseconds
            version = n.version
            via = n.via?.rawValue
        }
    }

    public var reporter: String
    public var reporter_name: String
    public var epoch: UInt64
    public var nodes: [Node]

    public init(_ s: StatusReply) {
        reporter = s.reporterID.rawValue
        reporter_name = s.reporterName
        epoch = s.epoch
        nodes = s.nodes.map(Node.init)
    }
}

extension Array where Element == StatusDocument.Node {
    /// The node with display name `name` (ids are key addresses).
    public func named(_ name: String) -> StatusDocument.Node? { first { $0.name == name } }
}
