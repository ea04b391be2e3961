import FairwayCore
import FairwayRuntime

/// YAML form of `EdgeServerSettings` (`configs/edge-server.yaml`).
public struct EdgeServerConfig: Codable, Sendable, DaemonConfigFile {
    public var name: String?
    public var key_file: String?
    public var coordinator_id: String?
    public var listen_url: String?
    public var advertise_url: String?
    public var coordinator_url: String?
    public var coordinator_epoch_url: String?
    public var data_dir: String?
    public var heartbeat_interval_ms: Int64?
    public var agent_expiry_misses: Int?
    public var tick_ms: Int64?
    public var log_level: String?
    public var transport: TransportConfig?

    public static let knownKeys: Set<String> = Set([
        "name", "key_file", "coordinator_id", "listen_url", "advertise_url", "coordinator_url", "coordinator_epoch_url", "data_dir",
        "heartbeat_interval_ms", "agent_expiry_misses", "tick_ms", "log_level",
    ]).union(TransportConfig.knownKeys(prefix: "transport"))
}

extension EdgeServerSettings {
    public mutating func apply(_ c: EdgeServerConfig) throws {
        if let v = c.name { name = v }
        if let v = c.key_file { keyFile = v }
        if let v = c.coordinator_id { coordinatorID = try NodeID(v, field: "coordinator_id") }
        if let v = c.listen_url { listenURL = v }
        if let v = c.advertise_url { advertiseURL = v }
        if let v = c.coordinator_url { coordinatorURL = v }
        if let v = c.coordinator_epoch_url { coordinatorEpochURL = v }
        if let v = c.data_dir { dataDirectory = v }
        if let v = c.heartbeat_interval_ms { heartbeatIntervalMilliseconds = v }
        if let v = c.agent_expiry_misses { agentExpiryMisses = v }
        if let v = c.tick_ms { tickMilliseconds = v }
        try transport.apply(c.transport)
    }
}
