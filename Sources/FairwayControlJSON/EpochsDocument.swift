import FairwayCore

/// `fairwayctl epochs --json`: `{"epochs":[…]}`, newest first.
public struct EpochsDocument: Codable, Sendable, Equatable {
    public struct Epoch: Codable, Sendable, Equatable {
        public var epoch: UInt64
        /// When the epoch started, milliseconds since the Unix epoch.
        public var started_at_unix_ms: Int64
        /// V: tokens the epoch could grant.
        public var total_tokens: UInt64
        /// Σ grants (≤ V, invariant I1).
        public var granted: UInt64
        public var allocator: String
        public var agents: UInt32

        public init(_ r: EpochRecord) {
            epoch = r.epoch
            started_at_unix_ms = r.startedAt.unixMilliseconds
            total_tokens = r.totalTokens
            granted = r.granted
            allocator = r.allocator
            agents = r.agents
        }
    }

    public var epochs: [Epoch]

    public init(_ records: [EpochRecord]) { epochs = records.map(Epoch.init) }
}
