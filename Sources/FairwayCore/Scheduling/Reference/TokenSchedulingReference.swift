/// The format of `Tests/Reference/token-scheduling.json` (from `shared/reference/`): ground
/// truth computed outside this project, for eq. 15 and the baselines on fixed instances, and a
/// statistical anchor (means over numpy-seeded rounds). Decoded by the tests, `fairway-lab
/// experiment token-fairness --reference` and anyone checking the allocators against it.
public struct TokenSchedulingReference: Decodable, Sendable {
    /// One allocator's expected output on an instance: grants u, reward rates r, fairness.
    public struct Result: Decodable, Sendable {
        public var u, r: [Double]
        public var jain, gini: Double?
        public var sum_u: Double
    }

    /// A fixed instance: N agents, V tokens, values v, buckets B, remaining R.
    public struct Instance: Decodable, Sendable {
        public var id, note: String
        public var N: Int
        public var V: Double
        public var v, B, R: [Double]
        public var proposed_eq15, round_robin, max_min: Result
    }

    /// Mean, standard deviation and standard error of Jain and Gini for one allocator.
    public struct AnchorResult: Decodable, Sendable {
        public var mean_jain, std_jain, se_jain: Double
        public var mean_gini, std_gini, se_gini: Double
    }

    /// The anchor's setup: N agents, V tokens, bucket B, Dirichlet α, rounds.
    public struct AnchorProtocol: Decodable, Sendable {
        public var N: Int
        public var V, B, dirichlet_alpha: Double
        public var rounds: Int
    }

    public struct Anchor: Decodable, Sendable {
        public var `protocol`: AnchorProtocol
        /// By the reference's allocator names (`Proposed_eq15`, `Random`, `RoundRobin`, `MaxMin`).
        public var results: [String: AnchorResult]
        public var mean_unallocated_tokens_eq15: Double

        /// The reference's name of each allocator the anchor covers.
        public static let names: [AllocatorKind: String] = [.proportional: "Proposed_eq15", .random: "Random",
                                                            .roundRobin: "RoundRobin", .maxMin: "MaxMin"]

        /// Whether a simulation setting is the anchor's.
        public func matches(_ s: TokenFairnessSimulation.Setting) -> Bool {
            s.agents == `protocol`.N && s.tokens == `protocol`.V && s.bucketSize == `protocol`.B && s.alpha == `protocol`.dirichlet_alpha
        }
    }

    public var instances: [Instance]
    public var statistical_anchor: Anchor
}
