import FairwayCore

extension Membership {
    /// Failure-detector settings (YAML `membership.*`). Validated once at start.
    public struct Settings: Sendable, Hashable, SettingsSchema {
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

        public static let fields: [SettingField<Self>] = [
            .integer("heartbeat_interval_ms", \.heartbeatIntervalMilliseconds, in: 10...600_000),
            .integer("suspect_after_misses", \.suspectAfterMisses, in: 1...1000),
            .integer("dead_after_misses", \.deadAfterMisses, in: 2...10_000),
        ]

        public func validateCombinations() throws {
            guard deadAfterMisses > suspectAfterMisses else {
                throw ConfigError(field: "dead_after_misses", message: "must exceed suspect_after_misses (\(suspectAfterMisses)), got \(deadAfterMisses)")
            }
        }

        /// Validates every field; errors name `membership.<key>`.
        public func validate() throws { try validateSettings(prefix: "membership") }
    }
}
