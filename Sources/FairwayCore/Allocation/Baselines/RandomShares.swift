/// Random (paper §IV): the whole budget split by a seeded Dirichlet(1) draw — uniform over the
/// simplex Σ x = P. For two resources the compute shares are drawn first, then independently
/// the labelling shares, from the same generator.
public enum RandomShares {
    public static func shares(count n: Int, budget: Double, generator: inout SeededGenerator) -> [Double] {
        n == 0 ? [] : generator.nextDirichlet(alpha: 1, count: n).map { $0 * budget }
    }
}
