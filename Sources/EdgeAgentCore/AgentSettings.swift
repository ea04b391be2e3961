import FairwayCore

extension AgentInstance {
    /// An agent identity's protocol settings: everything its instance decides with. The
    /// daemon's `EdgeAgentSettings` adds the process (identities, edges, storage) around it.
    public struct Settings: Sendable, Hashable, SettingsSchema {
        /// Token bucket size B requested at join (tokens). Default 4.
        public var bucketSize: UInt32 = 4
        /// Heartbeat period until the edge announces its own, milliseconds. Default 1000.
        public var heartbeatIntervalMilliseconds: Int64 = 1000
        /// Consecutive exchanges without reply after which an identity fails over to the next
        /// edge. Default 2. An edge that answers with a refusal counts a quarter as much.
        public var failoverAfterFailures = 2
        /// Inference requests each identity makes. Default: none.
        public var workload = InferenceWorkload()
        /// DP contributions each identity releases (`contribute.*`).
        public var contribute = ContributionSchedule.Settings()

        public init() {}

        public static let fields: [SettingField<Self>] = [
            .integer("bucket_size", \.bucketSize, in: 1...1_000_000),
            .integer("heartbeat_interval_ms", \.heartbeatIntervalMilliseconds, in: 10...600_000),
            .integer("failover_after_failures", \.failoverAfterFailures, in: 1...100),
        ] + InferenceWorkload.fields(in: \.workload, prefix: "workload")
            + ContributionSchedule.Settings.fields(in: \.contribute, prefix: "contribute")
    }
}

/// An identity's inference workload: requests paced by a token bucket of their own
/// (`ratePerSecond`, `burst`), each costing `cost` AI tokens at the edge (YAML `workload.*`).
public struct InferenceWorkload: Sendable, Hashable, SettingsSchema {
    /// Requests per second per identity; 0 = no workload. Default 0.
    public var ratePerSecond: Double = 0
    /// Requests that may go out back to back after a quiet spell. Default 1.
    public var burst: Int = 1
    /// Tokens each request costs. Default 1.
    public var cost: UInt64 = 1

    public init() {}

    public static let fields: [SettingField<Self>] = [
        .number("rate_per_second", \.ratePerSecond, in: 0...10_000),
        .integer("burst", \.burst, in: 1...10_000),
        .integer("cost", \.cost, in: 1...1_000_000),
    ]
}
