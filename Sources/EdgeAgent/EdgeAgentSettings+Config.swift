import FairwayCore
import FairwayRuntime

/// YAML form of `EdgeAgentSettings` (`configs/edge-agent.yaml`).
public struct EdgeAgentConfig: Codable, Sendable, DaemonConfigFile {
    public var count: Int?
    public var name_prefix: String?
    public var edges: [String]?
    public var data_dir: String?
    public var bucket_size: UInt32?
    public var heartbeat_interval_ms: Int64?
    public var failover_after_failures: Int?
    public var tick_ms: Int64?
    public var workload: WorkloadConfig?

    public struct WorkloadConfig: Codable, Sendable {
        public var rate_per_second: Double?
        public var burst: Int?
        public var cost: UInt64?
    }
    public var log_level: String?
    public var transport: TransportConfig?

    public static let knownKeys: Set<String> = Set([
        "count", "name_prefix", "edges", "data_dir", "bucket_size", "heartbeat_interval_ms",
        "failover_after_failures", "tick_ms", "log_level", "workload.rate_per_second", "workload.burst", "workload.cost",
    ]).union(TransportConfig.knownKeys(prefix: "transport"))
}

extension EdgeAgentSettings {
    public mutating func apply(_ c: EdgeAgentConfig) throws {
        if let v = c.count { count = v }
        if let v = c.name_prefix { namePrefix = v }
        if let v = c.edges { edges = v }
        if let v = c.data_dir { dataDirectory = v }
        if let v = c.bucket_size { bucketSize = v }
        if let v = c.heartbeat_interval_ms { heartbeatIntervalMilliseconds = v }
        if let v = c.failover_after_failures { failoverAfterFailures = v }
        if let v = c.tick_ms { tickMilliseconds = v }
        if let w = c.workload {
            if let v = w.rate_per_second { workload.ratePerSecond = v }
            if let v = w.burst { workload.burst = v }
            if let v = w.cost { workload.cost = v }
        }
        try transport.apply(c.transport)
    }
}
