import FairwayCore
import FairwayRuntime

/// YAML form of `CoordinatorSettings` (`configs/cloud-coordinator.yaml`).
public struct CoordinatorConfig: Codable, Sendable, DaemonConfigFile {
    public struct MembershipConfig: Codable, Sendable {
        public var heartbeat_interval_ms: Int64?
        public var suspect_after_misses: Int?
        public var dead_after_misses: Int?
    }

    public var node_id: String?
    public var control_url: String?
    public var epoch_url: String?
    public var advertise_url: String?
    public var data_dir: String?
    public var epoch_ms: Int64?
    public var tick_ms: Int64?
    public var log_level: String?
    public var membership: MembershipConfig?
    public var transport: TransportConfig?

    public static let knownKeys: Set<String> = Set([
        "node_id", "control_url", "epoch_url", "advertise_url", "data_dir", "epoch_ms", "tick_ms", "log_level",
        "membership.heartbeat_interval_ms", "membership.suspect_after_misses", "membership.dead_after_misses",
    ]).union(TransportConfig.knownKeys(prefix: "transport"))
}

extension CoordinatorSettings {
    /// Overlays the values present in `config`.
    public mutating func apply(_ c: CoordinatorConfig) throws {
        if let v = c.node_id { nodeID = try NodeID(v, field: "node_id") }
        if let v = c.control_url { controlURL = v }
        if let v = c.epoch_url { epochURL = v }
        if let v = c.advertise_url { advertiseURL = v }
        if let v = c.data_dir { dataDirectory = v }
        if let v = c.epoch_ms { epochMilliseconds = v }
        if let v = c.tick_ms { tickMilliseconds = v }
        if let m = c.membership {
            if let v = m.heartbeat_interval_ms { membership.heartbeatIntervalMilliseconds = v }
            if let v = m.suspect_after_misses { membership.suspectAfterMisses = v }
            if let v = m.dead_after_misses { membership.deadAfterMisses = v }
        }
        try transport.apply(c.transport)
    }
}
