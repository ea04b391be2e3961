import FairwayCore

extension CloudAllocation {
    /// The cloud's budgets and how it shares them (YAML `cloud.*`).
    public struct Settings: Sendable, Hashable, SettingsSchema {
        /// Cloud inference capacity shared among edges, requests per second (P of Problem 1).
        /// Default 20; 0 = no offloading.
        public var inferenceRPS = 20.0
        /// Cloud training compute shared among edges, minibatch steps per training round
        /// (P of Problem 2). Default 10.
        public var trainingSteps = 10.0
        /// Samples the cloud labels per training period, shared among edges (T of Problem 2).
        /// Default 200.
        public var labellingBudget: UInt64 = 200
        /// `fair-synergy` (default: exact RTI, converged ACS for DL), `fair-synergy-one-pass`,
        /// `fair-synergy-multistart`, `uniform`, `random`, `num`, `drf` or `leximin`.
        public var allocator: CloudAllocator = .fairSynergy
        /// Seed of the `random` allocator (mixed with the epoch). Default 1.
        public var seed: UInt64 = 1

        public init() {}

        public static let fields: [SettingField<Self>] = [
            .number("inference_rps", \.inferenceRPS, in: 0...1e9),
            .number("training_steps", \.trainingSteps, in: 0...1e9),
            .integer("labelling_budget", \.labellingBudget, in: 0...1_000_000_000),
            .choice("allocator", \.allocator),
            .integer("seed", \.seed, in: 0...UInt64.max),
        ]
    }
}
