import FairwayCore

extension TokenScheduling {
    /// How the coordinator grants tokens each epoch (paper 1, eq. 15 and the baselines; YAML `tokens.*`).
    public struct Settings: Sendable, Hashable, SettingsSchema {
        /// V: whole tokens granted per epoch, over all agents. Default 1000.
        public var tokensPerEpoch: UInt64 = 1000
        /// The policy. Default `proportional` (eq. 15 as printed; grants are rounded down to whole tokens).
        public var allocator: AllocatorKind = .proportional
        /// Seed of the `random` allocator (mixed with the epoch number). Default 0.
        public var seed: UInt64 = 0
        /// Test-only breaks (`TestBreak.settleLeaseTwice`); never from YAML.
        public var breaks: Set<TestBreak> = []

        public init() {}

        public static let fields: [SettingField<Self>] = [
            .integer("per_epoch", \.tokensPerEpoch, in: 0...(1 << 40)),
            .custom("allocator", \.allocator) { value, field in try AllocatorKind(name: try value.text(field), field: field) },
            .integer("seed", \.seed, in: 0...UInt64.max),
        ]
    }
}
