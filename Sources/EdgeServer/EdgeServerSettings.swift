import FairwayCore
import FairwayRuntime

/// Settings of an edge server. Defaults suit a local cluster.
public struct EdgeServerSettings: Sendable, Hashable {
    /// Display name (the id is the address of the node's key). Default `edge-1`.
    public var name = "edge-1"
    /// Ed25519 key file, created on first start with mode 0600. Default `<data_dir>/node.key`.
    public var keyFile: String?
    /// Address (node id) the coordinator must have; nil = trust the first coordinator that
    /// accepts the join and pin it for the process lifetime.
    public var coordinatorID: NodeID?
    /// REP socket agents dial. Default `tcp://0.0.0.0:7410`.
    public var listenURL = "tcp://0.0.0.0:7410"
    /// Address reported to the coordinator (default: `listenURL` with 0.0.0.0 → 127.0.0.1).
    public var advertiseURL: String?
    /// Coordinator control socket. Default `tcp://127.0.0.1:7400`.
    public var coordinatorURL = "tcp://127.0.0.1:7400"
    /// Coordinator epoch PUB socket. Default `tcp://127.0.0.1:7401`.
    public var coordinatorEpochURL = "tcp://127.0.0.1:7401"
    /// Data directory. Default `./data/edge-1`.
    public var dataDirectory = "./data/edge-1"
    /// Heartbeat period towards the coordinator until it announces its own, milliseconds. Default 1000.
    public var heartbeatIntervalMilliseconds: Int64 = 1000
    /// Missed agent heartbeat intervals after which the edge forgets an agent. Default 5.
    public var agentExpiryMisses: Int = 5
    /// Shell tick, milliseconds. Default 100.
    public var tickMilliseconds: Int64 = 100
    public var transport = TransportSettings()

    public init() {}

    /// The key file actually used.
    public var effectiveKeyFile: String { keyFile ?? dataDirectory + "/node.key" }

    public var effectiveAdvertiseURL: String { advertiseURL ?? URLCheck.dialable(listenURL) }

    public func validate() throws {
        try transport.validate()
        try URLCheck.validate(listenURL, field: "listen_url")
        try URLCheck.validate(coordinatorURL, field: "coordinator_url")
        try URLCheck.validate(coordinatorEpochURL, field: "coordinator_epoch_url")
        if let a = advertiseURL { try URLCheck.validate(a, field: "advertise_url") }
        guard (10...600_000).contains(heartbeatIntervalMilliseconds) else {
            throw ConfigError(field: "heartbeat_interval_ms", message: "must be 10–600000, got \(heartbeatIntervalMilliseconds)")
        }
        guard (2...10_000).contains(agentExpiryMisses) else {
            throw ConfigError(field: "agent_expiry_misses", message: "must be 2–10000, got \(agentExpiryMisses)")
        }
        guard (5...60_000).contains(tickMilliseconds) else {
            throw ConfigError(field: "tick_ms", message: "must be 5–60000, got \(tickMilliseconds)")
        }
    }
}
