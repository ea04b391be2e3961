/// Accuracy of the integrated agent module against the training rounds T (paper 4, eq. 1),
/// the computational core of `fairway-lab experiment module-accuracy`.
///
/// Per seed s and input kind: the training split (`ModuleDataset.split`) is cut into `edges`
/// disjoint shards seeded by s (`ModuleDataset.shards`); for every T each edge trains
/// `ModuleTraining` for T rounds from the zero module (edge e's shuffling seeded by
/// `edgeSeed(s, e)`); the coordinator averages all uploads (FedAvg) and measures held-out
/// accuracy. Also recorded: each upload's own held-out accuracy, how many reach the quality bar,
/// and the accuracy of the gated integration (`ModuleIntegration.integrate`).
public enum ModuleAccuracyExperiment {
    public struct Setting: Sendable, Hashable {
        /// Training rounds measured.
        public var rounds: [Int] = [0, 1, 2, 3, 5, 8, 12, 20, 30, 50, 80, 120, 200]
        public var seeds: [UInt64] = Array(0..<10)
        /// Edge servers, each with a disjoint shard.
        public var edges = 5
        public var inputs: [ModuleInput] = [.pixels, .embedding]
        public var training = ModuleTraining()
        public var integration = ModuleIntegration()

        public init() {}
    }

    /// One (input, seed, T) measurement.
    public struct Row: Sendable, Hashable {
        public var input: ModuleInput
        public var seed: UInt64
        public var rounds: Int
        /// Held-out accuracy of the FedAvg of all uploads.
        public var fedAvgAccuracy: Double
        /// Mean held-out accuracy of the individual uploads.
        public var meanUploadAccuracy: Double
        /// Uploads at or above the quality bar.
        public var uploadsIntegrated: Int
        /// Held-out accuracy of the FedAvg of the uploads at or above the bar; nil if none.
        public var gatedAccuracy: Double?
    }

    /// The shuffling seed of edge `edge` in run `seed`.
    public static func edgeSeed(_ seed: UInt64, _ edge: Int) -> UInt64 {
        seed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(edge + 1) &* 0xD1B5_4A32_D192_ED03
    }

    /// Edge trainings to do (for a progress bar).
    public static func work(_ setting: Setting) -> Int {
        setting.inputs.count * setting.seeds.count * setting.rounds.count * setting.edges
    }

    /// Runs the sweep; `progress` receives the number of edge trainings done.
    public static func run(_ records: [DigitRecord], _ setting: Setting, progress: (Int) -> Void = { _ in }) throws -> [Row] {
        var rows: [Row] = [], done = 0
        for input in setting.inputs {
            let (training, heldOut) = try ModuleDataset.split(records, input: input)
            for seed in setting.seeds {
                let shards = try training.shards(setting.edges, seed: seed)
                for t in setting.rounds {
                    var uploads: [ModuleIntegration.Upload] = []
                    for (e, shard) in shards.enumerated() {
                        let r = try setting.training.train(shard, rounds: t, seed: edgeSeed(seed, e))
                        uploads.append(.init(name: "edge-\(e + 1)", module: r.module, sampleCount: r.sampleCount))
                        done += 1
                        progress(done)
                    }
                    let all = try ModuleIntegration.federatedAverage(uploads)
                    let outcome = try setting.integration.integrate(uploads, heldOut: heldOut)
                    rows.append(Row(input: input, seed: seed, rounds: t,
                                    fedAvgAccuracy: try ModuleIntegration.accuracy(all, on: heldOut),
                                    meanUploadAccuracy: outcome.uploadAccuracy.reduce(0, +) / Double(uploads.count),
                                    uploadsIntegrated: outcome.integrated.count, gatedAccuracy: outcome.accuracy))
                }
            }
        }
        return rows
    }
}
