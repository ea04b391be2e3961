/// The random contract scheme of paper 4, section VI-A ("randomly generates two-period contracts";
/// static when β = 0), with the draw protocol of `contracts.json` `random_contract`: each draw takes
/// K + K² integers uniform in 0…maxRounds, columns [T¹_0…T¹_K−1, T²(menu 0), …, T²(menu K−1)], and
/// sorts each group of K ascending (so every draw is monotone). Rewards are then those of a
/// scheme (`paper`: eqs. 19/24; `exact`: the minimum-cost rewards) and profits eq. 12.
///
/// The draws come from `SeededGenerator` (xoshiro256**), not numpy's PCG64, so only the
/// distribution — not the individual draws — matches the reference's.
public enum RandomContract {
    /// `count` seeded monotone draws.
    public static func draws(K: Int, count: Int, maxRounds: Int = 200, seed: UInt64) -> [TrainingRounds] {
        var rng = SeededGenerator(seed: seed)
        return (0..<count).map { _ in
            func group() -> [Int] { (0..<K).map { _ in rng.nextIndex(below: maxRounds + 1) }.sorted() }
            let T1 = group()
            return TrainingRounds(T1: T1, T2: (0..<K).map { _ in group() })
        }
    }

    /// Mean and (population) standard deviation of the profit over the draws a scheme could price.
    public struct Summary: Sendable, Equatable {
        public var draws: Int
        /// Draws the scheme priced (the LP may be infeasible for `exact`).
        public var priced: Int
        /// Draws whose contract satisfies every paper constraint.
        public var feasible: Int
        public var meanProfit: Double
        public var stdProfit: Double

        public init(draws: Int, evaluations: [ContractEvaluation?]) {
            self.draws = draws
            let priced = evaluations.compactMap { $0 }
            self.priced = priced.count
            feasible = priced.filter(\.feasible).count
            let profits = priced.map(\.profit.total)
            let mean = profits.isEmpty ? .nan : profits.reduce(0, +) / Double(profits.count)
            meanProfit = mean
            stdProfit = profits.isEmpty ? .nan : (profits.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(profits.count)).squareRoot()
        }
    }

    /// The `paper` scheme over the draws: eq. 19/24 rewards are always computable, feasible or not.
    public static func paper(_ instance: ContractInstance, draws: [TrainingRounds]) -> Summary {
        Summary(draws: draws.count, evaluations: draws.map { ContractEvaluation(instance, PaperRewards.terms(instance, $0)) })
    }
}
