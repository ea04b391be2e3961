extension Membership {
    /// Failure-detector settings. Validated once at start (`validate()`).
    public struct Settings: Sendable, Hashable {
        /// Period at which members heartbeat, milliseconds. Default 1000.
        public var heartbeatIntervalMilliseconds: Int64 = 1000
        /// Missed intervals after which an alive member becomes suspect. Default 3.
        public var suspectAfterMisses: Int = 3
        /// Missed intervals after which a member is declared dead. Default 5.
        /// Must exceed `suspectAfterMisses`.
        public var deadAfterMisses: Int = 5

        public init() {}

        /// Silence after which a member is suspect, milliseconds.
        public var suspectAfterMilliseconds: Int64 { heartbeatIntervalMilliseconds * Int64(suspectAfterMisses) }
        /// Silence after which a member is dead, milliseconds.
        public var deadAfterMilliseconds: Int64 { heartbeatIntervalMilliseconds * Int64(deadAfterMisses) }

        public func validate() throws {
            guard (10...600_000).contains(heartbeatIntervalMilliseconds) else {
                throw FairwayError(.invalidField, "must be 10–600000 ms, got \(heartbeatIntervalMilliseconds)", field: "membership.heartbeat_interval_ms")
            }
            guard (1...1000).contains(suspectAfterMisses) else {
                throw FairwayError(.invalidField, "must be 1–1000, got \(suspectAfterMisses)", field: "membership.suspect_after_misses")
            }
            guard deadAfterMisses > suspectAfterMisses, deadAfterMisses <= 10_000 else {
                throw FairwayError(.invalidField, "must exceed suspect_after_misses (\(suspectAfterMisses)) and be ≤ 10000, got \(deadAfterMisses)", field: "membership.dead_after_misses")
            }
        }
    }
}
