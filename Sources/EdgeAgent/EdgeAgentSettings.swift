import FairwayCore
import FairwayRuntime

/// Settings of an agent process, which hosts `count` agent identities.
public struct EdgeAgentSettings: Sendable, Hashable {
    /// Number of agent identities this process hosts. Default 1.
    public var count = 1
    /// Prefix of identity display names (`<prefix>-<i>`). Default: a random `agent-xxxxxxxx`,
    /// created once and kept in the data directory. Ids are the addresses of the identities' keys.
    public var namePrefix: String?
    /// Edge servers to use, in failover order. Identity i starts at edge `i % edges.count`.
    public var edges = ["tcp://127.0.0.1:7410"]
    /// Data directory (identities). Default `./data/agents`.
    public var dataDirectory = "./data/agents"
    /// Token bucket size B requested at join (tokens). Default 4.
    public var bucketSize: UInt32 = 4
    /// Heartbeat period until the edge announces its own, milliseconds. Default 1000.
    public var heartbeatIntervalMilliseconds: Int64 = 1000
    /// Consecutive exchanges without reply after which an identity fails over to the next
    /// edge. Default 2. An edge that answers with a refusal counts a quarter as much.
    public var failoverAfterFailures = 2
    /// Shell tick, milliseconds. Default 100.
    public var tickMilliseconds: Int64 = 100
    /// Inference requests each identity makes. Default: none.
    public var workload = InferenceWorkload()
    public var transport: TransportSettings = {
        var t = TransportSettings()
        t.requestTimeoutMilliseconds = 1000
        return t
    }()

    public init() {}

    public func validate() throws {
        try transport.validate()
        guard (1...100_000).contains(count) else {
            throw ConfigError(field: "count", message: "must be 1–100000, got \(count)")
        }
        guard !edges.isEmpty else { throw ConfigError(field: "edges", message: "at least one edge server URL is required") }
        for (i, e) in edges.enumerated() { try URLCheck.validate(e, field: "edges[\(i)]") }
        if let p = namePrefix { _ = try NodeID("\(p)-\(count)", field: "name_prefix") }
        guard (1...1_000_000).contains(bucketSize) else {
            throw ConfigError(field: "bucket_size", message: "must be 1–1000000 tokens, got \(bucketSize)")
        }
        guard (10...600_000).contains(heartbeatIntervalMilliseconds) else {
            throw ConfigError(field: "heartbeat_interval_ms", message: "must be 10–600000, got \(heartbeatIntervalMilliseconds)")
        }
        guard (1...100).contains(failoverAfterFailures) else {
            throw ConfigError(field: "failover_after_failures", message: "must be 1–100, got \(failoverAfterFailures)")
        }
        guard (5...60_000).contains(tickMilliseconds) else {
            throw ConfigError(field: "tick_ms", message: "must be 5–60000, got \(tickMilliseconds)")
        }
        try workload.validate()
    }
}

/// An identity's inference workload: requests paced by a token bucket of their own
/// (`ratePerSecond`, `burst`), each costing `cost` AI tokens at the edge.
public struct InferenceWorkload: Sendable, Hashable {
    /// Requests per second per identity; 0 = no workload. Default 0.
    public var ratePerSecond: Double = 0
    /// Requests that may go out back to back after a quiet spell. Default 1.
    public var burst: Int = 1
    /// Tokens each request costs. Default 1.
    public var cost: UInt64 = 1

    public init() {}

    public func validate() throws {
        guard ratePerSecond.isFinite, (0...10_000).contains(ratePerSecond) else {
            throw ConfigError(field: "workload.rate_per_second", message: "must be 0–10000, got \(ratePerSecond)")
        }
        guard (1...10_000).contains(burst) else {
            throw ConfigError(field: "workload.burst", message: "must be 1–10000, got \(burst)")
        }
        guard (1...1_000_000).contains(cost) else {
            throw ConfigError(field: "workload.cost", message: "must be 1–1000000 tokens, got \(cost)")
        }
    }
}
