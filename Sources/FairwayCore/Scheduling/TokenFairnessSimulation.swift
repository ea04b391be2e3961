/// The paper's token-allocation experiment (section V-B, Figs. 4–5), without I/O.
///
/// Each round is an independent repetition: fresh values v ~ Dirichlet(α, …, α) over N
/// agents, every bucket of size B empty (R = 0), V tokens; each allocator grants, and the
/// round records Jain and Gini of the reward rates, the tokens left unallocated (V − Σu) and
/// the tokens granted beyond bucket room (only the uncapped Random baseline has any).
/// Round i uses `SeededGenerator(seed: seed + i)`: v is drawn first, then Random's tokens
/// from the same stream — the reference's protocol, with a different generator.
public enum TokenFairnessSimulation {
    /// One point of a figure: the paper's setup is N = 500, V = 1000, B = 4, α = 0.5, 1000 rounds.
    public struct Setting: Sendable, Hashable {
        /// N: agents.
        public var agents: Int
        /// V: tokens per round.
        public var tokens: Double
        /// B: every agent's bucket size, in tokens.
        public var bucketSize: Double
        /// α: Dirichlet concentration (small = value concentrated on few agents).
        public var alpha: Double
        /// Independent repetitions.
        public var rounds: Int
        /// Round i is seeded with seed + i.
        public var seed: UInt64

        public init(agents: Int = 500, tokens: Double = 1000, bucketSize: Double = 4, alpha: Double = 0.5,
                    rounds: Int = 1000, seed: UInt64 = 0) {
            self.agents = agents
            self.tokens = tokens
            self.bucketSize = bucketSize
            self.alpha = alpha
            self.rounds = rounds
            self.seed = seed
        }
    }

    /// What one allocator did over all rounds of a setting.
    public struct Summary: Sendable, Hashable {
        /// Which allocator these statistics describe.
        public var allocator: AllocatorKind
        /// Jain's index over the rounds where it is defined.
        public var jain = SampleStatistics()
        /// Gini coefficient over the rounds where it is defined.
        public var gini = SampleStatistics()
        /// V − Σu: tokens not granted to anyone, per round.
        public var unallocated = SampleStatistics()
        /// Σ max(0, u_n − (B_n − R_n)): tokens granted beyond bucket room, which a bucket discards.
        public var overflow = SampleStatistics()
        /// Rounds where Jain or Gini was undefined (all reward rates 0).
        public var undefinedRounds = 0
        /// Rounds that handed out all of V (up to 1e-9·V). For eq. 15 with empty buckets these are
        /// exactly the rounds where no cap binds, so every reward rate is V/Σv and Jain = 1.
        public var fullySpentRounds = 0

        public init(allocator: AllocatorKind) { self.allocator = allocator }
    }

    /// Runs `setting.rounds` rounds for each of `allocators`; calls `progress` with the rounds
    /// done after each round. Preconditions: agents > 0, alpha > 0, tokens and bucketSize valid.
    public static func run(_ setting: Setting, allocators: [AllocatorKind] = AllocatorKind.allCases,
                           progress: (Int) -> Void = { _ in }) throws -> [Summary] {
        var summaries = allocators.map(Summary.init)
        let runners = allocators.map(\.allocator)
        let buckets = [Double](repeating: setting.bucketSize, count: setting.agents)
        for round in 0..<setting.rounds {
            var rng = SeededGenerator(seed: setting.seed &+ UInt64(round))
            let v = rng.nextDirichlet(alpha: setting.alpha, count: setting.agents)
            let problem = try TokenAllocationProblem(totalTokens: setting.tokens, values: v, bucketSizes: buckets)
            for k in runners.indices {
                let u = runners[k].allocate(problem, using: &rng)
                let r = Fairness.rewardRates(grants: u, values: v)
                var granted = 0.0, over = 0.0
                for n in u.indices {
                    granted += u[n]
                    over += max(0, u[n] - problem.room(n))
                }
                summaries[k].unallocated.add(setting.tokens - granted)
                if setting.tokens - granted <= 1e-9 * setting.tokens { summaries[k].fullySpentRounds += 1 }
                summaries[k].overflow.add(over)
                if let j = Fairness.jain(r), let g = Fairness.gini(r) {
                    summaries[k].jain.add(j)
                    summaries[k].gini.add(g)
                } else {
                    summaries[k].undefinedRounds += 1
                }
            }
            progress(round + 1)
        }
        return summaries
    }
}
